//! The store's copy of GitHub's escalations: what keeps GitHub's cost proportional to what
//! changed, not to what exists.
//!
//! A scope (API, repository, label) is listed whole once: every escalation, most recently
//! changed first (as far as [`MAX_LISTING_PAGES`] reach). From then on a refresh asks only what
//! changed: one conditional listing of the repository's issues updated since a point on GitHub's
//! clock (`since`, which GitHub reads as "updated at or after"; `state=all` and no label filter,
//! so a close, a reassignment and a label removed are all listed), answered `304` while nothing
//! changed. Each issue listed is compared with its row by `updated_at`: the same, nothing to do
//! (the listings overlap by [`SINCE_MARGIN`] and the duplicates drop out here); moved or new, the
//! row is written and its timeline read again; no longer labelled, the row goes.
//!
//! `since` stays where it is while the listing is short, so an unchanged repository is one URL
//! and one `304`; once the listing passes [`SINCE_MOVES_AFTER`] issues it moves to the latest
//! change listed, less the margin. Only GitHub's own stamps set it: a clock on this machine that
//! is off cannot drop a change, and an issue stamped a little before it became visible is listed
//! by the overlap.
//!
//! The dashboard and `rota stats` read the rows and their timelines
//! ([`GithubBackend::mirrored_every_with_history`]): a refresh by any process in the last
//! [`FRESH_FOR`] (the tray's poll) stands for theirs, and a timeline is read only for a row whose
//! `updated_at` moved since it was read (each once, the first time). The poller reads what
//! changed since its last look by the rows' change count (`seq`), whichever process wrote them.
//! An issue read or changed through the backend (an action) is written at once, so a window that
//! acted shows it before the next listing.
//!
//! Not seen at once: an issue deleted or transferred away, which no listing names; its row goes
//! when its timeline is next read (a `404`).

use super::pages::Keep;
use super::wire::{escalation, Issue, IssueEvent};
use super::{now, GithubBackend, LIST_FIX, MAX_LISTING_PAGES, SINCE_MARGIN};
use crate::escalations::BackendError;
use crate::store::{db_error, parse_time, timestamp, Store};
use chrono::{DateTime, SecondsFormat, Utc};
use rota_core::escalation::{same_handle, Escalation};
use rota_core::history;
use rota_core::lifecycle::HistoryEntry;
use rusqlite::{params, OptionalExtension};
use std::collections::BTreeMap;
use std::time::Duration;

/// A refresh younger than this (by any process: the tray polls every minute, a poll late by a
/// few seconds included) stands for a new one when the dashboard or `rota stats` reads. Without
/// a tray, the dashboard's minute refresh asks at most every other minute.
pub const FRESH_FOR: Duration = Duration::from_secs(90);

/// A listing of changes longer than this moves `since` forward; a shorter one keeps it, and
/// with it the URL whose `304` an unchanged repository costs.
pub const SINCE_MOVES_AFTER: usize = 50;

/// Timelines read before they are written, in one transaction.
const TIMELINES_PER_WRITE: usize = 100;

/// Where a scope's listing of changes starts, its change count, and when it was last asked.
struct Sync {
    since: DateTime<Utc>,
    seq: i64,
    synced_at: DateTime<Utc>,
}

/// One escalation as kept.
struct Row {
    number: u64,
    updated_at: DateTime<Utc>,
    issue: Issue,
    timeline_at: Option<DateTime<Utc>>,
    timeline: Option<Vec<IssueEvent>>,
}

/// When an issue last changed, by GitHub's clock (when it was filed, if it never changed).
fn changed_at(issue: &Issue) -> DateTime<Utc> {
    issue.updated_at.unwrap_or(issue.created_at)
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn load_sync(store: &Store, scope: &str) -> Result<Option<Sync>, BackendError> {
    store
        .conn()
        .query_row("SELECT since, seq, synced_at FROM github_sync WHERE scope = ?1", [scope], |r| {
            Ok(Sync { since: parse_time(&r.get::<_, String>(0)?)?, seq: r.get(1)?, synced_at: parse_time(&r.get::<_, String>(2)?)? })
        })
        .optional()
        .map_err(db_error)
}

/// Which rows to read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rows {
    /// Those whose change count is above this (all of them for `None`).
    ChangedAfter(Option<i64>),
    /// Those whose issue is open: what the poller reads each poll, without the closed years.
    Open,
}

fn load_rows(store: &Store, scope: &str, which: Rows) -> Result<Vec<Row>, BackendError> {
    let conn = store.conn();
    let (filter, arg) = match which {
        Rows::ChangedAfter(after) => ("seq > ?2", rusqlite::types::Value::Integer(after.unwrap_or(i64::MIN))),
        Rows::Open => ("json_extract(issue, '$.state') = ?2", rusqlite::types::Value::Text("open".into())),
    };
    let sql = format!(
        "SELECT number, updated_at, issue, timeline_at, timeline FROM github_issue WHERE scope = ?1 AND {filter} ORDER BY number DESC"
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(db_error)?;
    let rows = stmt
        .query_map(params![scope, arg], |r| {
            let text: String = r.get(2)?;
            let timeline: Option<String> = r.get(4)?;
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, text, r.get::<_, Option<String>>(3)?, timeline))
        })
        .map_err(db_error)?;
    let mut out = Vec::new();
    for row in rows {
        let (number, updated_at, issue, timeline_at, timeline) = row.map_err(db_error)?;
        // A row this Rota cannot read back is read from GitHub again: as if never kept.
        let Ok(issue) = serde_json::from_str::<Issue>(&issue) else { continue };
        out.push(Row {
            number: number as u64,
            updated_at: parse_time(&updated_at).map_err(db_error)?,
            issue,
            timeline_at: timeline_at.and_then(|t| parse_time(&t).ok()),
            timeline: timeline.and_then(|t| serde_json::from_str(&t).ok()),
        });
    }
    Ok(out)
}

/// Writes `issues` (each a new change of the scope, counted from `seq`) and removes `gone`, in
/// `tx`; the scope's change count after.
fn write_rows(tx: &rusqlite::Transaction<'_>, scope: &str, mut seq: i64, issues: &[&Issue], gone: &[u64]) -> Result<i64, BackendError> {
    let mut upsert = tx
        .prepare_cached(
            "INSERT INTO github_issue (scope, number, updated_at, issue, seq) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (scope, number) DO UPDATE SET updated_at = excluded.updated_at, issue = excluded.issue, seq = excluded.seq",
        )
        .map_err(db_error)?;
    for issue in issues {
        seq += 1;
        upsert.execute(params![scope, issue.number as i64, timestamp(changed_at(issue)), to_json(issue), seq]).map_err(db_error)?;
    }
    let mut delete = tx.prepare_cached("DELETE FROM github_issue WHERE scope = ?1 AND number = ?2").map_err(db_error)?;
    for n in gone {
        delete.execute(params![scope, *n as i64]).map_err(db_error)?;
    }
    Ok(seq)
}

fn write_sync(tx: &rusqlite::Transaction<'_>, scope: &str, since: DateTime<Utc>, seq: i64, at: DateTime<Utc>) -> Result<(), BackendError> {
    tx.execute(
        "INSERT INTO github_sync (scope, since, seq, synced_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (scope) DO UPDATE SET since = excluded.since, seq = excluded.seq, synced_at = excluded.synced_at",
        params![scope, timestamp(since), seq, timestamp(at)],
    )
    .map_err(db_error)?;
    Ok(())
}

/// The scope's change count as it is now in the file (another process may have written since).
fn current_seq(tx: &rusqlite::Transaction<'_>, scope: &str) -> Result<i64, BackendError> {
    let seq: Option<i64> =
        tx.query_row("SELECT seq FROM github_sync WHERE scope = ?1", [scope], |r| r.get(0)).optional().map_err(db_error)?;
    Ok(seq.unwrap_or(0))
}

impl GithubBackend {
    /// The scope the rows are kept under: the API, the repository and the label.
    fn scope(&self) -> String {
        format!("{} {}/{} {}", self.config.api, self.config.owner, self.config.repo, self.config.label)
    }

    fn labelled(&self, issue: &Issue) -> bool {
        issue.labels.iter().any(|l| l.name().eq_ignore_ascii_case(&self.config.label))
    }

    /// Whether the escalations are kept in the store (a store was given: [`Self::with_disk_cache`]).
    pub fn mirrored(&self) -> bool {
        self.disk.is_some()
    }

    /// Brings the store's copy up to date, unless a refresh (by any process) is younger than
    /// `max_age`: the whole listing the first time, then one conditional listing of what changed
    /// and the timelines of the escalations it changed. Without a store, nothing.
    pub async fn refresh(&self, max_age: Duration) -> Result<(), BackendError> {
        let Some(store) = self.disk.clone() else { return Ok(()) };
        let scope = self.scope();
        match load_sync(&store, &scope)? {
            Some(sync) => {
                let age = now() - sync.synced_at;
                // A refresh stamped in the future (the clock went back) is no refresh.
                if age >= chrono::Duration::zero() && age.to_std().is_ok_and(|a| a < max_age) {
                    return Ok(());
                }
                self.list_since(&store, &scope, &sync).await
            }
            None => self.list_whole(&store, &scope).await,
        }
    }

    /// The first refresh: every escalation, most recently changed first, as the listing reaches.
    /// Their timelines are left for whoever reads the history. A listing of one page is kept for
    /// its ETag: a repository with no escalation yet (a team's first days) is listed whole at each
    /// poll, and then GitHub's `304` costs no rate-limit unit.
    async fn list_whole(&self, store: &Store, scope: &str) -> Result<(), BackendError> {
        let query =
            [("labels", self.config.label.as_str()), ("state", "all"), ("sort", "updated"), ("direction", "desc"), ("per_page", "100")];
        let url = self.url(&self.repo_path("issues"), &query);
        let listing = self.list_pages(url, MAX_LISTING_PAGES, true, Keep::OnePageList).await?;
        let issues: Vec<&Issue> = listing.items.iter().filter(|i| self.labelled(i)).collect();
        // No escalation yet, so no stamp of GitHub's to start from: listed whole again next time.
        let Some(latest) = issues.iter().map(|i| changed_at(i)).max() else { return Ok(()) };
        let at = now();
        store.write(|tx| {
            let before = current_seq(tx, scope)?;
            let seq = write_rows(tx, scope, before, &issues, &[])?;
            // What the whole listing did not name is no escalation any more (or too old to list).
            tx.execute("DELETE FROM github_issue WHERE scope = ?1 AND seq <= ?2", params![scope, before]).map_err(db_error)?;
            write_sync(tx, scope, latest - SINCE_MARGIN, seq, at)
        })
    }

    /// A refresh after the first: the issues changed since `sync.since`.
    async fn list_since(&self, store: &Store, scope: &str, sync: &Sync) -> Result<(), BackendError> {
        let since_text = sync.since.to_rfc3339_opts(SecondsFormat::Secs, true);
        let query = [("state", "all"), ("sort", "updated"), ("direction", "desc"), ("since", since_text.as_str()), ("per_page", "100")];
        let url = self.url(&self.repo_path("issues"), &query);
        let first = url.to_string();
        let listing = self.list_pages(url, MAX_LISTING_PAGES, true, Keep::EveryPage).await?;
        if listing.more {
            return Err(BackendError::Failed(format!(
                "more than {} issues changed since {since_text}, more than Rota reads at once; {LIST_FIX}",
                MAX_LISTING_PAGES * 100
            )));
        }
        let listed = listing.items.len();
        // Pages read while issues changed may name one twice: its latest state counts.
        let mut latest: BTreeMap<u64, Issue> = BTreeMap::new();
        for issue in listing.items {
            if latest.get(&issue.number).is_none_or(|had| changed_at(had) < changed_at(&issue)) {
                latest.insert(issue.number, issue);
            }
        }
        let kept = self.kept_updated_at(store, scope, latest.keys())?;
        let (mut changed, mut gone) = (Vec::new(), Vec::new());
        for (n, issue) in &latest {
            match (self.labelled(issue), kept.get(n)) {
                (true, Some(at)) if *at == changed_at(issue) => {}
                (true, _) => changed.push(issue),
                (false, Some(_)) => gone.push(*n),
                (false, None) => {}
            }
        }
        let newest = latest.values().map(changed_at).max();
        let since = match newest {
            Some(t) if listed > SINCE_MOVES_AFTER && t - SINCE_MARGIN > sync.since => t - SINCE_MARGIN,
            _ => sync.since,
        };
        let at = now();
        store.write(|tx| {
            let seq = current_seq(tx, scope)?;
            let seq = if changed.is_empty() && gone.is_empty() { seq } else { write_rows(tx, scope, seq, &changed, &gone)? };
            write_sync(tx, scope, since, seq, at)
        })?;
        if since != sync.since {
            // The answers kept for the old `since` are no use to the next listing.
            self.forget_pages(&self.issues, &self.kept_chain(&self.issues, &first), &[]);
        }
        // Their timelines now, so the dashboard's next read asks nothing. One that cannot be read
        // now is read when a history is next wanted.
        let wanted: Vec<(u64, DateTime<Utc>)> = changed.iter().map(|i| (i.number, changed_at(i))).collect();
        let _ = self.read_timelines(store, scope, &wanted).await;
        Ok(())
    }

    /// The `updated_at` kept for each of `numbers` that has a row.
    fn kept_updated_at<'a>(
        &self,
        store: &Store,
        scope: &str,
        numbers: impl Iterator<Item = &'a u64>,
    ) -> Result<BTreeMap<u64, DateTime<Utc>>, BackendError> {
        let conn = store.conn();
        let mut stmt = conn.prepare_cached("SELECT updated_at FROM github_issue WHERE scope = ?1 AND number = ?2").map_err(db_error)?;
        let mut out = BTreeMap::new();
        for n in numbers {
            let at: Option<String> = stmt.query_row(params![scope, *n as i64], |r| r.get(0)).optional().map_err(db_error)?;
            if let Some(at) = at {
                out.insert(*n, parse_time(&at).map_err(db_error)?);
            }
        }
        Ok(out)
    }

    /// Reads the timelines of `wanted` (number, the `updated_at` they are read for) and keeps
    /// them, a batch at a time; what was read before a failure is kept.
    async fn read_timelines(&self, store: &Store, scope: &str, wanted: &[(u64, DateTime<Utc>)]) -> Result<(), BackendError> {
        for batch in wanted.chunks(TIMELINES_PER_WRITE) {
            let mut read = Vec::with_capacity(batch.len());
            let mut gone = Vec::new();
            let mut failed = None;
            for (n, at) in batch {
                match self.issue_events(*n, Keep::Nothing).await {
                    Ok(events) => read.push((*n, *at, to_json(&events))),
                    // Deleted, or moved to another repository: no escalation here any more.
                    Err(BackendError::NotFound(_)) => gone.push(*n),
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            store.write(|tx| {
                let mut update = tx
                    .prepare_cached("UPDATE github_issue SET timeline_at = ?3, timeline = ?4 WHERE scope = ?1 AND number = ?2")
                    .map_err(db_error)?;
                for (n, at, events) in &read {
                    update.execute(params![scope, *n as i64, timestamp(*at), events]).map_err(db_error)?;
                }
                write_rows(tx, scope, 0, &[], &gone).map(drop)
            })?;
            if let Some(e) = failed {
                return Err(e);
            }
        }
        Ok(())
    }

    /// Every escalation kept, newest first, each with its history: refreshed unless a refresh is
    /// younger than [`FRESH_FOR`], and the timelines read that are older than their escalation.
    pub(super) async fn mirrored_every_with_history(&self) -> Result<Vec<(Escalation, Vec<HistoryEntry>)>, BackendError> {
        let Some(store) = self.disk.clone() else { return Ok(Vec::new()) };
        self.refresh(FRESH_FOR).await?;
        let scope = self.scope();
        let rows = load_rows(&store, &scope, Rows::ChangedAfter(None))?;
        let stale: Vec<(u64, DateTime<Utc>)> =
            rows.iter().filter(|r| r.timeline.is_none() || r.timeline_at != Some(r.updated_at)).map(|r| (r.number, r.updated_at)).collect();
        if !stale.is_empty() {
            self.read_timelines(&store, &scope, &stale).await?;
        }
        let rows = if stale.is_empty() { rows } else { load_rows(&store, &scope, Rows::ChangedAfter(None))? };
        let mut out: Vec<(Escalation, Vec<HistoryEntry>)> = rows
            .into_iter()
            .map(|row| {
                let items: Vec<_> = row.timeline.unwrap_or_default().iter().filter_map(IssueEvent::item).collect();
                let e = escalation(&self.config, row.issue);
                let h = history::from_timeline(self.config.state_labels(), &e, &items);
                (e, h)
            })
            .collect();
        out.sort_by(|(a, _), (b, _)| b.created_at.cmp(&a.created_at).then_with(|| newest_number(&a.id, &b.id)));
        Ok(out)
    }

    /// The active escalations kept, optionally only those assigned to `assignee`, newest first.
    /// Asks GitHub nothing: [`Self::refresh`] first.
    pub fn mirrored_open(&self, assignee: Option<&str>) -> Result<Vec<Escalation>, BackendError> {
        let Some(store) = &self.disk else { return Ok(Vec::new()) };
        let mut open: Vec<Escalation> = load_rows(store, &self.scope(), Rows::Open)?
            .into_iter()
            .map(|r| escalation(&self.config, r.issue))
            .filter(|e| e.state.is_active() && assignee.is_none_or(|a| e.assignee.as_deref().is_some_and(|h| same_handle(h, a))))
            .collect();
        open.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| newest_number(&a.id, &b.id)));
        Ok(open)
    }

    /// The escalations whose rows changed after the change count `after` (every one for
    /// `None`), whichever process wrote them, and the count to hand in next time.
    pub fn mirrored_changes(&self, after: Option<i64>) -> Result<(Vec<Escalation>, Option<i64>), BackendError> {
        let Some(store) = &self.disk else { return Ok((Vec::new(), after)) };
        let scope = self.scope();
        let seq = load_sync(store, &scope)?.map(|s| s.seq);
        let changed = load_rows(store, &scope, Rows::ChangedAfter(after))?.into_iter().map(|r| escalation(&self.config, r.issue)).collect();
        Ok((changed, seq.or(after)))
    }

    /// Keeps an issue just read or changed through the API (an action, a filing), once the scope
    /// has been listed: a window that acted shows it before the next listing. Best effort: a row
    /// not written now is written by the next listing of changes.
    pub(super) fn note_issue(&self, issue: &Issue) {
        let Some(store) = &self.disk else { return };
        let scope = self.scope();
        if !matches!(load_sync(store, &scope), Ok(Some(_))) || issue.pull_request.is_some() {
            return;
        }
        let Ok(kept) = self.kept_updated_at(store, &scope, [issue.number].iter()) else { return };
        let kept = kept.get(&issue.number).copied();
        let labelled = self.labelled(issue);
        if (labelled && kept == Some(changed_at(issue))) || (!labelled && kept.is_none()) {
            return;
        }
        let _ = store.write(|tx| {
            let seq = current_seq(tx, &scope)?;
            let seq =
                if labelled { write_rows(tx, &scope, seq, &[issue], &[])? } else { write_rows(tx, &scope, seq, &[], &[issue.number])? };
            tx.execute("UPDATE github_sync SET seq = ?2 WHERE scope = ?1", params![scope, seq]).map_err(db_error)?;
            Ok(())
        });
    }
}

/// The higher issue number first (the newer of two filed in the same second).
fn newest_number(a: &str, b: &str) -> std::cmp::Ordering {
    let n = |s: &str| s.parse::<u64>().unwrap_or(0);
    n(b).cmp(&n(a))
}
