//! Markdown → sanitized HTML.
//!
//! Pipeline of [`render`]: shortcodes are expanded first, comrak parses the result with
//! the extensions today's site uses (goldmark with tables, footnotes, strikethrough, task
//! lists, linkify, typographer, definition lists, heading ids and `{#id}` attributes),
//! every Markdown link and image is checked against the [`SiteIndex`] on the AST (with the
//! line it stands on), raw HTML passes through comrak and is then sanitized by ammonia
//! with an explicit allow-list. A last pass over the sanitized HTML checks links written
//! as raw HTML and marks links to other sites as external.
//!
//! What anyone writes on the platform (needs, comments) goes through
//! [`render_contribution`] instead: sanitized the same way, but without heading ids,
//! with its ids prefixed and its headings below the page's (see `contribution.rs`).

use std::collections::VecDeque;
use std::fmt;
use std::sync::{LazyLock, Mutex, MutexGuard};

use comrak::adapters::{HeadingAdapter, HeadingMeta};
use comrak::nodes::{AstNode, NodeValue, Sourcepos};
use comrak::options::Plugins;
use comrak::{Anchorizer, Arena, Node, Options, parse_document};
use regex::Regex;

use crate::links::{LinkVerdict, SiteIndex};
use crate::report::Warning;
use crate::shortcodes::{self, escape_html};

mod contribution;
mod sanitize;
pub(crate) mod scan;

pub use contribution::{Shape, contribution_prefix, contribution_shape, render_contribution};

/// Where the Markdown comes from and where it will be shown.
#[derive(Debug, Clone, Copy)]
pub struct RenderContext<'a> {
    /// For warnings, e.g. `content/blog/2014-04-09-blogpost.md`.
    pub file: &'a str,
    /// Line number of the body's first line in that file (front matter precedes it).
    pub first_body_line: usize,
    /// URL path of the page being rendered, e.g. `/blog/x/`.
    pub page_path: &'a str,
    pub site: &'a SiteIndex,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    pub warnings: Vec<Warning>,
}

/// Shortcodes first, then Markdown, link check on the AST, then sanitize.
pub fn render(markdown: &str, ctx: &RenderContext) -> Rendered {
    let (expanded, line_map) = shortcodes::expand_mapped(markdown, ctx);
    let mut warnings = expanded.warnings;
    let options = options();
    let arena = Arena::new();
    let root = parse_document(&arena, &expanded.text, &options);
    check_links(root, &arena, ctx, &line_map, &mut warnings);
    let html = to_html(root, &options);
    let html = replace_iframes(&html, &mut |src, what, action| {
        let line = source_line(markdown, src).map(|l| ctx.first_body_line + l - 1);
        warnings.push(Warning::new(ctx.file, line, what, action));
    });
    let clean = sanitize::clean(&html);
    let mut pass = sanitize::LinkPass::Checked {
        ctx,
        source: markdown,
        warnings: &mut warnings,
    };
    let html = drop_empty_links(&sanitize::finish(&clean, &mut pass));
    Rendered { html, warnings }
}

/// Plain Markdown → sanitized HTML without link checks (for demo/user content).
/// Shortcodes are not expanded; links to other sites are marked external and, since the
/// text may come from anyone, `nofollow ugc`.
pub fn render_plain(markdown: &str) -> String {
    let options = options();
    let arena = Arena::new();
    let root = parse_document(&arena, markdown, &options);
    let html = to_html(root, &options);
    let html = replace_iframes(&html, &mut |_, _, _| {});
    drop_empty_links(&sanitize::finish(
        &sanitize::clean(&html),
        &mut sanitize::LinkPass::Plain,
    ))
}

/// Removes links left without content. Raw `<a href="U">U</a>` in Markdown gets its text
/// autolinked, and since HTML cannot nest links the outer one ends up empty: a link
/// with no name for screen readers and nothing to click for anyone.
fn drop_empty_links(html: &str) -> String {
    static EMPTY: LazyLock<Regex> = LazyLock::new(|| re(r"<a(?:\s[^>]*)?>\s*</a>"));
    EMPTY.replace_all(html, "").into_owned()
}

/// One `<h1>` per page: turns the body's `<h1>` headings into `<h2>`, all of them when
/// the page shows its own title as `<h1>`, else all but the first.
pub fn demote_headings(html: &str, keep_first_h1: bool) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut kept = !keep_first_h1;
    // Sanitized HTML: a literal `<` in text is escaped, so `<h1` can only start a tag.
    while let Some(at) = rest.find("<h1") {
        out.push_str(&rest[..at]);
        let Some(close) = rest[at..].find("</h1>").map(|c| at + c) else {
            out.push_str(&rest[at..]);
            return out;
        };
        let inner = &rest[at + 3..close];
        if kept {
            out.push_str("<h2");
            out.push_str(inner);
            out.push_str("</h2>");
        } else {
            out.push_str(&rest[at..close + 5]);
            kept = true;
        }
        rest = &rest[close + 5..];
    }
    out.push_str(rest);
    out
}

/// Many posts begin with `# <their title>`, which the page already shows: returns the
/// body without that heading and how many lines were skipped (to keep line numbers).
pub fn strip_title_heading<'a>(markdown: &'a str, title: &str) -> (&'a str, usize) {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let mut skipped = 0;
    let mut rest = markdown;
    while let Some((line, tail)) = rest.split_once('\n') {
        if line.trim().is_empty() {
            skipped += 1;
            rest = tail;
            continue;
        }
        let heading = line
            .trim_start()
            .strip_prefix("# ")
            .map(|h| h.trim().trim_end_matches('#'));
        return match heading {
            Some(h) if !norm(title).is_empty() && norm(h) == norm(title) => (tail, skipped + 1),
            _ => (markdown, 0),
        };
    }
    (markdown, 0)
}

/// First paragraph as plain text, at most `max_chars` (cut at a word, with "…").
pub fn summary(markdown: &str, max_chars: usize) -> String {
    static SHORTCODE: LazyLock<Regex> = LazyLock::new(|| re(r"(?s)\{\{<.*?>\}\}|\{\{%.*?%\}\}"));
    let stripped = SHORTCODE.replace_all(markdown, "");
    let options = options();
    let arena = Arena::new();
    let root = parse_document(&arena, &stripped, &options);
    let text = root
        .descendants()
        .filter(|n| matches!(n.data().value, NodeValue::Paragraph))
        .map(|n| {
            n.collect_text()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .find(|t| !t.is_empty())
        .unwrap_or_default();
    truncate_words(&text, max_chars)
}

/// The placeholder shown instead of an image whose file does not exist.
pub(crate) fn missing_image(label: &str) -> String {
    let text = escape_html(&format!("Bild nicht vorhanden: {}", label.trim()));
    format!("<span class=\"missing-image\" role=\"img\" aria-label=\"{text}\">{text}</span>")
}

/// Inline Markdown (a caption, a button label) → HTML without the paragraph around it.
/// Sanitizing and link checks happen later with the page.
pub(crate) fn render_inline(markdown: &str) -> String {
    let html = comrak::markdown_to_html(markdown.trim(), &options());
    let trimmed = html.trim();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => trimmed.to_string(),
    }
}

/// Inline Markdown → its plain text (for `alt` attributes).
pub(crate) fn plain_inline(markdown: &str) -> String {
    let arena = Arena::new();
    let root = parse_document(&arena, markdown, &options());
    root.collect_text()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[allow(clippy::expect_used)] // fixed patterns, covered by the unit tests
fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid regex")
}

fn options() -> Options<'static> {
    let mut o = Options::default();
    o.extension.strikethrough = true;
    o.extension.table = true;
    o.extension.autolink = true;
    o.extension.tasklist = true;
    o.extension.footnotes = true;
    o.extension.description_lists = true;
    o.parse.smart = true;
    // The site's Markdown contains raw HTML (goldmark `unsafe: true`); ammonia cleans it.
    o.render.r#unsafe = true;
    o.render.tasklist_classes = true;
    o
}

fn to_html<'a>(root: Node<'a>, options: &Options) -> String {
    let headings = HeadingIds::new(heading_ids(root));
    let mut plugins = Plugins::default();
    plugins.render.heading_adapter = Some(&headings);
    let mut html = String::new();
    // Writing into a String cannot fail; an error would only come from a plugin.
    if comrak::format_html_with_plugins(root, options, &mut html, &plugins).is_err() {
        html.clear();
    }
    html
}

/// Checks every Markdown link and image; repairs, unwraps or replaces them.
fn check_links<'a>(
    root: Node<'a>,
    arena: &'a Arena<'a>,
    ctx: &RenderContext,
    line_map: &[usize],
    warnings: &mut Vec<Warning>,
) {
    let nodes: Vec<Node<'a>> = root.descendants().collect();
    for node in nodes {
        let (is_image, url) = match &node.data().value {
            NodeValue::Link(link) => (false, link.url.clone()),
            NodeValue::Image(link) => (true, link.url.clone()),
            _ => continue,
        };
        let kind = if is_image { "image" } else { "link" };
        let line = Some(file_line(ctx, line_map, node_line(node)));
        match ctx.site.check_from(&url, ctx.page_path) {
            LinkVerdict::Keep | LinkVerdict::External => {}
            LinkVerdict::Rewritten { url: new } => {
                if let NodeValue::Link(link) | NodeValue::Image(link) = &mut node.data_mut().value {
                    link.url = new;
                }
            }
            LinkVerdict::Repaired { url: new, why } => {
                warnings.push(Warning::new(
                    ctx.file,
                    line,
                    format!("{kind} `{url}` {why}"),
                    format!("linked to {new}"),
                ));
                if let NodeValue::Link(link) | NodeValue::Image(link) = &mut node.data_mut().value {
                    link.url = new;
                }
            }
            LinkVerdict::Unresolved { why } if is_image => {
                let alt = node.collect_text();
                let label = if alt.trim().is_empty() {
                    url.rsplit('/').next().unwrap_or(&url)
                } else {
                    &alt
                };
                let placeholder: &AstNode =
                    arena.alloc(NodeValue::HtmlInline(missing_image(label)).into());
                node.insert_before(placeholder);
                node.detach();
                warnings.push(Warning::new(
                    ctx.file,
                    line,
                    format!("{kind} `{url}` {why}"),
                    "shown as placeholder",
                ));
            }
            LinkVerdict::Unresolved { why } => {
                while let Some(child) = node.first_child() {
                    child.detach();
                    node.insert_before(child);
                }
                node.detach();
                warnings.push(Warning::new(
                    ctx.file,
                    line,
                    format!("{kind} `{url}` {why}"),
                    "rendered as plain text",
                ));
            }
        }
    }
}

/// The 1-based line of a node in the expanded text (its block's line when unknown).
fn node_line(node: Node<'_>) -> usize {
    let mut current = Some(node);
    while let Some(n) = current {
        let line = n.data().sourcepos.start.line;
        if line > 0 {
            return line;
        }
        current = n.parent();
    }
    1
}

fn file_line(ctx: &RenderContext, line_map: &[usize], expanded_line: usize) -> usize {
    let body_line = line_map
        .get(expanded_line.saturating_sub(1))
        .copied()
        .unwrap_or(expanded_line);
    ctx.first_body_line + body_line.saturating_sub(1)
}

/// The 1-based body line where `needle` first occurs (best effort for raw HTML).
fn source_line(source: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    let at = source.find(needle)?;
    Some(source[..at].matches('\n').count() + 1)
}

/// Heading ids in document order: `{#id}` when given (Hugo's heading attribute), else
/// the GitHub-style slug goldmark also produces, so old `#anchors` keep working.
fn heading_ids<'a>(root: Node<'a>) -> VecDeque<(String, String)> {
    static EXPLICIT_ID: LazyLock<Regex> = LazyLock::new(|| re(r"\s*\{#([\p{L}\p{N}_:.-]+)\}\s*$"));
    let mut anchorizer = Anchorizer::new();
    let mut ids = VecDeque::new();
    for node in root.descendants() {
        if !matches!(node.data().value, NodeValue::Heading(_)) {
            continue;
        }
        let mut explicit = None;
        if let Some(last) = node.last_child()
            && let NodeValue::Text(text) = &mut last.data_mut().value
            && let Some(caps) = EXPLICIT_ID.captures(text)
        {
            explicit = Some(caps[1].to_string());
            let cut = caps.get(0).map_or(text.len(), |m| m.start());
            *text = text[..cut].to_string().into();
        }
        let content = node.collect_text();
        let id = match explicit {
            Some(id) => id,
            None => {
                let slug = anchorizer.anchorize(content.trim());
                if slug.is_empty() || slug.chars().all(|c| c == '-') {
                    anchorizer.anchorize("abschnitt")
                } else {
                    slug
                }
            }
        };
        ids.push_back((content, id));
    }
    ids
}

/// Writes `<hN id="…">` and a small anchor link; ids were computed on the AST beforehand.
struct HeadingIds {
    queue: Mutex<VecDeque<(String, String)>>,
    open: Mutex<Vec<String>>,
    fallback: Mutex<Anchorizer>,
}

impl HeadingIds {
    fn new(ids: VecDeque<(String, String)>) -> HeadingIds {
        HeadingIds {
            queue: Mutex::new(ids),
            open: Mutex::new(Vec::new()),
            fallback: Mutex::new(Anchorizer::new()),
        }
    }
}

/// Rendering is single-threaded; a poisoned lock only means an earlier panic elsewhere.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl HeadingAdapter for HeadingIds {
    fn enter(
        &self,
        output: &mut dyn fmt::Write,
        heading: &HeadingMeta,
        _: Option<Sourcepos>,
    ) -> fmt::Result {
        let queued = {
            let mut queue = lock(&self.queue);
            queue
                .iter()
                .position(|(text, _)| *text == heading.content)
                .and_then(|i| queue.remove(i))
        };
        let id = match queued {
            Some((_, id)) => id,
            None => lock(&self.fallback).anchorize(&heading.content),
        };
        write!(output, "<h{} id=\"{}\">", heading.level, escape_html(&id))?;
        lock(&self.open).push(id);
        Ok(())
    }

    fn exit(&self, output: &mut dyn fmt::Write, heading: &HeadingMeta) -> fmt::Result {
        let id = lock(&self.open).pop().unwrap_or_default();
        writeln!(
            output,
            " <a class=\"anchor\" href=\"#{}\" aria-label=\"Link zu diesem Abschnitt\">#</a></h{}>",
            escape_html(&id),
            heading.level
        )
    }
}

/// Embedded frames are not allowed (no third-party requests, no foreign scripts); each
/// becomes a link to what it embedded, so nothing silently disappears.
fn replace_iframes(html: &str, report: &mut dyn FnMut(&str, String, String)) -> String {
    static IFRAME: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?is)<iframe\b([^>]*)>(?:.*?</iframe\s*>)?"));
    static ATTR: LazyLock<Regex> =
        LazyLock::new(|| re(r#"(?is)\b(src|title)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#));
    if !IFRAME.is_match(html) {
        return html.to_string();
    }
    IFRAME
        .replace_all(html, |caps: &regex::Captures| {
            let attrs = caps.get(1).map_or("", |m| m.as_str());
            let (mut src, mut title) = (String::new(), String::new());
            for a in ATTR.captures_iter(attrs) {
                let value = a
                    .get(2)
                    .or(a.get(3))
                    .or(a.get(4))
                    .map_or("", |m| m.as_str())
                    .trim()
                    .to_string();
                if a[1].eq_ignore_ascii_case("src") {
                    src = value;
                } else {
                    title = value;
                }
            }
            let mut src_plain = scan::unescape(&src);
            if src_plain.starts_with("//") {
                src_plain = format!("https:{src_plain}");
            }
            if !(src_plain.starts_with("https://") || src_plain.starts_with("http://")) {
                report(
                    &src,
                    format!("embedded frame `{src_plain}` is not allowed"),
                    "removed".into(),
                );
                return String::new();
            }
            report(
                &src,
                format!("embedded frame `{src_plain}` would load another site"),
                "shown as a link to it instead".to_owned(),
            );
            let host = src_plain.split('/').nth(2).unwrap_or_default();
            let text = if title.is_empty() {
                format!("Eingebetteten Inhalt auf {host} öffnen")
            } else {
                scan::unescape(&title)
            };
            format!(
                "<a href=\"{}\">{}</a>",
                escape_html(&src_plain),
                escape_html(&text)
            )
        })
        .into_owned()
}

fn truncate_words(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    if max_chars == 0 {
        return String::new();
    }
    // Leave room for the ellipsis.
    let budget = max_chars - 1;
    let cut: String = text.chars().take(budget).collect();
    let next_is_space = text.chars().nth(budget).is_some_and(char::is_whitespace);
    let kept = if next_is_space {
        cut.as_str()
    } else {
        match cut.rfind(char::is_whitespace) {
            Some(i) if i > 0 => &cut[..i],
            _ => cut.as_str(),
        }
    };
    let kept = kept.trim_end().trim_end_matches([',', ';', ':', '-', '–']);
    format!("{kept}…")
}

#[cfg(test)]
mod tests;
