//! Reading from outside with bounds: every HTTP answer Rota reads — a page of issues,
//! a schedule, an error's explanation — goes through [`read_body`], and every local source file
//! through [`read_file`], each with a byte cap and a deadline. A server that keeps sending, or
//! sends one byte a second, costs at most the cap in memory and the deadline in time; a path
//! that names a FIFO, a device or a folder is a clear error, never a hang.
//!
//! It also holds what every HTTP client of Rota's shares: redirects followed only to https
//! ([`redirect_policy`]), and no proxy for a loopback address ([`direct_to_loopback`]), so a
//! token sent in clear text to a test server on this machine never passes through a proxy.
//!
//! It is not a client: the callers (`sources.rs`, `escalations/github.rs`, `slack.rs`) build
//! their own, and decide what a failure means to them.

use reqwest::Url;
use std::io::Read;
use std::path::Path;
use std::time::Duration;
use tokio::time::Instant;

/// Why a body could not be read whole.
#[derive(Debug)]
pub enum BodyError {
    /// It is (or says it is) larger than the limit, in bytes.
    TooLarge(usize),
    /// The deadline passed before its last byte came.
    TimedOut,
    Network(reqwest::Error),
}

/// Reads a response's body, streamed: fails as soon as it passes `limit` bytes (or says in its
/// `Content-Length` that it will), and when `deadline` passes before its end. A server that keeps
/// sending costs `limit` bytes of memory, not all it sends; one that trickles costs the deadline.
pub async fn read_body(mut response: reqwest::Response, limit: usize, deadline: Instant) -> Result<Vec<u8>, BodyError> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge(limit));
    }
    let read = async {
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(BodyError::Network)? {
            if body.len() + chunk.len() > limit {
                return Err(BodyError::TooLarge(limit));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    };
    tokio::time::timeout_at(deadline, read).await.unwrap_or(Err(BodyError::TimedOut))
}

/// Sends `request`, failing with [`BodyError::TimedOut`] when `deadline` passes before the
/// answer's head comes (the client's own timeout may be longer: a listing's overall deadline).
pub async fn send(request: reqwest::RequestBuilder, deadline: Instant) -> Result<reqwest::Response, BodyError> {
    match tokio::time::timeout_at(deadline, request.send()).await {
        Ok(sent) => sent.map_err(BodyError::Network),
        Err(_) => Err(BodyError::TimedOut),
    }
}

/// `2 MiB`, for messages.
pub fn mib(bytes: usize) -> String {
    format!("{} MiB", bytes >> 20)
}

/// `64 KiB`, for messages.
pub fn kib(bytes: usize) -> String {
    format!("{} KiB", bytes >> 10)
}

/// Redirects are followed only to https, and not far: a token or a schedule never goes out in
/// clear text because a server said so.
pub fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        if attempt.url().scheme() != "https" {
            let to = rota_core::redact::url(attempt.url().as_str());
            attempt.error(format!("redirected to {to}, which is not https"))
        } else if attempt.previous().len() >= 5 {
            attempt.error("redirected more than 5 times")
        } else {
            attempt.follow()
        }
    })
}

/// Whether `url` names this machine: `localhost`, `127.x.x.x` or `[::1]` (the hosts the config
/// allows plain http to).
pub fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else { return false };
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|a| a.is_loopback())
}

/// `builder` for a client that talks to `url`: with no proxy at all when `url` is a loopback
/// address. `HTTP_PROXY` and `ALL_PROXY` would otherwise carry a plain-http request, its bearer
/// token in clear text, to the proxy; and a proxy cannot reach this machine's loopback anyway.
pub fn direct_to_loopback(builder: reqwest::ClientBuilder, url: &Url) -> reqwest::ClientBuilder {
    if is_loopback(url) {
        builder.no_proxy()
    } else {
        builder
    }
}

/// Why a local file could not be read.
#[derive(Debug)]
pub enum FileError {
    NotFound,
    /// It is not a regular file: a FIFO, a device, a folder, a socket (what it is, in words).
    NotRegular(&'static str),
    /// It is larger than the limit, in bytes.
    TooLarge(usize),
    /// The deadline passed (a file system that does not answer).
    TimedOut,
    Io(std::io::Error),
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileError::NotFound => f.write_str("no such file; check the path"),
            FileError::NotRegular(what) => write!(f, "is {what}, not a regular file; give the path of a file"),
            FileError::TooLarge(limit) => write!(f, "is larger than {}, more than any schedule or roster", mib(*limit)),
            FileError::TimedOut => f.write_str("could not be read in time; is its file system answering?"),
            FileError::Io(e) => write!(f, "cannot be read: {e}"),
        }
    }
}

/// What a file that is not a regular one is, in words.
fn kind_of(meta: &std::fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("a device");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a file")
}

/// Reads the regular file at `path`, at most `limit` bytes; blocking. It is checked before it
/// is opened (a FIFO's open would wait for a writer), opened without waiting where the platform
/// allows, and checked again once open, so what is read is the file checked.
pub fn read_file_blocking(path: &Path, limit: usize) -> Result<Vec<u8>, FileError> {
    // Looked at before it is opened: opening a FIFO waits for a writer.
    if let Some(what) = std::fs::metadata(path).ok().as_ref().and_then(kind_of) {
        return Err(FileError::NotRegular(what));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    // And opened without waiting, should it have become one since.
    #[cfg(target_os = "linux")]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => FileError::NotFound,
        _ => match std::fs::metadata(path).ok().as_ref().and_then(kind_of) {
            Some(what) => FileError::NotRegular(what),
            None => FileError::Io(e),
        },
    })?;
    let meta = file.metadata().map_err(FileError::Io)?;
    if let Some(what) = kind_of(&meta) {
        return Err(FileError::NotRegular(what));
    }
    if meta.len() > limit as u64 {
        return Err(FileError::TooLarge(limit));
    }
    let mut body = Vec::new();
    // One byte past the limit tells a file that grew since the check.
    file.take(limit as u64 + 1).read_to_end(&mut body).map_err(FileError::Io)?;
    if body.len() > limit {
        return Err(FileError::TooLarge(limit));
    }
    Ok(body)
}

/// [`read_file_blocking`] on a blocking thread, given up on after `within`: a file system that
/// hangs (a stale network mount) holds a blocking thread, never the caller.
pub async fn read_file(path: &Path, limit: usize, within: Duration) -> Result<Vec<u8>, FileError> {
    let path = path.to_path_buf();
    let read = tokio::task::spawn_blocking(move || read_file_blocking(&path, limit));
    match tokio::time::timeout(within, read).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => Err(FileError::Io(std::io::Error::other(e.to_string()))),
        Err(_) => Err(FileError::TimedOut),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        let check = |u: &str, expected: bool| assert_eq!(is_loopback(&Url::parse(u).unwrap()), expected, "{u}");
        check("http://127.0.0.1:8080/x", true);
        check("http://127.9.9.9/x", true);
        check("http://[::1]:1/", true);
        check("http://LOCALHOST/", true);
        check("https://api.github.com/", false);
        check("http://10.0.0.1/", false);
        check("http://localhost.evil.example/", false);
    }

    #[test]
    fn only_regular_files_are_read_and_at_most_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("people.toml");
        std::fs::write(&file, "x".repeat(100)).unwrap();
        assert_eq!(read_file_blocking(&file, 100).unwrap().len(), 100);
        assert!(matches!(read_file_blocking(&file, 99), Err(FileError::TooLarge(99))));
        assert!(matches!(read_file_blocking(&dir.path().join("gone"), 10), Err(FileError::NotFound)));
        assert!(matches!(read_file_blocking(dir.path(), 10), Err(FileError::NotRegular("a folder"))));
        #[cfg(target_os = "linux")]
        {
            assert!(matches!(read_file_blocking(Path::new("/dev/zero"), 10), Err(FileError::NotRegular("a device"))));
            let fifo = dir.path().join("fifo");
            let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            // SAFETY: a valid C string; mkfifo touches nothing else.
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            assert!(matches!(read_file_blocking(&fifo, 10), Err(FileError::NotRegular("a FIFO (named pipe)"))));
        }
    }
}
