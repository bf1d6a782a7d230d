//! Reading schedule and roster sources: the built-ins, local files, and https URLs.
//!
//! URLs are fetched with conditional requests (`If-None-Match`, `If-Modified-Since`); the last good
//! copy is cached in the data folder and used, with a warning, when the network or server fails.

use chrono::{NaiveDate, Utc};
use rota_core::config::SourceSpec;
use rota_core::demo;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where a schedule or roster comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Demo,
    Handbook,
    File(PathBuf),
    Url(String),
}

/// What a source is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Schedule,
    Roster,
}

impl Source {
    /// Reads a source as written in config or on the command line. Relative paths are relative
    /// to `base` (the config file's folder, or the working folder for flags).
    /// The rules are the core's ([`rota_core::config::source`]): the config file, the flags and
    /// the settings form agree on what a source may be.
    pub fn parse(s: &str, base: &Path) -> Result<Source, String> {
        match rota_core::config::source(s)? {
            SourceSpec::Demo => Ok(Source::Demo),
            SourceSpec::Handbook => Ok(Source::Handbook),
            SourceSpec::Url(u) => Ok(Source::Url(u)),
            SourceSpec::Path(p) => {
                let path = expand_home(&p);
                Ok(Source::File(normalized(&if path.is_absolute() { path } else { base.join(path) })))
            }
        }
    }

    /// The name findings and messages use.
    pub fn name(&self) -> String {
        match self {
            Source::Demo => "builtin:demo".into(),
            Source::Handbook => "builtin:handbook".into(),
            Source::File(p) => p.display().to_string(),
            Source::Url(u) => u.clone(),
        }
    }
}

/// `path` without `.` and with each `..` taking the folder before it away, as a person reads it:
/// `~/.config/rota/../../team/rota.md` is `~/team/rota.md` (lexically: a path a config names is
/// read as written, the way a shell's `cd ..` reads it).
fn normalized(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn expand_home(s: &str) -> PathBuf {
    match (s.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(s),
    }
}

/// A source's text, ready to parse.
#[derive(Debug, Clone)]
pub struct Text {
    pub name: String,
    pub text: String,
    /// Set when a cached copy stood in for a URL that could not be fetched.
    pub warning: Option<String>,
}

/// Why a source could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub name: String,
    pub message: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.name, self.message)
    }
}

#[derive(Serialize, Deserialize)]
struct Cached {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
    fetched_at: String,
    body: String,
}

/// The most a schedule or roster download may be: a handbook page is some kilobytes.
pub const MAX_SOURCE_BYTES: usize = 2 << 20;

/// How long a source's download may take, from connecting to the body's last byte.
pub const SOURCE_DEADLINE: Duration = Duration::from_secs(15);

/// Redirects are followed only to https, and not far: a token or a schedule never goes out in
/// clear text because a server said so.
pub fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        if attempt.url().scheme() != "https" {
            let to = attempt.url().to_string();
            attempt.error(format!("redirected to {to}, which is not https"))
        } else if attempt.previous().len() >= 5 {
            attempt.error("redirected more than 5 times")
        } else {
            attempt.follow()
        }
    })
}

/// Why a body could not be read whole.
#[derive(Debug)]
pub enum BodyError {
    /// It is larger than the limit, in bytes.
    TooLarge(usize),
    Network(reqwest::Error),
}

/// Reads a response's body, streamed, failing as soon as it passes `limit` bytes: a server that
/// keeps sending costs `limit` bytes of memory, not all of it.
pub async fn read_capped(mut resp: reqwest::Response, limit: usize) -> Result<Vec<u8>, BodyError> {
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge(limit));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Network)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// `2 MiB`, for messages.
pub fn mib(bytes: usize) -> String {
    format!("{} MiB", bytes >> 20)
}

/// Reads sources; holds the HTTP client and the cache folder.
pub struct Reader {
    cache_dir: Option<PathBuf>,
    http: reqwest::Client,
}

impl Reader {
    pub fn new(cache_dir: Option<PathBuf>) -> Self {
        let http = reqwest::Client::builder()
            .user_agent(concat!("rota/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(5))
            .timeout(SOURCE_DEADLINE)
            .redirect(redirect_policy())
            .build()
            .unwrap_or_default();
        Reader { cache_dir, http }
    }

    /// Reads a source. `today` lays out the demo's rotations.
    pub async fn read(&self, source: &Source, kind: Kind, today: NaiveDate) -> Result<Text, ReadError> {
        let name = source.name();
        let text = |text: String| Ok(Text { name: name.clone(), text, warning: None });
        match (source, kind) {
            (Source::Demo, Kind::Schedule) => text(demo::demo_schedule(today)),
            (Source::Demo, Kind::Roster) => text(demo::demo_roster()),
            (Source::Handbook, Kind::Schedule) => text(demo::HANDBOOK.to_owned()),
            (Source::Handbook, Kind::Roster) => {
                Err(ReadError { name, message: "the handbook page has no roster; use a people.toml or builtin:demo".into() })
            }
            (Source::File(p), _) => {
                std::fs::read_to_string(p).map(|t| Text { name: name.clone(), text: t, warning: None }).map_err(|e| ReadError {
                    name: name.clone(),
                    message: match e.kind() {
                        std::io::ErrorKind::NotFound => "no such file; check the path".into(),
                        std::io::ErrorKind::InvalidData => "is not UTF-8 text".into(),
                        _ => format!("cannot be read: {e}"),
                    },
                })
            }
            (Source::Url(u), _) => self.fetch(u).await,
        }
    }

    fn cache_path(&self, url: &str) -> Option<PathBuf> {
        let digest = Sha256::digest(url.as_bytes());
        let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        self.cache_dir.as_ref().map(|d| d.join(format!("{hex}.json")))
    }

    fn load_cache(&self, url: &str) -> Option<Cached> {
        let text = std::fs::read_to_string(self.cache_path(url)?).ok()?;
        serde_json::from_str::<Cached>(&text).ok().filter(|c| c.url == url)
    }

    fn store_cache(&self, c: &Cached) {
        let Some(path) = self.cache_path(&c.url) else { return };
        let Ok(json) = serde_json::to_string(c) else { return };
        // Written beside and renamed, so a crash never leaves half a cache file.
        let tmp = path.with_extension("tmp");
        let ok = path.parent().map(std::fs::create_dir_all).transpose().is_ok()
            && std::fs::write(&tmp, json).is_ok()
            && std::fs::rename(&tmp, &path).is_ok();
        if !ok {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    async fn fetch(&self, url: &str) -> Result<Text, ReadError> {
        let cached = self.load_cache(url);
        let mut req = self.http.get(url);
        if let Some(c) = &cached {
            if let Some(e) = &c.etag {
                req = req.header(reqwest::header::IF_NONE_MATCH, e);
            }
            if let Some(m) = &c.last_modified {
                req = req.header(reqwest::header::IF_MODIFIED_SINCE, m);
            }
        }
        let problem = match req.send().await {
            Ok(resp) if resp.status() == reqwest::StatusCode::NOT_MODIFIED && cached.is_some() => {
                let c = cached.unwrap_or_else(|| unreachable!());
                return Ok(Text { name: url.to_owned(), text: c.body, warning: None });
            }
            Ok(resp) if resp.status().is_success() => {
                let header = |h| resp.headers().get(h).and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok()).map(str::to_owned);
                let (etag, last_modified) = (header(reqwest::header::ETAG), header(reqwest::header::LAST_MODIFIED));
                match read_capped(resp, MAX_SOURCE_BYTES).await.map(String::from_utf8) {
                    Ok(Ok(body)) => {
                        self.store_cache(&Cached {
                            url: url.to_owned(),
                            etag,
                            last_modified,
                            fetched_at: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                            body: body.clone(),
                        });
                        return Ok(Text { name: url.to_owned(), text: body, warning: None });
                    }
                    Ok(Err(_)) => "is not UTF-8 text".to_owned(),
                    Err(BodyError::TooLarge(limit)) => format!("is larger than {}, more than any schedule or roster", mib(limit)),
                    Err(BodyError::Network(e)) => format!("the download broke off ({})", short_error(&e)),
                }
            }
            Ok(resp) => format!("the server answered HTTP {}", resp.status()),
            Err(e) => format!("could not be fetched ({})", short_error(&e)),
        };
        match cached {
            Some(c) => Ok(Text {
                name: url.to_owned(),
                text: c.body,
                warning: Some(format!("{url}: {problem}; using the copy cached at {}", c.fetched_at)),
            }),
            None => Err(ReadError {
                name: url.to_owned(),
                message: format!("{problem}, and there is no cached copy; check the URL and the network"),
            }),
        }
    }
}

fn short_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        format!("took longer than {} s", SOURCE_DEADLINE.as_secs())
    } else if e.is_redirect() {
        use std::error::Error;
        e.source().map(|s| s.to_string()).unwrap_or_else(|| "a bad redirect".into())
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        "network error".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 24: a path a config names relative to its folder is shown as a person reads it.
    #[test]
    fn paths_are_shown_without_dot_dot() {
        for (base, written, shown) in [
            ("/home/k/.config/rota", "../../team/rotation.md", "/home/k/team/rotation.md"),
            ("/home/k/.config/rota", "./people.toml", "/home/k/.config/rota/people.toml"),
            ("/home/k", "../../../../etc/x.md", "/etc/x.md"),
            ("cfg", "../../x.md", "../x.md"),
            ("", "a/./b/../c.md", "a/c.md"),
        ] {
            let Ok(Source::File(p)) = Source::parse(written, Path::new(base)) else { panic!("{written}") };
            assert_eq!(p, PathBuf::from(shown), "{base} + {written}");
        }
    }
}
