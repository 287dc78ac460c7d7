//! Link checking against what the site serves.
//!
//! Today's site has a few dozen broken internal links. The importer repairs what is
//! unambiguous (missing scheme, scheme typos, absolute links to codefor.de, old paths with
//! a redirect, letter case) and says so; the rest is reported and the caller renders it
//! as plain text, so a public page never links to a 404. No network access happens here.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

/// Everything that exists on the site: pages, content files (for Hugo's `ref`), media
/// files and redirects from old paths.
#[derive(Debug, Clone, Default)]
pub struct SiteIndex {
    /// Normalized, percent-decoded page paths with trailing slash, e.g. `/berlin/`.
    pages: HashSet<String>,
    /// Normalized, percent-decoded media paths, e.g. `/projects/berlin/x.png`.
    media: HashSet<String>,
    /// Content file relative to `content/` (no leading slash) → URL path.
    files: HashMap<String, String>,
    /// Lower-cased content file → content files, for case-insensitive `ref`s.
    files_lower: HashMap<String, Vec<String>>,
    /// Lower-cased page or media path → the known spellings.
    lower: HashMap<String, Vec<String>>,
    /// Normalized old path → target (site path or absolute URL).
    redirects: HashMap<String, String>,
    /// Lower-cased old path → the known spellings (Netlify matches case-insensitively).
    redirects_lower: HashMap<String, Vec<String>>,
    /// Netlify splat redirects: `/old/*` → `/new/:splat`, stored as (`/old/`, `/new/:splat`).
    splats: Vec<(String, String)>,
}

/// What to do with a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkVerdict {
    /// The target exists; leave the link as written.
    Keep,
    /// The target exists under another URL; link there instead.
    Repaired { url: String, why: String },
    /// The same target written the site's own way (an absolute `https://codefor.de/…`
    /// link made relative): nothing was wrong, so nobody needs to hear about it.
    Rewritten { url: String },
    /// Nothing to link to; `why` says what is wrong.
    Unresolved { why: String },
    /// Another site (or mail/phone); not checked.
    External,
}

/// The site's own host names: absolute links to them are internal links.
const OWN_HOSTS: [&str; 2] = ["codefor.de", "www.codefor.de"];

/// Schemes a link may keep; the sanitizer drops every other scheme.
const ALLOWED_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

/// Top-level domains that make a scheme-less `name.tld/…` a bare domain rather than a
/// relative file name. File extensions that are also TLDs (`.md`, `.sh`, `.rs`, `.py`, …)
/// are deliberately absent: `readme.md` is a file, not a Moldovan web site.
const BARE_DOMAIN_TLDS: &[&str] = &[
    "de", "org", "com", "net", "io", "eu", "info", "at", "ch", "uk", "fr", "nl", "be", "dk", "se",
    "no", "fi", "it", "es", "pl", "cz", "gov", "edu", "int", "berlin", "hamburg", "koeln",
    "cologne", "nrw", "bayern", "ruhr", "saarland", "dev", "app", "tech", "online", "digital",
    "space", "eco", "social", "codes", "xyz", "co", "us", "ly", "me", "tv", "fm", "wiki",
];

#[allow(clippy::expect_used)] // fixed patterns, covered by the unit tests
fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid regex")
}

/// A scheme followed by `:`.
static SCHEME: LazyLock<Regex> = LazyLock::new(|| re(r"^([a-zA-Z][a-zA-Z0-9+.-]*):"));

/// Something that reads as a mistyped `http(s)://host…`: `https:/x.org`, `http//x.org`,
/// `htps://x.org`, `https:x.org`. Requires a dotted host so that relative paths like
/// `http/readme` are not taken for URLs.
static SCHEME_TYPO: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^(?P<scheme>h{1,2}t{1,3}p{1,2}s?|t{1,2}ps?|htp?s?)(?P<sep>[:;]{0,2}/{0,4})(?P<host>(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+\p{L}{2,})(?P<rest>[:/?#].*)?$",
    )
});

/// A scheme-less link starting with a host name: `openlayers.org/`, `www.foo.de/bar`.
static BARE_DOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^(?P<host>(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+(?P<tld>\p{L}{2,}))(?P<rest>[:/?#].*)?$",
    )
});

/// A bare e-mail address used as link target.
static BARE_MAIL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^[^@\s/:?#]+@(?:[\p{L}\p{N}-]+\.)+\p{L}{2,}$"));

impl SiteIndex {
    pub fn new() -> SiteIndex {
        SiteIndex::default()
    }

    /// Registers a page path that exists, e.g. `/berlin/`, `/blog/some-post/`, `/`.
    pub fn add_page(&mut self, path: &str) {
        let norm = normalize_path(path, "/");
        push_unique(self.lower.entry(norm.to_lowercase()).or_default(), &norm);
        self.pages.insert(norm);
    }

    /// Registers a content file (relative to `content/`) and the URL path of its page; the
    /// page itself is registered too.
    pub fn add_file(&mut self, content_file: &str, path: &str) {
        let key = content_file
            .trim()
            .trim_start_matches("./")
            .trim_start_matches('/')
            .to_string();
        self.add_page(path);
        push_unique(
            self.files_lower.entry(key.to_lowercase()).or_default(),
            &key,
        );
        self.files.insert(key, normalize_path(path, "/"));
    }

    /// Registers a media file served at `/` + `media_path` (letter case preserved).
    pub fn add_media(&mut self, media_path: &str) {
        let norm = normalize_path(&format!("/{}", media_path.trim_start_matches('/')), "/");
        push_unique(self.lower.entry(norm.to_lowercase()).or_default(), &norm);
        self.media.insert(norm);
    }

    /// Registers a permanent redirect from an old path to a site path or absolute URL.
    /// A Netlify splat (`/old/*` → `/new/:splat`) is understood too.
    pub fn add_redirect(&mut self, from: &str, to: &str) {
        let to = to.trim().to_string();
        if let Some(prefix) = from.trim().strip_suffix('*') {
            let prefix = if prefix.starts_with('/') {
                prefix.to_string()
            } else {
                format!("/{prefix}")
            };
            self.splats.push((prefix, to));
            return;
        }
        let norm = normalize_path(from, "/");
        push_unique(
            self.redirects_lower.entry(norm.to_lowercase()).or_default(),
            &norm,
        );
        self.redirects.insert(norm, to);
    }

    /// Checks a link as written on the home page (relative links resolve against `/`).
    pub fn check(&self, url: &str) -> LinkVerdict {
        self.check_from(url, "/")
    }

    /// Checks a link found on the page at `page_path` (relative links resolve against it).
    pub fn check_from(&self, url: &str, page_path: &str) -> LinkVerdict {
        let url = url.trim();
        if url.is_empty() {
            return LinkVerdict::Unresolved {
                why: "has no target".into(),
            };
        }
        if url.starts_with('#') || url.starts_with('?') {
            return LinkVerdict::Keep;
        }
        if let Some(rest) = strip_own_origin(url) {
            let path = if rest.is_empty() || !rest.starts_with('/') {
                format!("/{rest}")
            } else {
                rest.to_string()
            };
            return match self.check_internal(&path, page_path) {
                LinkVerdict::Keep => LinkVerdict::Rewritten { url: path },
                LinkVerdict::Repaired { url, why } => LinkVerdict::Repaired {
                    url,
                    why: format!("is an absolute link to codefor.de and {why}"),
                },
                other => other,
            };
        }
        if url.starts_with("//") {
            return LinkVerdict::External;
        }
        if let Some(inner) = unwrap_brackets(url) {
            // `[text]((https://x.org))` and `<https://x.org>` written as link target.
            return match self.check_from(inner, page_path) {
                LinkVerdict::Keep | LinkVerdict::External => LinkVerdict::Repaired {
                    url: inner.to_string(),
                    why: "is wrapped in brackets".into(),
                },
                LinkVerdict::Rewritten { url } => LinkVerdict::Repaired {
                    url,
                    why: "is wrapped in brackets".into(),
                },
                LinkVerdict::Repaired { url, why } => LinkVerdict::Repaired {
                    url,
                    why: format!("is wrapped in brackets and {why}"),
                },
                unresolved => unresolved,
            };
        }
        if let Some(fixed) = fix_scheme_typo(url) {
            // The repaired URL may still be one of ours (`http:/codefor.de/x`).
            return match self.check_from(&fixed, page_path) {
                LinkVerdict::Repaired { url, why } => LinkVerdict::Repaired {
                    url,
                    why: format!("has a malformed scheme and {why}"),
                },
                LinkVerdict::Unresolved { why } => LinkVerdict::Unresolved { why },
                LinkVerdict::Rewritten { url } => LinkVerdict::Repaired {
                    url,
                    why: "has a malformed scheme".into(),
                },
                LinkVerdict::Keep | LinkVerdict::External => LinkVerdict::Repaired {
                    url: fixed,
                    why: "has a malformed scheme".into(),
                },
            };
        }
        if let Some(caps) = SCHEME.captures(url) {
            let scheme = caps[1].to_ascii_lowercase();
            // `c:\…` or `foo:bar` without a real scheme would also match; only well-known
            // schemes are external, everything else is refused.
            return if ALLOWED_SCHEMES.contains(&scheme.as_str()) {
                LinkVerdict::External
            } else {
                LinkVerdict::Unresolved {
                    why: format!("uses the scheme `{scheme}:`, which is not allowed"),
                }
            };
        }
        let verdict = self.check_internal(url, page_path);
        if !matches!(verdict, LinkVerdict::Unresolved { .. }) || url.starts_with(['/', '.']) {
            return verdict;
        }
        if BARE_MAIL.is_match(url) {
            return LinkVerdict::Repaired {
                url: format!("mailto:{url}"),
                why: "is an e-mail address without `mailto:`".into(),
            };
        }
        if let Some(caps) = BARE_DOMAIN.captures(url) {
            let host = caps
                .name("host")
                .map_or("", |m| m.as_str())
                .to_ascii_lowercase();
            let tld = caps
                .name("tld")
                .map_or("", |m| m.as_str())
                .to_ascii_lowercase();
            if host.starts_with("www.") || BARE_DOMAIN_TLDS.contains(&tld.as_str()) {
                if OWN_HOSTS.contains(&host.as_str()) {
                    let rest = caps.name("rest").map_or("/", |m| m.as_str());
                    return match self.check_from(&format!("https://{host}{rest}"), page_path) {
                        LinkVerdict::Rewritten { url } => LinkVerdict::Repaired {
                            url,
                            why: "has no scheme".into(),
                        },
                        other => other,
                    };
                }
                return LinkVerdict::Repaired {
                    url: format!("https://{url}"),
                    why: "has no scheme".into(),
                };
            }
        }
        verdict
    }

    /// The URL path of the page behind a Hugo `ref`/`relref` argument such as
    /// `/blog/2014-04-09-blogpost.md`, `labs/berlin.md` or `/muenchen`, with its fragment.
    pub fn resolve_ref(&self, content_file_ref: &str) -> Option<String> {
        let (target, fragment) = match content_file_ref.trim().split_once('#') {
            Some((t, f)) => (t, format!("#{f}")),
            None => (content_file_ref.trim(), String::new()),
        };
        let key = target
            .trim_start_matches("./")
            .trim_start_matches('/')
            .trim_end_matches('/');
        let candidates: Vec<String> = if key.is_empty() {
            vec!["_index.md".into(), "index.md".into()]
        } else {
            vec![
                key.into(),
                format!("{key}.md"),
                format!("{key}/_index.md"),
                format!("{key}/index.md"),
            ]
        };
        let found = candidates
            .iter()
            .find_map(|c| self.files.get(c).cloned())
            .or_else(|| {
                candidates
                    .iter()
                    .find_map(|c| match self.files_lower.get(&c.to_lowercase()) {
                        Some(hits) if hits.len() == 1 => self.files.get(&hits[0]).cloned(),
                        _ => None,
                    })
            })
            .or_else(|| {
                // Hugo also accepts a page's URL path (`/muenchen` for labs/muenchen.md).
                let path = normalize_path(&format!("/{key}"), "/");
                self.pages.contains(&path).then_some(path)
            })
            .or_else(|| {
                // …and an unambiguous file name without its directory.
                let name = key.rsplit('/').next().unwrap_or(key).to_lowercase();
                let name_md = if name.ends_with(".md") {
                    name
                } else {
                    format!("{name}.md")
                };
                let mut hits = self.files.iter().filter(|(file, _)| {
                    let base = file.rsplit('/').next().unwrap_or(file).to_lowercase();
                    base == name_md
                });
                match (hits.next(), hits.next()) {
                    (Some((_, path)), None) => Some(path.clone()),
                    _ => None,
                }
            })?;
        Some(format!("{}{fragment}", encode_path(&found)))
    }

    /// Checks a site path (absolute, or relative to `page_path`), with query and fragment.
    fn check_internal(&self, url: &str, page_path: &str) -> LinkVerdict {
        let split = url.find(['?', '#']).unwrap_or(url.len());
        let (path, suffix) = url.split_at(split);
        if path.is_empty() {
            return LinkVerdict::Keep;
        }
        let norm = normalize_path(path, page_path);
        if self.is_known(&norm) {
            return LinkVerdict::Keep;
        }
        let repaired = |target: &str, why: String| LinkVerdict::Repaired {
            url: format!("{}{suffix}", encode_path(target)),
            why,
        };
        if norm.to_ascii_lowercase().ends_with(".md")
            && let Some(target) = self.resolve_ref(&norm)
        {
            return LinkVerdict::Repaired {
                url: format!("{target}{suffix}"),
                why: "points to a content file instead of its page".into(),
            };
        }
        if let Some(hop) = self.follow_redirects(&norm) {
            return match hop {
                Hop::External(to) => LinkVerdict::Repaired {
                    url: format!("{to}{suffix}"),
                    why: format!("is an old path that redirects to {to}"),
                },
                Hop::Internal(to) => {
                    repaired(&to, format!("is an old path that redirects to {to}"))
                }
                Hop::Dead(to) => LinkVerdict::Unresolved {
                    why: format!("is an old path that redirects to the missing {to}"),
                },
            };
        }
        match self.lower.get(&norm.to_lowercase()).map(Vec::as_slice) {
            Some([one]) => return repaired(one, format!("differs in letter case from {one}")),
            Some([_, _, ..]) => {
                return LinkVerdict::Unresolved {
                    why: format!("matches several paths when letter case is ignored ({norm})"),
                };
            }
            _ => {}
        }
        // Jekyll-era links: `/berlin.html` for the page `/berlin/`.
        if let Some(stem) = norm
            .strip_suffix(".html")
            .or_else(|| norm.strip_suffix(".htm"))
        {
            let page = format!("{stem}/");
            if self.pages.contains(&page) {
                return repaired(&page, format!("is an old .html path of {page}"));
            }
        }
        // A relative link written against the content folder instead of the page URL:
        // `image.png` in blog/x.md means /blog/image.png, not /blog/x/image.png.
        if !path.starts_with('/') && page_path.ends_with('/') && page_path.len() > 1 {
            let parent = parent_dir(page_path);
            let alt = normalize_path(path, &parent);
            if alt != norm && self.is_known(&alt) {
                return repaired(
                    &alt,
                    format!("is relative to the folder {parent}, not to the page"),
                );
            }
        }
        LinkVerdict::Unresolved {
            why: format!("leads to no page or file ({norm})"),
        }
    }

    fn is_known(&self, norm: &str) -> bool {
        self.pages.contains(norm) || self.media.contains(norm)
    }

    fn redirect_target(&self, norm: &str) -> Option<String> {
        if let Some(to) = self.redirects.get(norm) {
            return Some(to.clone());
        }
        if let Some([one]) = self
            .redirects_lower
            .get(&norm.to_lowercase())
            .map(Vec::as_slice)
        {
            return self.redirects.get(one).cloned();
        }
        self.splats.iter().find_map(|(prefix, to)| {
            norm.strip_prefix(prefix.as_str())
                .map(|rest| to.replace(":splat", rest))
        })
    }

    /// Follows redirects for up to five hops.
    fn follow_redirects(&self, norm: &str) -> Option<Hop> {
        let mut current = norm.to_string();
        let mut last = None;
        for _ in 0..5 {
            let Some(to) = self.redirect_target(&current) else {
                break;
            };
            if SCHEME.is_match(&to) || to.starts_with("//") {
                return match strip_own_origin(&to) {
                    Some(rest) => {
                        let path =
                            normalize_path(&format!("/{}", rest.trim_start_matches('/')), "/");
                        Some(self.landing(path))
                    }
                    None => Some(Hop::External(to)),
                };
            }
            let path = normalize_path(to.split(['?', '#']).next().unwrap_or(&to), "/");
            if self.is_known(&path) {
                return Some(Hop::Internal(path));
            }
            last = Some(path.clone());
            current = path;
        }
        last.map(|path| self.landing(path))
    }

    /// Where a redirect chain ends: a known path (possibly in another letter case) or nowhere.
    fn landing(&self, path: String) -> Hop {
        if self.is_known(&path) {
            return Hop::Internal(path);
        }
        match self.lower.get(&path.to_lowercase()).map(Vec::as_slice) {
            Some([one]) => Hop::Internal(one.clone()),
            _ => Hop::Dead(path),
        }
    }
}

enum Hop {
    Internal(String),
    External(String),
    Dead(String),
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_string());
    }
}

/// `https://codefor.de/x` → `Some("/x")`; `None` for other URLs.
fn strip_own_origin(url: &str) -> Option<&str> {
    let lower = url.to_ascii_lowercase();
    let after_scheme = ["https://", "http://", "//"]
        .iter()
        .find_map(|p| lower.starts_with(p).then_some(p.len()))?;
    let host_end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after_scheme + i);
    let host = lower[after_scheme..host_end].trim_end_matches('.');
    let host = host
        .strip_suffix(":443")
        .or_else(|| host.strip_suffix(":80"))
        .unwrap_or(host);
    OWN_HOSTS.contains(&host).then(|| &url[host_end..])
}

/// The link inside `(…)`, `<…>` or quotes, when the whole target is wrapped like that.
fn unwrap_brackets(url: &str) -> Option<&str> {
    let pairs = [('(', ')'), ('<', '>'), ('"', '"'), ('\'', '\''), ('[', ']')];
    let first = url.chars().next()?;
    let (_, close) = pairs.iter().find(|(open, _)| *open == first)?;
    let inner = url.strip_prefix(first)?.strip_suffix(*close)?.trim();
    (!inner.is_empty()).then_some(inner)
}

/// Repairs `https:/x.org`, `http//x.org`, `htps://x.org`; `None` when the URL is fine or
/// not recognizably a web address.
fn fix_scheme_typo(url: &str) -> Option<String> {
    let caps = SCHEME_TYPO.captures(url)?;
    let scheme = caps.name("scheme")?.as_str().to_ascii_lowercase();
    let sep = caps.name("sep")?.as_str();
    if (scheme == "http" || scheme == "https") && sep == "://" {
        return None;
    }
    // A scheme without any separator (`httpfoo.org`) is more likely a host name.
    if sep.is_empty() {
        return None;
    }
    let fixed = if scheme.ends_with('s') {
        "https"
    } else {
        "http"
    };
    let host = caps.name("host")?.as_str();
    let rest = caps.name("rest").map_or("", |m| m.as_str());
    Some(format!("{fixed}://{host}{rest}"))
}

/// The directory of a page path: `/blog/x/` → `/blog/`.
fn parent_dir(page_path: &str) -> String {
    let trimmed = page_path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(i) => trimmed[..=i].to_string(),
        None => "/".into(),
    }
}

/// Resolves `path` against the page `base`, percent-decodes it, strips Hugo's `static/`
/// prefix and `index.html`, and adds a trailing slash when the last segment has no dot.
pub(crate) fn normalize_path(path: &str, base: &str) -> String {
    let decoded = percent_decode(path.trim());
    let joined = if decoded.starts_with('/') {
        decoded
    } else {
        // The base is a page URL; a relative link resolves against its directory,
        // which for `/blog/x/` is `/blog/x/` itself.
        let dir = match base.rfind('/') {
            Some(i) => &base[..=i],
            None => "/",
        };
        format!("{dir}{decoded}")
    };
    let ends_with_slash = joined.ends_with('/');
    let mut segments: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    if segments.first() == Some(&"static") {
        segments.remove(0);
    }
    let mut dir = ends_with_slash;
    if matches!(segments.last(), Some(&"index.html") | Some(&"index.htm")) {
        segments.pop();
        dir = true;
    }
    let mut out = String::with_capacity(joined.len() + 1);
    for seg in &segments {
        out.push('/');
        out.push_str(seg);
    }
    match segments.last() {
        None => out.push('/'),
        Some(last) if dir || !last.contains('.') => out.push('/'),
        Some(_) => {}
    }
    out
}

/// Decodes `%XX` escapes (invalid ones stay as they are).
fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// Escapes what may not stand in a URL path as written in HTML.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            ' ' | '"' | '<' | '>' | '`' | '#' | '?' | '%' | '{' | '}' | '|' | '\\' | '^' => {
                out.push_str(&format!("%{:02X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
