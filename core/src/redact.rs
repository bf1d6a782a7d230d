//! What Rota repeats of text from outside, bounded and without secrets: a server's
//! error message cut to [`MESSAGE_CHARS`] characters, and a URL with its query string's values
//! hidden (`https://wiki.example.com/rota.md?token=…`), so that a token written into a source URL
//! never reaches a finding, an error, a log line or a cache key.
//!
//! It is not where text is made safe for a terminal ([`crate::printable`]) and it does not parse
//! URLs for use: it only shortens what is shown.

/// The most characters of a message from outside (GitHub's reason for a refusal, say) that Rota
/// shows, stores with an outbox row or hands to another process.
pub const MESSAGE_CHARS: usize = 300;

/// What stands for what was left out.
pub const ELLIPSIS: char = '…';

/// `message`, trimmed, cut to at most [`MESSAGE_CHARS`] characters: the first 299 and `…` when
/// it was longer.
pub fn message(message: &str) -> String {
    cut(message.trim(), MESSAGE_CHARS)
}

/// `text` cut to at most `max` characters (the last one `…` when something was left out).
pub fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some(_) => {
            let keep = max.saturating_sub(1);
            let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
            let mut out = text[..end].to_owned();
            if max > 0 {
                out.push(ELLIPSIS);
            }
            out
        }
    }
}

/// `url` with each query value replaced by `…` (names kept: `?token=…&page=…`), a bare query
/// word too, and the fragment dropped. A user name or password (`https://me:pw@host/`) is
/// replaced the same way. Text that is not a URL with a query is returned as it is.
pub fn url(url: &str) -> String {
    let (before_fragment, had_fragment) = match url.split_once('#') {
        Some((b, _)) => (b, true),
        None => (url, false),
    };
    let (base, query) = match before_fragment.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (before_fragment, None),
    };
    let mut out = userinfo_hidden(base);
    if let Some(q) = query {
        out.push('?');
        let pairs: Vec<String> = q
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) => format!("{name}={ELLIPSIS}"),
                None if pair.is_empty() => String::new(),
                None => ELLIPSIS.to_string(),
            })
            .collect();
        out.push_str(&pairs.join("&"));
    }
    if had_fragment {
        out.push('#');
        out.push(ELLIPSIS);
    }
    out
}

/// Whether `url` may hold a secret, so that it is no key to store: a user name or password, or a
/// query value under a name not in `public` (the names whose values are known to be harmless,
/// such as a listing's `page`). A fragment is never sent, and counts as a secret too.
pub fn may_hold_secret(url: &str, public: &[&str]) -> bool {
    if url.contains('#') {
        return true;
    }
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    if userinfo_hidden(base) != base {
        return true;
    }
    query.split('&').filter(|pair| !pair.is_empty()).any(|pair| {
        let name = pair.split_once('=').map_or(pair, |(name, _)| name);
        !public.contains(&name)
    })
}

/// `scheme://user:pw@host/path` as `scheme://…@host/path`.
fn userinfo_hidden(base: &str) -> String {
    let Some((scheme, rest)) = base.split_once("://") else { return base.to_owned() };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://{ELLIPSIS}@{host}{path}"),
        None => base.to_owned(),
    }
}

/// Every URL in `text` (a word starting `http://` or `https://`) as [`url`] shows it: for messages
/// that quote one (a library's error, a config value).
pub fn urls_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = ["https://", "http://"].iter().filter_map(|p| rest.find(p)).min() {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail.find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')' | ',')).unwrap_or(tail.len());
        out.push_str(&url(&tail[..end]));
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key that is stored holds no secret: only the query names known to be public.
    #[test]
    fn a_url_with_an_unknown_query_name_or_a_password_may_hold_a_secret() {
        let public = ["page", "per_page", "state"];
        for (url, secret) in [
            ("https://api.github.com/repos/a/b/issues", false),
            ("https://api.github.com/repos/a/b/issues?page=2&per_page=100&state=all", false),
            ("https://api.github.com/repos/a/b/issues?page=2&access_token=ghp_x", true),
            ("https://api.github.com/repos/a/b/issues?ghp_x", true),
            ("https://me:pw@api.github.com/repos/a/b/issues?page=2", true),
            ("https://api.github.com/repos/a/b/issues?page=2#ghp_x", true),
            ("https://api.github.com/repos/a/b/issues?", false),
        ] {
            assert_eq!(may_hold_secret(url, &public), secret, "{url}");
        }
    }

    #[test]
    fn a_message_is_cut_to_300_characters() {
        assert_eq!(message("  GitHub said no  "), "GitHub said no");
        let long = "é".repeat(1000);
        let cut = message(&long);
        assert_eq!(cut.chars().count(), MESSAGE_CHARS);
        assert!(cut.ends_with(ELLIPSIS));
        assert_eq!(message(&"x".repeat(300)), "x".repeat(300), "exactly 300 is kept whole");
        assert_eq!(self::cut("abcdef", 3), "ab…");
        assert_eq!(self::cut("abc", 3), "abc");
        assert_eq!(self::cut("abc", 0), "");
    }

    #[test]
    fn a_urls_query_values_are_hidden() {
        let check = |given: &str, shown: &str| assert_eq!(url(given), shown, "{given}");
        check("https://wiki.example.com/rota.md?token=s3cr3t", "https://wiki.example.com/rota.md?token=…");
        check("https://x.example/a?token=s3cr3t&page=2", "https://x.example/a?token=…&page=…");
        check("https://x.example/a?s3cr3t", "https://x.example/a?…");
        check("https://x.example/a?a=1&&b=2#frag", "https://x.example/a?a=…&&b=…#…");
        check("https://me:pw@x.example/a", "https://…@x.example/a");
        check("https://x.example/a/b", "https://x.example/a/b");
        check("/home/ann/people.toml", "/home/ann/people.toml");
        check("builtin:demo", "builtin:demo");
        assert_eq!(
            urls_in("GET \"http://127.0.0.1:1/p?token=abc\" failed, see https://x.example/?k=v."),
            "GET \"http://127.0.0.1:1/p?token=…\" failed, see https://x.example/?k=…"
        );
        assert!(!urls_in("error sending request for url (https://h/?token=abc)").contains("abc"));
    }
}
