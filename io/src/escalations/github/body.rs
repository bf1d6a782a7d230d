//! The issue body Rota writes for an escalation, and reads back: the details, one `Key: value`
//! line per field (`Customer`, `Severity`, `Link`, `Reporter`), then the client key as a hidden
//! marker, `<!-- rota-key: KEY -->`.

use rota_core::escalation::{NewEscalation, Severity};

const MARKER_OPEN: &str = "<!-- rota-key:";
const MARKER_CLOSE: &str = "-->";

/// The hidden marker that carries a client key in an issue body.
pub fn key_marker(key: &str) -> String {
    format!("{MARKER_OPEN} {key} {MARKER_CLOSE}")
}

/// The issue body Rota files for an escalation: details, then one `Key: value` line per field,
/// then the key marker.
pub fn issue_body(new: &NewEscalation) -> String {
    let mut body = new.details.trim().to_owned();
    let mut fields = String::new();
    let mut field = |name: &str, value: Option<&str>| {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
            fields.push_str(&format!("{name}: {}\n", v.replace('\n', " ")));
        }
    };
    field("Customer", new.customer.as_deref());
    field("Severity", Some(new.severity.as_str()));
    field("Link", new.url.as_deref());
    field("Reporter", new.reporter.as_deref());
    if !body.is_empty() {
        body.push_str("\n\n");
    }
    body.push_str(&fields);
    if let Some(key) = new.client_key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        body.push('\n');
        body.push_str(&key_marker(key));
        body.push('\n');
    }
    body
}

/// What GitHub is known to refuse in `new` ("title is too long (maximum is 256 characters)"),
/// checked before it is saved or sent: the body measured as it would be sent, key marker and all.
pub fn known_refusal(new: &NewEscalation) -> Option<rota_core::outbox::KnownRefusal> {
    let mut sent = new.clone();
    sent.client_key.get_or_insert_with(|| format!("rota-{}", "0".repeat(32)));
    rota_core::outbox::known_refusal(rota_core::config::Backend::Github, &sent.title, &issue_body(&sent))
}

/// The fields Rota reads back out of an issue body.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct BodyFields {
    pub details: String,
    pub customer: Option<String>,
    pub severity: Option<Severity>,
    pub link: Option<String>,
    pub reporter: Option<String>,
    pub key: Option<String>,
}

pub(super) fn parse_body(body: &str) -> BodyFields {
    let mut f = BodyFields::default();
    let mut details = Vec::new();
    for line in body.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix(MARKER_OPEN).and_then(|r| r.strip_suffix(MARKER_CLOSE)) {
            f.key = Some(rest.trim().to_owned()).filter(|k| !k.is_empty());
            continue;
        }
        let field = t.split_once(':').map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim()));
        let value = |v: &str| Some(v.to_owned()).filter(|v| !v.is_empty());
        match field {
            Some((k, v)) if k == "customer" => f.customer = value(v),
            Some((k, v)) if k == "severity" && v.parse::<Severity>().is_ok() => f.severity = v.parse().ok(),
            Some((k, v)) if k == "link" => f.link = value(v),
            Some((k, v)) if k == "reporter" => f.reporter = value(v.trim_start_matches('@')),
            _ => details.push(line),
        }
    }
    f.details = details.join("\n").trim().to_owned();
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_round_trips_the_fields_and_the_key() {
        let new = NewEscalation {
            title: "t".into(),
            customer: Some("Acme Corp".into()),
            severity: Severity::Sev1,
            url: Some("https://support.example.com/t/42".into()),
            details: "Search is down.\nSince 09:00: all regions.".into(),
            reporter: Some("support-sam".into()),
            assignee: Some("keegancsmith".into()),
            client_key: Some("k-1".into()),
        };
        let body = issue_body(&new);
        assert!(body.ends_with("\n<!-- rota-key: k-1 -->\n"), "{body}");
        assert_eq!(
            parse_body(&body),
            BodyFields {
                details: "Search is down.\nSince 09:00: all regions.".into(),
                customer: Some("Acme Corp".into()),
                severity: Some(Severity::Sev1),
                link: Some("https://support.example.com/t/42".into()),
                reporter: Some("support-sam".into()),
                key: Some("k-1".into()),
            }
        );
        assert_eq!(parse_body("Severity: whenever\nReporter: @bob").details, "Severity: whenever");
        assert_eq!(parse_body("Reporter: @bob").reporter.as_deref(), Some("bob"));
    }

    /// What GitHub is known to refuse is said as GitHub says it, before anything is sent; the
    /// body is measured as sent, the key marker and the fields included.
    #[test]
    fn what_github_is_known_to_refuse() {
        let long = NewEscalation { title: "x".repeat(257), ..NewEscalation::default() };
        assert_eq!(known_refusal(&long).unwrap().reason, "title is too long (maximum is 256 characters)");
        let ok = NewEscalation { title: "x".repeat(256), details: "d".repeat(65_000), ..NewEscalation::default() };
        assert_eq!(known_refusal(&ok), None);
        let big = NewEscalation { title: "ok".into(), details: "d".repeat(65_530), ..NewEscalation::default() };
        assert_eq!(known_refusal(&big).unwrap().part, rota_core::outbox::RefusedPart::Body, "the key marker and fields count");
    }
}
