//! One way to read a list from GitHub: a conditional, paged, cached `GET`.
//!
//! Each page's `ETag` is kept (in memory, and in the state database for the next process) and
//! sent back as `If-None-Match`, so an unchanged page is a `304`, which GitHub does not count
//! against the rate limit, and the kept page stands for it. Pages follow `Link: rel="next"`, only
//! within the configured API URL (the token goes nowhere else). All pages together are at most
//! [`MAX_LISTING_BYTES`] and come within the config's `listing_deadline`; a page is at most
//! [`MAX_PAGE_BYTES`]. A URL that may hold a secret is kept in memory only.
//!
//! The issues' listings and an issue's timeline both read through [`GithubBackend::get_pages`];
//! they differ only in the [`Walk`] they hand in.

use super::wire::{body_too_large, parse, parse_link_next, status_error, transfer_error};
use super::{now, GithubBackend, MAX_LISTING_BYTES, MAX_LISTING_PAGES, MAX_PAGE_BYTES};
use crate::bounded::{self, BodyError};
use crate::escalations::BackendError;
use crate::store::{CachedResponse, Store};
use chrono::{DateTime, Utc};
use reqwest::header::{ETAG, IF_NONE_MATCH, LINK};
use reqwest::StatusCode;
use rota_core::redact;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::time::Instant;

/// The query names of the URLs Rota asks GitHub for (and of GitHub's next pages): their values
/// are no secret, so a URL with only these may be a key on disk.
const PUBLIC_QUERY_NAMES: &[&str] = &["labels", "state", "sort", "direction", "per_page", "page", "assignee", "since"];

/// Answers kept for a conditional request are dropped after this long (a page that is still
/// read costs one full answer again).
pub const CACHE_DAYS: i64 = 30;

/// Answers kept before this are dropped ([`CACHE_DAYS`]).
fn cache_cutoff() -> DateTime<Utc> {
    now() - chrono::Duration::days(CACHE_DAYS)
}

/// A page as last received: what a `304` stands for.
#[derive(Debug, Clone)]
struct Page<T> {
    etag: String,
    items: Vec<T>,
    next: Option<String>,
    /// The body's size: what the page counts for in a listing's budget.
    bytes: usize,
}

/// The pages of one kind of list kept in memory, by URL.
pub(super) struct Kept<T>(Mutex<HashMap<String, Page<T>>>);

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept(Mutex::new(HashMap::new()))
    }
}

impl<T: Clone> Kept<T> {
    fn pages(&self) -> MutexGuard<'_, HashMap<String, Page<T>>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Which pages are kept for the next read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Keep {
    /// Every page, with the page it linked to next: a `304` stands for the page and the read
    /// goes on at its next. Once read, the pages the list no longer has are dropped.
    EveryPage,
    /// A list of one page only. A timeline grows at its end: an unchanged first page of several
    /// says nothing of the last, so a longer one is read afresh each time.
    OnePageList,
    /// None: what is read is kept elsewhere (the store's copy of the escalations, `mirror.rs`),
    /// and read again only when GitHub says it changed.
    Nothing,
}

/// How far one paged read may go, and what it says when it goes further.
pub(super) struct Walk<'a> {
    pub max_pages: usize,
    /// Past `max_pages`: `None` stops there (the answer's `more`), else this error.
    pub past_max: Option<BackendError>,
    pub keep: Keep,
    /// What a 404 names; `None`: the page's URL.
    pub what: Option<&'a str>,
    /// The error when the pages passed [`MAX_LISTING_BYTES`], given the pages read.
    pub too_large: &'a (dyn Fn(usize) -> BackendError + Sync),
    /// The error when the read's deadline passed, given the pages read; `None`: the request's own.
    pub too_slow: Option<&'a (dyn Fn(usize) -> BackendError + Sync)>,
}

/// The items of a paged read, and whether it stopped at its page limit with more to read.
pub(super) struct Paged<T> {
    pub items: Vec<T>,
    pub more: bool,
}

impl GithubBackend {
    /// Reads the list at `first`, page after page, each page conditional on the `ETag` kept in
    /// `kept` (or on disk), within the bounds `walk` sets.
    pub(super) async fn get_pages<T: DeserializeOwned + Clone>(
        &self,
        kept: &Kept<T>,
        first: String,
        walk: Walk<'_>,
    ) -> Result<Paged<T>, BackendError> {
        let deadline = Instant::now() + self.config.listing_deadline;
        let before = if walk.keep == Keep::EveryPage { self.kept_chain(kept, &first) } else { Vec::new() };
        let mut items = Vec::new();
        let mut read: Vec<String> = Vec::new();
        let mut bytes = 0usize;
        let mut next = Some(first);
        while let Some(url) = next.take() {
            if read.len() >= walk.max_pages {
                return match walk.past_max {
                    None => Ok(Paged { items, more: true }),
                    Some(e) => Err(e),
                };
            }
            // The token goes only to the configured API, whatever a Link header says.
            if !url.starts_with(self.api.as_str()) {
                return Err(BackendError::Failed("GitHub linked to a page outside the configured API URL".into()));
            }
            let mut cached = kept.pages().get(&url).cloned();
            if cached.is_none() {
                // Another process's answer, kept on disk.
                cached = self
                    .kept_on_disk(&url)
                    .and_then(|c| Some(Page { etag: c.etag, items: parse(&c.body).ok()?, next: c.next, bytes: c.body.len() }));
            }
            let mut request = self.http.get(&url);
            if let Some(page) = &cached {
                request = request.header(IF_NONE_MATCH, &page.etag);
            }
            let page_deadline = self.deadline().min(deadline);
            let late = |e: BackendError| match walk.too_slow {
                Some(too_slow) if Instant::now() >= deadline => too_slow(read.len()),
                _ => e,
            };
            let response = bounded::send(request, page_deadline).await.map_err(|e| late(transfer_error(e)))?;
            let page = match (response.status(), cached) {
                (StatusCode::NOT_MODIFIED, Some(page)) => page,
                (status, _) if status.is_success() => {
                    let etag = response.headers().get(ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned).unwrap_or_default();
                    let link = response.headers().get(LINK).and_then(|v| v.to_str().ok()).and_then(parse_link_next);
                    // What is left of the read's budget, and never more than a page.
                    let limit = MAX_PAGE_BYTES.min(MAX_LISTING_BYTES.saturating_sub(bytes));
                    let body = match bounded::read_body(response, limit, page_deadline).await {
                        Ok(body) => body,
                        Err(BodyError::TooLarge(_)) if limit < MAX_PAGE_BYTES => return Err((walk.too_large)(read.len() + 1)),
                        Err(BodyError::TooLarge(_)) => return Err(body_too_large(&url)),
                        Err(e) => return Err(late(transfer_error(e))),
                    };
                    let page = Page { etag, items: parse(&body)?, next: link, bytes: body.len() };
                    let keep = match walk.keep {
                        Keep::EveryPage => true,
                        Keep::OnePageList => read.is_empty() && page.next.is_none(),
                        Keep::Nothing => false,
                    };
                    if keep && !page.etag.is_empty() {
                        kept.pages().insert(url.clone(), page.clone());
                        self.keep_on_disk(&url, &page.etag, body, page.next.clone());
                    }
                    page
                }
                _ => return Err(status_error(response, walk.what.unwrap_or(&redact::url(&url)), page_deadline).await),
            };
            bytes += page.bytes;
            if bytes > MAX_LISTING_BYTES {
                return Err((walk.too_large)(read.len() + 1));
            }
            read.push(url);
            items.extend(page.items);
            next = page.next;
        }
        if walk.keep == Keep::EveryPage {
            self.forget_pages(kept, &before, &read);
        }
        Ok(Paged { items, more: false })
    }

    /// The pages kept (here or on disk) for the list that starts at `first`, as last read.
    pub(super) fn kept_chain<T: Clone>(&self, kept: &Kept<T>, first: &str) -> Vec<String> {
        let mut chain: Vec<String> = Vec::new();
        {
            let pages = kept.pages();
            let mut at = Some(first.to_owned());
            while let Some(url) = at.take() {
                let Some(page) = pages.get(&url).filter(|_| chain.len() < MAX_LISTING_PAGES && !chain.contains(&url)) else { break };
                at = page.next.clone();
                chain.push(url);
            }
        }
        if let Some(store) = &self.disk {
            for url in store.cached_chain(first, MAX_LISTING_PAGES).unwrap_or_default() {
                if !chain.contains(&url) {
                    chain.push(url);
                }
            }
        }
        chain
    }

    /// Drops the answers kept for the pages of `before` that are not in `read` (the list got
    /// shorter): the cache holds the last list, not every page ever read.
    pub(super) fn forget_pages<T: Clone>(&self, kept: &Kept<T>, before: &[String], read: &[String]) {
        let stale: Vec<String> = before.iter().filter(|u| !read.contains(u)).cloned().collect();
        if stale.is_empty() {
            return;
        }
        let mut pages = kept.pages();
        for url in &stale {
            pages.remove(url);
        }
        drop(pages);
        if let Some(store) = &self.disk {
            let _ = store.forget_responses(&stale, cache_cutoff());
        }
    }

    /// Keeps the answers to conditional requests in `store` too, so the next process (another
    /// `rota stats`, the dashboard) asks with their ETags and an unchanged repository costs only
    /// `304`s. Answers saved more than [`CACHE_DAYS`] ago are dropped as it is set.
    pub fn with_disk_cache(mut self, store: Arc<Store>) -> Self {
        let _ = store.forget_responses(&[], cache_cutoff());
        self.disk = Some(store);
        self
    }

    fn kept_on_disk(&self, url: &str) -> Option<CachedResponse> {
        self.disk.as_ref()?.cached_response(url).ok().flatten()
    }

    /// Best effort: a cache that cannot be written costs a full answer next time, nothing more.
    /// Keeps an answer on disk, keyed by its URL, unless that URL (or the next page's) may hold a
    /// secret ([`redact::may_hold_secret`]: a query name Rota does not send itself, say an
    /// `access_token` in a server's `Link`): such a page is kept in memory only.
    fn keep_on_disk(&self, url: &str, etag: &str, body: Vec<u8>, next: Option<String>) {
        let secret = |u: &str| redact::may_hold_secret(u, PUBLIC_QUERY_NAMES);
        if secret(url) || next.as_deref().is_some_and(secret) {
            return;
        }
        if let Some(store) = &self.disk {
            let _ = store.cache_response(url, &CachedResponse { etag: etag.to_owned(), body, next }, now());
        }
    }
}
