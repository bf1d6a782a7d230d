//! What GitHub sends, as Rota reads it: issues, timeline items, error bodies, the `Link` and
//! rate-limit headers, and a failed request, each mapped to Rota's values ([`Escalation`],
//! [`TimelineItem`], [`BackendError`]).
//!
//! It sends nothing itself: the backend (`mod.rs`) and the paged reader (`pages.rs`) do.

use super::body::parse_body;
use super::{now, GithubConfig, MAX_ERROR_BYTES, MAX_PAGE_BYTES, MAX_RATE_LIMIT_WAIT};
use crate::bounded::{self, kib, mib, BodyError};
use crate::escalations::BackendError;
use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use rota_core::escalation::{same_handle, Escalation, EscalationState, Severity};
use rota_core::history::{team_of_label, TimelineEvent, TimelineItem, LEGACY_ENGINEERING_LABEL};
use rota_core::redact;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

#[derive(Debug, Clone, Deserialize, Serialize)]
pub(super) struct User {
    pub login: String,
}

/// Issue labels come as objects, or as bare names in some payloads.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub(super) enum Label {
    Object { name: String },
    Name(String),
}

impl Label {
    pub fn name(&self) -> &str {
        match self {
            Label::Object { name } | Label::Name(name) => name,
        }
    }
}

/// Kept in the state database as it is read (`mirror.rs`), so it is written back as JSON too.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(super) struct Issue {
    pub number: u64,
    pub title: String,
    #[serde(default)]
    pub body: Option<String>,
    pub html_url: String,
    pub state: String,
    #[serde(default)]
    pub labels: Vec<Label>,
    #[serde(default)]
    pub assignee: Option<User>,
    #[serde(default)]
    pub assignees: Option<Vec<User>>,
    #[serde(default)]
    pub user: Option<User>,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub pull_request: Option<serde_json::Value>,
    /// When it last changed (GitHub's clock): where the next listing of changes starts.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

/// What GitHub's issue search answers (`GET /search/issues`).
#[derive(Deserialize)]
pub(super) struct SearchResult {
    #[serde(default)]
    pub items: Vec<Issue>,
}

/// One item of an issue's timeline (`GET /repos/{o}/{r}/issues/{n}/timeline`): its events and
/// its comments (`commented`, with the body).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(super) struct IssueEvent {
    #[serde(default)]
    event: String,
    #[serde(default)]
    actor: Option<User>,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    label: Option<Label>,
    #[serde(default)]
    assignee: Option<User>,
    #[serde(default)]
    body: Option<String>,
}

impl IssueEvent {
    /// The item as the history reads it; `None` for an item without a time (a commit).
    pub fn item(&self) -> Option<TimelineItem> {
        let event = match (self.event.as_str(), &self.label) {
            ("labeled", Some(label)) => TimelineEvent::Labeled(label.name().to_owned()),
            ("commented", _) => TimelineEvent::Commented(self.body.clone().unwrap_or_default()),
            ("closed", _) => TimelineEvent::Closed,
            ("reopened", _) => TimelineEvent::Reopened,
            ("assigned", _) => TimelineEvent::Assigned(self.assignee.as_ref().map(|a| a.login.clone())),
            _ => TimelineEvent::Other,
        };
        Some(TimelineItem { event, by: self.actor.as_ref().map(|a| a.login.clone()), at: self.created_at? })
    }
}

#[derive(Deserialize)]
pub(super) struct ErrorBody {
    #[serde(default)]
    message: Option<String>,
    /// A 422's details: `[{ "resource", "field", "code", "message"? }]`.
    #[serde(default)]
    errors: Vec<ErrorDetail>,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    resource: Option<String>,
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    code: Option<String>,
}

impl ErrorDetail {
    /// GitHub's own words ("title is too long (maximum is 256 characters)"), else its field and
    /// code ("Label color: invalid").
    fn reason(&self) -> Option<String> {
        if let Some(m) = self.message.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
            return Some(m.to_owned());
        }
        let what: Vec<&str> = [self.resource.as_deref(), self.field.as_deref()].into_iter().flatten().collect();
        match (what.is_empty(), self.code.as_deref()) {
            (false, Some(code)) => Some(format!("{}: {code}", what.join(" "))),
            (true, Some(code)) => Some(code.to_owned()),
            (false, None) => Some(what.join(" ")),
            (true, None) => None,
        }
    }
}

/// The reason in an error body: the details' reasons when there are any (what a person can fix),
/// else the message.
pub(super) fn refusal_reason(body: &ErrorBody) -> String {
    let details: Vec<String> = body.errors.iter().filter_map(ErrorDetail::reason).collect();
    if details.is_empty() {
        body.message.clone().unwrap_or_default()
    } else {
        details.join("; ")
    }
}

/// Turns an unsuccessful status into its error. `what` names the thing for a 404. The body,
/// GitHub's explanation, is read up to [`MAX_ERROR_BYTES`] by `deadline`, and its reason cut
/// to [`redact::MESSAGE_CHARS`] characters: a server that answers an error with a gigabyte
/// costs 64 KiB, and its words reach a person, the outbox and a window short.
pub(super) async fn status_error(response: reqwest::Response, what: &str, deadline: Instant) -> BackendError {
    let status = response.status();
    if let Some(until) = rate_limited_until(status, response.headers(), now()) {
        return BackendError::RateLimited { until };
    }
    let message = match bounded::read_body(response, MAX_ERROR_BYTES, deadline).await {
        Ok(body) => serde_json::from_slice::<ErrorBody>(&body).ok().map(|b| redact::message(&refusal_reason(&b))).unwrap_or_default(),
        Err(BodyError::TooLarge(limit)) => format!("GitHub answered {status} with an explanation longer than {}", kib(limit)),
        Err(_) => String::new(),
    };
    match status {
        StatusCode::UNAUTHORIZED => BackendError::Unauthorized,
        StatusCode::FORBIDDEN => BackendError::Forbidden,
        StatusCode::NOT_FOUND | StatusCode::GONE => BackendError::NotFound(what.to_owned()),
        // A request timeout and a conflict (another change at the same moment) pass by themselves.
        s if s.is_server_error() || s == StatusCode::REQUEST_TIMEOUT || s == StatusCode::CONFLICT => {
            BackendError::Transient(format!("GitHub answered {s}"))
        }
        // GitHub's own reason, as it says it: what the person has to fix.
        s => BackendError::Invalid(if message.is_empty() { format!("GitHub answered {s}") } else { message }),
    }
}

/// A 403 or 429 that is a rate limit: when to come back. `retry-after` (seconds) wins, then
/// `x-ratelimit-reset` (epoch seconds) when no requests remain; a 429 without either waits a
/// minute, as GitHub's docs ask. A 403 with neither is not a rate limit.
pub(super) fn rate_limited_until(status: StatusCode, headers: &HeaderMap, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if status != StatusCode::FORBIDDEN && status != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    // A server's word on when to come back is capped: an hour, not a year (or an overflow).
    let latest = now.checked_add_signed(MAX_RATE_LIMIT_WAIT).unwrap_or(now);
    if let Some(secs) = header("retry-after").and_then(|v| v.parse::<u64>().ok()) {
        let wait = chrono::Duration::seconds(secs.min(MAX_RATE_LIMIT_WAIT.num_seconds() as u64) as i64);
        return Some(now.checked_add_signed(wait).unwrap_or(latest));
    }
    if header("x-ratelimit-remaining") == Some("0") {
        if let Some(reset) = header("x-ratelimit-reset").and_then(|v| v.parse::<i64>().ok()) {
            return Some(DateTime::from_timestamp(reset, 0).map_or(latest, |t| t.clamp(now, latest)));
        }
    }
    (status == StatusCode::TOO_MANY_REQUESTS).then(|| now.checked_add_signed(chrono::Duration::seconds(60)).unwrap_or(latest))
}

/// The next page a `Link` header names (`rel="next"`), if any.
pub(super) fn parse_link_next(value: &str) -> Option<String> {
    value.split(',').find_map(|part| {
        let mut pieces = part.split(';');
        let url = pieces.next()?.trim().strip_prefix('<')?.strip_suffix('>')?;
        pieces
            .any(|p| matches!(p.trim().split_once('='), Some(("rel", r)) if r.trim_matches('"').split(' ').any(|r| r == "next")))
            .then(|| url.to_owned())
    })
}

/// A page larger than any page of issues.
pub(super) fn body_too_large(url: &str) -> BackendError {
    BackendError::Failed(format!(
        "{} sent more than {}, more than any page of issues; check escalations.github.api",
        redact::url(url),
        mib(MAX_PAGE_BYTES)
    ))
}

/// A response's JSON body, read with a size cap ([`MAX_PAGE_BYTES`]) by `deadline`.
pub(super) async fn json_body<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
    url: &str,
    deadline: Instant,
) -> Result<T, BackendError> {
    match bounded::read_body(response, MAX_PAGE_BYTES, deadline).await {
        Ok(b) => parse(&b),
        Err(BodyError::TooLarge(_)) => Err(body_too_large(url)),
        Err(e) => Err(transfer_error(e)),
    }
}

pub(super) fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, BackendError> {
    serde_json::from_slice(body).map_err(|_| BackendError::Failed("GitHub sent a response Rota cannot read".into()))
}

/// A request that failed on the way: the network, or a deadline.
pub(super) fn transfer_error(e: BodyError) -> BackendError {
    match e {
        BodyError::Network(e) => request_error(e),
        BodyError::TimedOut | BodyError::TooLarge(_) => BackendError::Transient("GitHub did not answer in time".into()),
    }
}

pub(super) fn request_error(e: reqwest::Error) -> BackendError {
    // A body that stopped coming is a timeout, even while it was being read (decoded).
    if e.is_timeout() {
        BackendError::Transient("GitHub did not answer in time".into())
    } else if e.is_decode() {
        BackendError::Failed("GitHub sent a response Rota cannot read".into())
    } else if e.is_builder() {
        BackendError::Failed(format!("cannot build the request: {}", e.without_url()))
    } else if e.is_redirect() {
        // Where it went, without its query's values: "redirected to http://…, which is not https".
        use std::error::Error;
        let why = e.source().map_or_else(|| "a bad redirect".to_owned(), |s| redact::urls_in(&s.to_string()));
        BackendError::Failed(format!("GitHub's answer was {why}; check escalations.github.api"))
    } else {
        // Connection refused or reset, DNS, TLS: the network or GitHub is away for now. A
        // redirect's error names where it went: without its query's values.
        BackendError::Transient(format!("cannot reach GitHub: {}", redact::urls_in(&e.without_url().to_string())))
    }
}

/// An issue as an escalation, as the table in the module's docs says.
pub(super) fn escalation(config: &GithubConfig, issue: Issue) -> Escalation {
    let fields = parse_body(issue.body.as_deref().unwrap_or(""));
    let has_label = |name: &str| issue.labels.iter().any(|l| l.name().eq_ignore_ascii_case(name));
    let severity = issue
        .labels
        .iter()
        .filter_map(|l| l.name().to_ascii_lowercase().strip_prefix("sev").and_then(|d| d.parse::<Severity>().ok()))
        .min()
        .or(fields.severity)
        .unwrap_or_default();
    let state = if issue.state == "closed" {
        EscalationState::Resolved
    } else if has_label(&config.handed_to_engineering_label) || has_label(LEGACY_ENGINEERING_LABEL) {
        EscalationState::HandedToEngineering
    } else if has_label(&config.acknowledged_label) {
        EscalationState::Acknowledged
    } else {
        EscalationState::Open
    };
    let assignees = issue.assignees.unwrap_or_default();
    let assignee = assignees
        .iter()
        .find(|u| same_handle(&u.login, &config.me))
        .or(issue.assignee.as_ref())
        .or(assignees.first())
        .map(|u| u.login.clone());
    Escalation {
        id: issue.number.to_string(),
        title: issue.title,
        customer: fields.customer,
        severity,
        url: fields.link.or(Some(issue.html_url.clone())),
        page: Some(issue.html_url),
        details: fields.details,
        reporter: fields.reporter.or(issue.user.map(|u| u.login)),
        assignee,
        state,
        created_at: issue.created_at,
        client_key: fields.key,
        team: issue.labels.iter().find_map(|l| team_of_label(l.name())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use serde_json::json;

    /// A refusal carries GitHub's own reason: `errors[].message` when there is one ("title is
    /// too long …"), else the field and code; the bare message last.
    #[test]
    fn a_refusal_reason_is_githubs_own() {
        let check = |body: serde_json::Value, expected: &str| {
            let body: ErrorBody = serde_json::from_value(body).unwrap();
            assert_eq!(refusal_reason(&body), expected);
        };
        check(
            json!({ "message": "Validation Failed", "errors": [{ "resource": "Issue", "code": "custom", "field": "title",
                    "message": "title is too long (maximum is 256 characters)" }] }),
            "title is too long (maximum is 256 characters)",
        );
        // As in the recorded fixture error-422-validation-failed.json: no message of its own.
        check(
            json!({ "message": "Validation Failed", "errors": [{ "resource": "Label", "code": "invalid", "field": "color" }],
                    "documentation_url": "https://docs.github.com/rest/reference/issues#create-a-label" }),
            "Label color: invalid",
        );
        check(json!({ "message": "Repository access blocked" }), "Repository access blocked");
    }

    /// An escalation's own page is the issue (`html_url`); the ticket stays its link.
    #[test]
    fn the_escalations_page_is_the_issue_and_its_link_the_ticket() {
        let config = GithubConfig::new("https://api.github.com", "acme/esc", "ann").unwrap();
        let issue: Issue = serde_json::from_value(json!({
            "number": 7, "title": "Search is down", "state": "open",
            "body": "Customer: Acme\nLink: https://support.example.com/t/42\n",
            "html_url": "https://github.com/acme/esc/issues/7", "labels": [], "created_at": "2024-03-05T12:00:00Z"
        }))
        .unwrap();
        let e = escalation(&config, issue);
        assert_eq!(e.page.as_deref(), Some("https://github.com/acme/esc/issues/7"));
        assert_eq!(e.url.as_deref(), Some("https://support.example.com/t/42"));
        let t = rota_core::notice::text(&rota_core::escalation::Notice::Assigned { escalation: e, reassigned_from: None });
        assert_eq!(t.url.as_deref(), Some("https://github.com/acme/esc/issues/7"), "Open goes to the escalation");
        assert!(t.body.contains("Ticket: https://support.example.com/t/42"), "{}", t.body);
    }

    /// Timeline items as the history reads them: a label without a name and a commit (no time)
    /// are nothing to it.
    #[test]
    fn timeline_items_as_the_history_reads_them() {
        let events: Vec<IssueEvent> = serde_json::from_value(json!([
            { "event": "labeled", "actor": { "login": "ann" }, "created_at": "2024-03-05T12:01:00Z", "label": { "name": "acknowledged" } },
            { "event": "labeled", "actor": { "login": "ann" }, "created_at": "2024-03-05T12:01:00Z" },
            { "event": "committed", "sha": "abc", "author": { "date": "2024-03-05T12:01:30Z" } },
            { "event": "assigned", "actor": { "login": "ann" }, "created_at": "2024-03-05T12:02:00Z", "assignee": { "login": "bob" } },
            { "event": "commented", "created_at": "2024-03-05T12:03:00Z" },
        ]))
        .unwrap();
        let items: Vec<(TimelineEvent, Option<String>)> = events.iter().filter_map(IssueEvent::item).map(|i| (i.event, i.by)).collect();
        let ann = Some("ann".to_owned());
        assert_eq!(
            items,
            [
                (TimelineEvent::Labeled("acknowledged".into()), ann.clone()),
                (TimelineEvent::Other, ann.clone()),
                (TimelineEvent::Assigned(Some("bob".into())), ann),
                (TimelineEvent::Commented(String::new()), None),
            ]
        );
    }

    #[test]
    fn link_headers() {
        let check = |header: &str, next: Option<&str>| assert_eq!(parse_link_next(header).as_deref(), next, "{header}");
        check(
            r#"<https://api.github.com/repositories/1000/issues?per_page=3&page=2>; rel="next", <https://api.github.com/repositories/1000/issues?per_page=3&page=5>; rel="last""#,
            Some("https://api.github.com/repositories/1000/issues?per_page=3&page=2"),
        );
        check(r#"<https://x/?page=4>; rel="prev", <https://x/?page=1>; rel="first""#, None);
        check(r#"<https://x/?page=1>; rel="first", <https://x/?page=3>; rel="next""#, Some("https://x/?page=3"));
        check("", None);
    }

    /// Each case: the status, the headers, and the seconds to wait (`None`: no rate limit).
    type Case<'a> = (u16, &'a [(&'a str, &'a str)], Option<i64>);

    fn check_rate_limits(now: DateTime<Utc>, cases: &[Case]) {
        for (status, pairs, wait) in cases {
            let mut h = HeaderMap::new();
            for (k, v) in pairs.iter() {
                h.insert(reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
            }
            let got = rate_limited_until(StatusCode::from_u16(*status).unwrap(), &h, now);
            assert_eq!(got, wait.map(|s| now + chrono::Duration::seconds(s)), "{status} {pairs:?}");
        }
    }

    #[test]
    fn rate_limit_rules() {
        check_rate_limits(
            DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            &[
                (403, &[("retry-after", "120")], Some(120)),
                (429, &[("retry-after", "5"), ("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1700009999")], Some(5)),
                (403, &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1700000900")], Some(900)),
                (403, &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1600000000")], Some(0)), // already past
                (403, &[("x-ratelimit-remaining", "12"), ("x-ratelimit-reset", "1700000900")], None),   // plain forbidden
                (403, &[], None),
                (429, &[], Some(60)),
                (500, &[("retry-after", "5")], None),
            ],
        );
    }

    /// A server's "come back in a year" (or past chrono's range) waits an hour.
    #[test]
    fn a_rate_limit_far_in_the_future_waits_an_hour_at_most() {
        check_rate_limits(
            DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            &[
                (429, &[("retry-after", "31536000")], Some(3600)),
                (429, &[("retry-after", "18446744073709551615")], Some(3600)),
                (403, &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1800000000")], Some(3600)),
                (403, &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "9223372036854775807")], Some(3600)),
                (403, &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "-9223372036854775808")], Some(3600)),
                (429, &[("retry-after", "3599")], Some(3599)),
            ],
        );
        let far = DateTime::<Utc>::MAX_UTC;
        let got = rate_limited_until(StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new(), far);
        assert_eq!(got, Some(far), "no overflow at the end of time");
    }
}
