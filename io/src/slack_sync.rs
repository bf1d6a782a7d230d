//! The Slack user group kept in step: Slack's Web API (`usergroups.users.list`, then
//! `usergroups.users.update` with the whole list, only when the group differs), the decision
//! made by `rota_core::slack`. One sync for every caller: `rota slack sync`, a scheduled job and
//! the tray.
//!
//! The token ([`SecretName::SlackToken`]) comes from the keyring, kept there per API host, is sent only in the
//! `Authorization` header to the configured `api` (https, or http to a loopback host), and is in
//! no error: Slack's errors become sentences with the fix. A `ratelimited` answer (HTTP 429) is
//! waited out once, for the `Retry-After` it gives (at most [`MAX_WAIT`]), never retried at once.

use crate::bounded;
use crate::secrets::{SecretError, SecretName, SecretStore, SecretValue};
use reqwest::Url;
use rota_core::slack::{Plan, Wanted};
use serde_json::Value;
use std::fmt;
use std::time::Duration;
use tokio::time::Instant;

/// The longest one call may take.
pub const TIMEOUT: Duration = Duration::from_secs(20);
/// The longest rate limit waited out; a longer one is an error to try again later.
pub const MAX_WAIT: Duration = Duration::from_secs(120);
/// Slack's answers are small; anything longer is not Slack.
const BODY_LIMIT: usize = 1 << 20;

/// Why a sync did not finish. No variant holds the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncError {
    /// `[slack] usergroup` is not set.
    NoUsergroup,
    /// No `slack-token` in the keyring.
    NoToken,
    Keyring(SecretError),
    /// The configured `api` cannot carry a token.
    BadApi(String),
    Unreachable(String),
    /// Slack said `ok: false` with this error (cut to 100 characters).
    Slack {
        error: String,
        group: String,
    },
    /// Still rate limited after waiting once (or asked to wait longer than [`MAX_WAIT`]).
    RateLimited {
        seconds: u64,
    },
    /// An answer that is not Slack's.
    BadAnswer(String),
}

impl fmt::Display for SyncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let store = "store one with `rota secret set slack-token`";
        match self {
            SyncError::NoUsergroup => f.write_str("no Slack user group is set; add usergroup = \"S…\" (the group's ID) under [slack] in the config"),
            SyncError::NoToken => write!(
                f,
                "no Slack token in the keyring for the configured api; {store} (a bot or user token with the usergroups:read and usergroups:write scopes)"
            ),
            SyncError::Keyring(e) => write!(f, "cannot read the Slack token: {e}"),
            SyncError::BadApi(why) => write!(f, "slack.api: {why}"),
            SyncError::Unreachable(why) => write!(f, "cannot reach Slack: {why}"),
            SyncError::RateLimited { seconds } => {
                write!(f, "Slack is rate limiting these calls (ratelimited) and asks to wait {seconds} s; try again later")
            }
            SyncError::BadAnswer(why) => write!(f, "Slack's answer cannot be read: {why}"),
            SyncError::Slack { error, group } => match error.as_str() {
                "invalid_auth" | "token_revoked" | "not_authed" | "account_inactive" | "token_expired" => write!(
                    f,
                    "Slack did not take the stored token ({error}); store a new one with `rota secret set slack-token`"
                ),
                "missing_scope" => write!(
                    f,
                    "the Slack token lacks a scope (missing_scope): it needs usergroups:read and usergroups:write; add both to the Slack app, reinstall it, and store the new token with `rota secret set slack-token`"
                ),
                "permission_denied" | "not_allowed_token_type" => write!(
                    f,
                    "Slack does not let this token edit user groups ({error}): by default only admins may; an admin can allow everyone in the workspace settings (Permissions → User Groups), or store an admin's user token with `rota secret set slack-token`"
                ),
                "paid_only" | "plan_upgrade_required" => {
                    write!(f, "Slack user groups need a paid plan ({error}); the group cannot be kept on this workspace")
                }
                "no_such_subteam" => write!(
                    f,
                    "Slack has no user group {group} (no_such_subteam); copy the group's ID (like \"S0123ABCD\") into usergroup under [slack]"
                ),
                _ => write!(f, "Slack refused the call ({error})"),
            },
        }
    }
}

impl std::error::Error for SyncError {}

/// Slack's Web API at one base URL, with one token.
pub struct SlackApi {
    base: Url,
    token: SecretValue,
    http: reqwest::Client,
}

impl fmt::Debug for SlackApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlackApi").field("base", &self.base.as_str()).field("token", &"***").finish()
    }
}

/// What one call answered: Slack's `ok: true` body, or an error.
enum Answer {
    Ok(Value),
    RateLimited(u64),
}

impl SlackApi {
    /// The API at `api` (checked as the config checks it: https, or http to a loopback host).
    pub fn new(api: &str, token: SecretValue) -> Result<Self, SyncError> {
        rota_core::config::web_url(api).map_err(SyncError::BadApi)?;
        let base = Url::parse(&format!("{}/", api.trim().trim_end_matches('/'))).map_err(|e| SyncError::BadApi(e.to_string()))?;
        let http = bounded::direct_to_loopback(reqwest::Client::builder(), &base)
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .redirect(bounded::redirect_policy())
            .user_agent(concat!("rota/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncError::Unreachable(e.without_url().to_string()))?;
        Ok(SlackApi { base, token, http })
    }

    /// The API at `api` with the token the keyring holds for its host (a config pointed at
    /// another host finds none: the token never goes where it was not stored for).
    pub fn from_secrets(api: &str, secrets: &dyn SecretStore) -> Result<Self, SyncError> {
        let host = rota_core::config::web_url(api).map_err(SyncError::BadApi)?.authority();
        let token = secrets.get_at(SecretName::SlackToken, &host).map_err(SyncError::Keyring)?.ok_or(SyncError::NoToken)?;
        SlackApi::new(api, token)
    }

    /// Calls `method` with a form body; a rate limit is waited out once.
    async fn call(&self, method: &str, form: &[(&str, &str)], group: &str) -> Result<Value, SyncError> {
        match self.call_once(method, form, group).await? {
            Answer::Ok(v) => Ok(v),
            Answer::RateLimited(seconds) if Duration::from_secs(seconds) <= MAX_WAIT => {
                crate::clock::sleep(Duration::from_secs(seconds)).await;
                match self.call_once(method, form, group).await? {
                    Answer::Ok(v) => Ok(v),
                    Answer::RateLimited(seconds) => Err(SyncError::RateLimited { seconds }),
                }
            }
            Answer::RateLimited(seconds) => Err(SyncError::RateLimited { seconds }),
        }
    }

    async fn call_once(&self, method: &str, form: &[(&str, &str)], group: &str) -> Result<Answer, SyncError> {
        let url = self.base.join(method).map_err(|e| SyncError::BadApi(e.to_string()))?;
        let body = Url::parse_with_params("http://form/", form).map(|u| u.query().unwrap_or("").to_owned()).unwrap_or_default();
        let request = self
            .http
            .post(url)
            .bearer_auth(self.token.expose())
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body);
        let deadline = Instant::now() + TIMEOUT;
        let unreachable = |e: bounded::BodyError| match e {
            bounded::BodyError::TimedOut => SyncError::Unreachable("no answer in time".into()),
            bounded::BodyError::TooLarge(n) => SyncError::BadAnswer(format!("longer than {}", bounded::kib(n))),
            bounded::BodyError::Network(e) => SyncError::Unreachable(e.without_url().to_string()),
        };
        let response = bounded::send(request, deadline).await.map_err(unreachable)?;
        let status = response.status();
        if status.as_u16() == 429 {
            let after =
                response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok()).unwrap_or(60);
            return Ok(Answer::RateLimited(after));
        }
        let bytes = bounded::read_body(response, BODY_LIMIT, deadline).await.map_err(unreachable)?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|_| SyncError::BadAnswer(format!("HTTP {status}, not JSON")))?;
        if value["ok"].as_bool() == Some(true) {
            return Ok(Answer::Ok(value));
        }
        match value["error"].as_str() {
            Some("ratelimited") => Ok(Answer::RateLimited(60)),
            Some(e) => Err(SyncError::Slack { error: rota_core::words::shorten(e, 100), group: group.to_owned() }),
            None => Err(SyncError::BadAnswer(format!("HTTP {status} without ok"))),
        }
    }

    /// The group's members (`usergroups.users.list`).
    pub async fn members(&self, group: &str) -> Result<Vec<String>, SyncError> {
        let v = self.call("usergroups.users.list", &[("usergroup", group)], group).await?;
        let users = v["users"].as_array().ok_or_else(|| SyncError::BadAnswer("no users".into()))?;
        Ok(users.iter().filter_map(Value::as_str).map(str::to_owned).collect())
    }

    /// Sets the group's members to `users`, the whole list (`usergroups.users.update`).
    pub async fn set_members(&self, group: &str, users: &[String]) -> Result<(), SyncError> {
        self.call("usergroups.users.update", &[("usergroup", group), ("users", &users.join(","))], group).await.map(|_| ())
    }
}

/// What a sync found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synced {
    pub usergroup: String,
    pub plan: Plan,
    /// Whether this run wrote the group.
    pub changed: bool,
}

/// Reads `group`, compares it with `wanted`, and writes the whole wanted list when they differ
/// (never with `dry_run`, never an empty list).
pub async fn sync(api: &SlackApi, group: &str, wanted: &Wanted, dry_run: bool) -> Result<Synced, SyncError> {
    let before = api.members(group).await?;
    let plan = rota_core::slack::plan(wanted, &before);
    let mut changed = false;
    if let Some(users) = plan.write.as_ref().filter(|u| !dry_run && !u.is_empty()) {
        api.set_members(group, users).await?;
        changed = true;
    }
    Ok(Synced { usergroup: group.to_owned(), plan, changed })
}

/// Who the group should hold at `now`: the effective team (coverings applied) with their
/// roster's `slack` IDs, `keep` added.
pub fn wanted_now(config: &rota_core::Config, inputs: &crate::inputs::Inputs, now: chrono::DateTime<chrono::Utc>) -> Wanted {
    let timing = config.schedule.timing;
    let g = rota_core::glance(&inputs.schedule, &inputs.roster, &timing, timing.timezone, None, now);
    rota_core::slack::wanted(&g.on_duty, &inputs.roster, &config.slack.keep)
}

/// The daily word at `now`, in the schedule's zone: the same on every desk for the same inputs.
pub fn summary_now(
    config: &rota_core::Config,
    inputs: &crate::inputs::Inputs,
    escalations: &[rota_core::escalation::Escalation],
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let timing = config.schedule.timing;
    let g = rota_core::glance(&inputs.schedule, &inputs.roster, &timing, timing.timezone, None, now);
    let away = rota_core::away::spans(&inputs.schedule, &inputs.roster, timing.timezone);
    rota_core::slack::summary(&g, &inputs.schedule, &timing, &away, escalations)
}

/// The store's scope for the day the daily word was last posted from this desk.
pub const SUMMARY_SCOPE: &str = "slack-summary";

/// Posts the daily word `text` for `day` unless this desk posted that day's already: the day
/// is claimed in the store first, so two processes on one desk post it once; a failed post gives
/// the claim back for the next try. `Ok(false)`: posted already.
pub async fn post_daily(
    store: &crate::store::Store,
    announcer: &crate::slack::Announcer,
    text: &str,
    day: chrono::NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, String> {
    let before = store.posted_day(SUMMARY_SCOPE).map_err(|e| e.to_string())?;
    if !store.claim_day(SUMMARY_SCOPE, day, now).map_err(|e| e.to_string())? {
        return Ok(false);
    }
    if let Err(e) = announcer.post(text).await {
        store.forget_day(SUMMARY_SCOPE, before, now).map_err(|e| e.to_string())?;
        return Err(e.to_string());
    }
    Ok(true)
}
