//! Redirects: Hugo `aliases` in any front matter, the old URLs of documents whose URL we
//! changed, and the `[[redirects]]` of `netlify.toml`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use codefor_domain::redirects::normalize_path;
use codefor_domain::{MediaFile, Redirect};

use crate::report::{ParseError, Warning};

/// Routes the new site serves itself (DESIGN.md §3) rather than from content: a redirect
/// may lead there but must not start there.
pub const GENERATED: &[&str] = &[
    "/labs/",
    "/labs/index.json",
    "/projekte/index.json",
    "/beduerfnisse/",
    "/termine/",
    "/termine.ics",
    "/daten/",
    "/index.xml",
    "/catalog.ttl",
    "/catalog.jsonld",
    "/healthz",
    "/api/openapi.json",
    "/sitemap.xml",
    "/robots.txt",
];

/// One `[[redirects]]` rule of `netlify.toml` that we can represent.
#[derive(Debug, Clone, PartialEq)]
pub struct NetlifyRule {
    pub redirect: Redirect,
    /// 1-based line of the rule in `netlify.toml`.
    pub line: usize,
    /// Netlify's `force`: redirect even when a page exists at `from`.
    pub force: bool,
}

/// True for Netlify patterns: a splat (`/en/*`) or a placeholder (`/:lang/x`).
pub fn is_pattern(from: &str) -> bool {
    from.contains('*') || from.split('/').any(|s| s.starts_with(':'))
}

/// Reads `netlify.toml`'s redirects. Kept as given: `from` (normalized unless it is a
/// pattern), `to` (with `:splat` and placeholders). Statuses 301/308 are what a
/// [`Redirect`] means; 302/307 are kept as permanent with a warning; 200 (rewrite), 404 and
/// conditional rules cannot be represented and are skipped with a warning.
pub fn netlify(dir: &Path, warnings: &mut Vec<Warning>) -> Result<Vec<NetlifyRule>, ParseError> {
    let path = dir.join("netlify.toml");
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let text = super::read_text(dir, &path)?;
    parse_netlify(&text, warnings)
}

pub(crate) fn parse_netlify(
    text: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<NetlifyRule>, ParseError> {
    const FILE: &str = "netlify.toml";
    let table = text.parse::<toml::Table>().map_err(|e| ParseError {
        file: FILE.to_owned(),
        line: e.span().map_or(1, |s| {
            crate::frontmatter::newlines_before(text, s.start) + 1
        }),
        field: None,
        message: format!("not valid TOML: {}", e.message()),
    })?;
    let Some(rules) = table.get("redirects") else {
        return Ok(Vec::new());
    };
    let Some(rules) = rules.as_array() else {
        return Err(ParseError {
            file: FILE.into(),
            line: 1,
            field: Some("redirects".into()),
            message: "expected [[redirects]] tables".into(),
        });
    };
    let headers: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.replace(' ', "").starts_with("[[redirects]]"))
        .map(|(i, _)| i + 1)
        .collect();
    let mut out = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let get = |k: &str| {
            rule.get(k)
                .and_then(toml::Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let line = if headers.len() == rules.len() {
            headers[i]
        } else {
            get("from")
                .and_then(|f| text.lines().position(|l| l.contains(f)))
                .map_or(1, |p| p + 1)
        };
        let warn = |what: String, action: &str| Warning::new(FILE, Some(line), what, action);
        let (Some(from), Some(to)) = (get("from"), get("to")) else {
            warnings.push(warn("redirect without `from` or `to`".into(), "skipped"));
            continue;
        };
        let status = rule
            .get("status")
            .and_then(toml::Value::as_integer)
            .unwrap_or(301);
        let force = rule
            .get("force")
            .and_then(toml::Value::as_bool)
            .unwrap_or(false);
        let unsupported: Vec<&str> = rule
            .as_table()
            .into_iter()
            .flat_map(|t| t.keys())
            .map(String::as_str)
            .filter(|k| !matches!(*k, "from" | "to" | "status" | "force"))
            .collect();
        if !unsupported.is_empty() {
            warnings.push(warn(
                format!(
                    "redirect {from} has conditions we cannot represent ({})",
                    unsupported.join(", ")
                ),
                "skipped",
            ));
            continue;
        }
        match status {
            301 | 308 => {}
            302 | 303 | 307 => warnings.push(warn(
                format!("redirect {from} is temporary ({status})"),
                "kept as a permanent redirect",
            )),
            _ => {
                warnings.push(warn(
                    format!("redirect {from} has status {status} (rewrite or error page)"),
                    "skipped: not a redirect",
                ));
                continue;
            }
        }
        let from_path = if is_pattern(from) {
            from.to_owned()
        } else {
            normalize_path(from)
        };
        out.push(NetlifyRule {
            redirect: Redirect {
                from_path,
                to: to.to_owned(),
                origin: format!("{FILE}:{line}"),
            },
            line,
            force,
        });
    }
    Ok(out)
}

/// All redirects, checked against the site's URLs: none from a real page, none to itself,
/// one per `from` (the first wins). Internal targets that lead nowhere are reported.
pub(crate) fn assemble(
    aliases: &[(String, usize, String)],
    hugo_paths: &[(String, String)],
    netlify: Vec<NetlifyRule>,
    urls: &BTreeMap<String, String>,
    media: &BTreeMap<String, MediaFile>,
    warnings: &mut Vec<Warning>,
) -> Vec<Redirect> {
    let page_owner: BTreeMap<&str, &str> =
        urls.iter().map(|(f, u)| (u.as_str(), f.as_str())).collect();
    let mut candidates: Vec<(Redirect, String, Option<usize>, bool)> = Vec::new();
    for (file, line, alias) in aliases {
        let Some(to) = urls.get(file) else { continue };
        let absolute = if alias.starts_with('/') || alias.contains("://") {
            alias.clone()
        } else {
            // Hugo resolves a relative alias against the page's directory.
            let dir = file
                .trim_start_matches("content/")
                .rsplit_once('/')
                .map_or("", |(d, _)| d);
            format!("/{dir}/{alias}")
        };
        let from_path = normalize_path(&absolute);
        if &from_path == to {
            // An alias naming the page's own URL (every lab has one: `/berlin`): nothing to
            // redirect.
            continue;
        }
        let r = Redirect {
            from_path,
            to: to.clone(),
            origin: format!("alias in {file}"),
        };
        candidates.push((r, file.clone(), Some(*line), false));
    }
    for (file, old) in hugo_paths {
        let Some(to) = urls.get(file) else { continue };
        let r = Redirect {
            from_path: normalize_path(old),
            to: to.clone(),
            origin: format!("Hugo URL of {file}"),
        };
        candidates.push((r, file.clone(), None, false));
    }
    for rule in netlify {
        candidates.push((
            rule.redirect,
            "netlify.toml".to_owned(),
            Some(rule.line),
            rule.force,
        ));
    }

    let mut out: Vec<Redirect> = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (r, file, line, force) in candidates {
        if let Some(owner) = page_owner.get(r.from_path.as_str()) {
            let what = if force {
                format!(
                    "forced redirect {} → {} would hide the page {owner}",
                    r.from_path, r.to
                )
            } else {
                format!(
                    "redirect {} → {} starts at the page {owner}",
                    r.from_path, r.to
                )
            };
            warnings.push(Warning::new(&file, line, what, "dropped; the page stays"));
            continue;
        }
        if GENERATED.contains(&r.from_path.as_str()) {
            let forced = if force { "forced " } else { "" };
            let what = format!(
                "{forced}redirect {} → {} starts at the new site's own {} page",
                r.from_path, r.to, r.from_path
            );
            warnings.push(Warning::new(&file, line, what, "dropped"));
            continue;
        }
        if normalize_path(&r.to) == r.from_path && !is_pattern(&r.from_path) {
            warnings.push(Warning::new(
                &file,
                line,
                format!("redirect {} points to itself", r.from_path),
                "dropped",
            ));
            continue;
        }
        if let Some(&i) = seen.get(&r.from_path) {
            let first: &Redirect = &out[i];
            // The same rule twice (netlify.toml repeats many aliases) changes nothing.
            if normalize_path(&first.to) != normalize_path(&r.to) {
                let what = format!(
                    "redirect {} → {} conflicts with → {} ({})",
                    r.from_path, r.to, first.to, first.origin
                );
                warnings.push(Warning::new(&file, line, what, "kept the first"));
            }
            continue;
        }
        seen.insert(r.from_path.clone(), out.len());
        out.push(r);
    }

    // Targets written in another letter case than the page's URL (`/projekte/Vornamen/`:
    // Hugo lowercased every URL) point at the page.
    let lower_pages: BTreeMap<String, &str> =
        page_owner.keys().map(|u| (u.to_lowercase(), *u)).collect();
    for r in &mut out {
        if !r.to.starts_with('/') || r.to.starts_with("//") {
            continue;
        }
        let target = normalize_path(&r.to);
        if page_owner.contains_key(target.as_str()) {
            continue;
        }
        if let Some(page) = lower_pages.get(&target.to_lowercase()) {
            let rest = r.to.find(['#', '?']).map_or("", |i| &r.to[i..]);
            r.to = format!("{page}{rest}");
        }
    }

    // Internal targets must lead somewhere: a page, a media file, a route the site
    // generates, or another redirect.
    let froms: BTreeSet<&str> = out.iter().map(|r| r.from_path.as_str()).collect();
    let mut dangling = Vec::new();
    for r in &out {
        if !r.to.starts_with('/')
            || r.to.starts_with("//")
            || r.to.contains(":splat")
            || r.to.contains("/:")
        {
            continue;
        }
        let target = normalize_path(&r.to);
        let media_path = target.trim_start_matches('/');
        let ok = page_owner.contains_key(target.as_str())
            || GENERATED.contains(&target.as_str())
            || media.contains_key(media_path)
            || media.contains_key(media_path.trim_end_matches('/'))
            || media.contains_key(&format!("{media_path}index.html"))
            || froms.contains(target.as_str())
            || froms
                .iter()
                .any(|f| f.ends_with('*') && target.starts_with(f.trim_end_matches('*')));
        if !ok {
            let (file, line) = split_origin(&r.origin);
            dangling.push(Warning::new(
                file,
                line,
                format!("redirect {} → {}: no page or file there", r.from_path, r.to),
                "kept",
            ));
        }
    }
    warnings.extend(dangling);
    out
}

fn split_origin(origin: &str) -> (String, Option<usize>) {
    if let Some(rest) = origin.strip_prefix("alias in ") {
        return (rest.to_owned(), None);
    }
    if let Some(rest) = origin.strip_prefix("Hugo URL of ") {
        return (rest.to_owned(), None);
    }
    match origin.rsplit_once(':') {
        Some((f, l)) => (f.to_owned(), l.parse().ok()),
        None => (origin.to_owned(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NETLIFY: &str = r#"[build]
publish = "public"

[[redirects]]
from = "/blog/Auftakt.html"
to = "/blog/auftakt"

[[ redirects ]]
from = "/en/*"
to = "/:splat"

[[ redirects ]]
from = "/labs/"
to = "/community/"
force = true

[[redirects]]
from = "/tmp"
to = "/x/"
status = 302

[[redirects]]
from = "/api/*"
to = "https://api.example.org/:splat"
status = 200

[[redirects]]
from = "/datenschutz/"
to = "/impressum#datenschutz"

[[redirects]]
from = "/alt/"
to = "/weg/"

[[redirects]]
from = "/alt"
to = "/community/"

[[redirects]]
from = "/alt/"
to = "/weg"

[[redirects]]
from = "/Gross.html"
to = "/Community/#x"

[[redirects]]
from = "/feed.xml"
to = "/index.xml"
"#;

    #[test]
    fn netlify_rules() {
        let mut w = Vec::new();
        let rules = parse_netlify(NETLIFY, &mut w).unwrap();
        let got: Vec<(&str, &str, &str, bool)> = rules
            .iter()
            .map(|r| {
                (
                    r.redirect.from_path.as_str(),
                    r.redirect.to.as_str(),
                    r.redirect.origin.as_str(),
                    r.force,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "/blog/Auftakt.html",
                    "/blog/auftakt",
                    "netlify.toml:4",
                    false
                ),
                ("/en/*", "/:splat", "netlify.toml:8", false),
                ("/labs/", "/community/", "netlify.toml:12", true),
                ("/tmp/", "/x/", "netlify.toml:17", false),
                (
                    "/datenschutz/",
                    "/impressum#datenschutz",
                    "netlify.toml:27",
                    false
                ),
                ("/alt/", "/weg/", "netlify.toml:31", false),
                ("/alt/", "/community/", "netlify.toml:35", false),
                ("/alt/", "/weg", "netlify.toml:39", false),
                ("/Gross.html", "/Community/#x", "netlify.toml:43", false),
                ("/feed.xml", "/index.xml", "netlify.toml:47", false),
            ]
        );
        let texts: Vec<String> = w.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            vec![
                "netlify.toml:17: redirect /tmp is temporary (302); kept as a permanent redirect",
                "netlify.toml:22: redirect /api/* has status 200 (rewrite or error page); skipped: not a redirect",
            ]
        );

        let urls: BTreeMap<String, String> = [
            ("content/datenschutz.md", "/datenschutz/"),
            ("content/impressum.md", "/impressum/"),
            ("content/community/_index.md", "/community/"),
            ("content/blog/2020-03-10-Auftakt.md", "/blog/auftakt/"),
            ("content/labs/berlin.md", "/berlin/"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
        let aliases = vec![
            ("content/labs/berlin.md".to_owned(), 8, "/berlin".to_owned()),
            ("content/labs/berlin.md".to_owned(), 8, "/bln".to_owned()),
            (
                "content/blog/2020-03-10-Auftakt.md".to_owned(),
                3,
                "alt-auftakt".to_owned(),
            ),
            (
                "content/blog/2020-03-10-Auftakt.md".to_owned(),
                3,
                "/impressum/".to_owned(),
            ),
        ];
        let hugo = vec![(
            "content/blog/2020-03-10-Auftakt.md".to_owned(),
            "/blog/2020-03-10-auftakt/".to_owned(),
        )];
        let mut w = Vec::new();
        let out = assemble(&aliases, &hugo, rules, &urls, &BTreeMap::new(), &mut w);
        let got: Vec<(&str, &str)> = out
            .iter()
            .map(|r| (r.from_path.as_str(), r.to.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("/bln/", "/berlin/"),
                ("/blog/alt-auftakt/", "/blog/auftakt/"),
                ("/blog/2020-03-10-auftakt/", "/blog/auftakt/"),
                ("/blog/Auftakt.html", "/blog/auftakt"),
                ("/en/*", "/:splat"),
                ("/tmp/", "/x/"),
                ("/alt/", "/weg/"),
                ("/Gross.html", "/community/#x"),
                ("/feed.xml", "/index.xml"),
            ]
        );
        assert_eq!(out[0].origin, "alias in content/labs/berlin.md");
        assert_eq!(
            out[2].origin,
            "Hugo URL of content/blog/2020-03-10-Auftakt.md"
        );
        let texts: Vec<String> = w.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            vec![
                "content/blog/2020-03-10-Auftakt.md:3: redirect /impressum/ → /blog/auftakt/ starts at the page content/impressum.md; dropped; the page stays",
                "netlify.toml:12: forced redirect /labs/ → /community/ starts at the new site's own /labs/ page; dropped",
                "netlify.toml:27: redirect /datenschutz/ → /impressum#datenschutz starts at the page content/datenschutz.md; dropped; the page stays",
                "netlify.toml:35: redirect /alt/ → /community/ conflicts with → /weg/ (netlify.toml:31); kept the first",
                "netlify.toml:17: redirect /tmp/ → /x/: no page or file there; kept",
                "netlify.toml:31: redirect /alt/ → /weg/: no page or file there; kept",
            ]
        );
    }
}
