//! A permanent redirect from an old path (Hugo aliases, netlify.toml) to a new one.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Redirect {
    /// Normalized old path: starts with `/`, no query.
    pub from_path: String,
    /// Target: a path on this site or an absolute URL.
    pub to: String,
    /// Where the redirect came from (`netlify.toml`, `alias in content/labs/berlin.md`).
    pub origin: String,
}

/// Normalizes a site path for lookups: leading slash, no query or fragment, a trailing
/// slash for directory-like paths (no dot in the last segment).
pub fn normalize_path(path: &str) -> String {
    let p = path.split(['?', '#']).next().unwrap_or("").trim();
    let mut out = String::from("/");
    out.push_str(p.trim_start_matches('/'));
    let last = out.rsplit('/').next().unwrap_or("");
    if !out.ends_with('/') && !last.contains('.') {
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn normalizes() {
        use super::normalize_path as n;
        assert_eq!(n("berlin"), "/berlin/");
        assert_eq!(n("/blog/x/?a=1"), "/blog/x/");
        assert_eq!(n("/files/a.pdf"), "/files/a.pdf");
        assert_eq!(n(""), "/");
    }
}
