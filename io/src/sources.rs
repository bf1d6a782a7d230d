//! Reading schedule and roster sources: the built-ins, local files, and https URLs.
//!
//! URLs are fetched with conditional requests (`If-None-Match`, `If-Modified-Since`); the last good
//! copy is cached in the data folder (owner-only; the file named by a digest of the URL, holding
//! the URL with its query's values hidden) and used, with a warning, when the network or server fails. Files and downloads are read
//! through [`crate::bounded`]: at most [`MAX_SOURCE_BYTES`] within [`SOURCE_DEADLINE`], regular
//! files only. A URL is named in findings and messages with its query's values hidden
//! (`?token=…`).

use crate::bounded::{self, mib, BodyError};
use chrono::NaiveDate;
use rota_core::config::SourceSpec;
use rota_core::demo;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
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
    /// A feed of time off (iCalendar).
    Away,
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
            // A token in the query string stays out of findings and messages.
            Source::Url(u) => rota_core::redact::url(u),
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

/// How long a source's download (or a file's read) may take, from connecting to the body's last
/// byte.
pub const SOURCE_DEADLINE: Duration = Duration::from_secs(15);

/// Reads sources; holds the HTTP clients and the cache folder.
pub struct Reader {
    cache_dir: Option<PathBuf>,
    /// For URLs elsewhere: the system's proxy, if any. Made at the first URL read: a command
    /// that reads files only (`rota now` on a local handbook) never pays for a TLS client.
    http: OnceLock<reqwest::Client>,
    /// For loopback URLs: never through a proxy ([`bounded::direct_to_loopback`]).
    direct: OnceLock<reqwest::Client>,
}

impl Reader {
    pub fn new(cache_dir: Option<PathBuf>) -> Self {
        Reader { cache_dir, http: OnceLock::new(), direct: OnceLock::new() }
    }

    /// The client for `url`: direct to a loopback address, through the system's proxy elsewhere.
    fn client_for(&self, url: &str) -> &reqwest::Client {
        let builder = || {
            reqwest::Client::builder()
                .user_agent(concat!("rota/", env!("CARGO_PKG_VERSION")))
                .connect_timeout(Duration::from_secs(5))
                .timeout(SOURCE_DEADLINE)
                .redirect(bounded::redirect_policy())
        };
        match reqwest::Url::parse(url) {
            Ok(u) if bounded::is_loopback(&u) => self.direct.get_or_init(|| builder().no_proxy().build().unwrap_or_default()),
            _ => self.http.get_or_init(|| builder().build().unwrap_or_default()),
        }
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
            (Source::Demo | Source::Handbook, Kind::Away) => {
                Err(ReadError { name, message: "is no calendar of time off; point roster.away at an .ics file or https URL".into() })
            }
            (Source::File(p), _) => match bounded::read_file(p, MAX_SOURCE_BYTES, SOURCE_DEADLINE).await.map(String::from_utf8) {
                Ok(Ok(t)) => text(t),
                Ok(Err(_)) => Err(ReadError { name, message: "is not UTF-8 text".into() }),
                Err(e) => Err(ReadError { name, message: e.to_string() }),
            },
            (Source::Url(u), _) => self.fetch(u).await,
        }
    }

    /// Where `url`'s copy is kept: named by a one-way digest of the whole URL (two URLs that
    /// differ only in a query value are two sources), while the file itself holds the URL with
    /// its query's values hidden: the cache holds no token.
    fn cache_path(&self, url: &str) -> Option<PathBuf> {
        let digest = Sha256::digest(url.as_bytes());
        let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        self.cache_dir.as_ref().map(|d| d.join(format!("{hex}.json")))
    }

    fn load_cache(&self, url: &str) -> Option<Cached> {
        let text = std::fs::read_to_string(self.cache_path(url)?).ok()?;
        serde_json::from_str::<Cached>(&text).ok().filter(|c| c.url == rota_core::redact::url(url))
    }

    /// Keeps `c`, the copy of `url`.
    fn store_cache(&self, url: &str, c: &Cached) {
        let Some(path) = self.cache_path(url) else { return };
        let Ok(json) = serde_json::to_string(c) else { return };
        // Written beside and renamed, so a crash never leaves half a cache file; the folders
        // owner-only (0700) and the file 0600, like the rest of the data folder.
        let _ = crate::files::replace_private(&path, json.as_bytes());
    }

    async fn fetch(&self, url: &str) -> Result<Text, ReadError> {
        let deadline = tokio::time::Instant::now() + SOURCE_DEADLINE;
        // The URL as findings and messages name it: no token.
        let name = rota_core::redact::url(url);
        let cached = self.load_cache(url);
        let mut req = self.client_for(url).get(url);
        if let Some(c) = &cached {
            if let Some(e) = &c.etag {
                req = req.header(reqwest::header::IF_NONE_MATCH, e);
            }
            if let Some(m) = &c.last_modified {
                req = req.header(reqwest::header::IF_MODIFIED_SINCE, m);
            }
        }
        let problem = match bounded::send(req, deadline).await {
            Ok(resp) if resp.status() == reqwest::StatusCode::NOT_MODIFIED && cached.is_some() => {
                let c = cached.unwrap_or_else(|| unreachable!());
                return Ok(Text { name, text: c.body, warning: None });
            }
            Ok(resp) if resp.status().is_success() => {
                let header = |h| resp.headers().get(h).and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok()).map(str::to_owned);
                let (etag, last_modified) = (header(reqwest::header::ETAG), header(reqwest::header::LAST_MODIFIED));
                match bounded::read_body(resp, MAX_SOURCE_BYTES, deadline).await.map(String::from_utf8) {
                    Ok(Ok(body)) => {
                        self.store_cache(
                            url,
                            &Cached {
                                url: name.clone(),
                                etag,
                                last_modified,
                                fetched_at: crate::clock::system_now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                                body: body.clone(),
                            },
                        );
                        return Ok(Text { name, text: body, warning: None });
                    }
                    Ok(Err(_)) => "is not UTF-8 text".to_owned(),
                    Err(BodyError::TooLarge(limit)) => format!("is larger than {}, more than any schedule or roster", mib(limit)),
                    Err(BodyError::TimedOut) => format!("the download took longer than {} s", SOURCE_DEADLINE.as_secs()),
                    Err(BodyError::Network(e)) => format!("the download broke off ({})", short_error(&e)),
                }
            }
            Ok(resp) => format!("the server answered HTTP {}", resp.status()),
            Err(BodyError::Network(e)) => format!("could not be fetched ({})", short_error(&e)),
            Err(_) => format!("could not be fetched (took longer than {} s)", SOURCE_DEADLINE.as_secs()),
        };
        match cached {
            Some(c) => Ok(Text {
                name: name.clone(),
                text: c.body,
                warning: Some(format!("{name}: {problem}; using the copy cached at {}", c.fetched_at)),
            }),
            None => Err(ReadError { name, message: format!("{problem}, and there is no cached copy; check the URL and the network") }),
        }
    }
}

fn short_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        format!("took longer than {} s", SOURCE_DEADLINE.as_secs())
    } else if e.is_redirect() {
        use std::error::Error;
        e.source().map(|s| rota_core::redact::urls_in(&s.to_string())).unwrap_or_else(|| "a bad redirect".into())
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        "network error".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path a config names relative to its folder is shown as a person reads it.
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
