//! The sanitizer's allow-list and the link pass over sanitized HTML.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};
use regex::Regex;

use super::{RenderContext, missing_image, scan, source_line};
use crate::links::LinkVerdict;
use crate::report::Warning;
use crate::shortcodes::escape_html;

const TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "input",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Removed together with everything inside them (the rest keeps its text).
const CLEAN_CONTENT: &[&str] = &[
    "script", "style", "template", "noscript", "iframe", "svg", "math", "title", "textarea",
    "select",
];

const TAG_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href", "id", "aria-label"]),
    ("img", &["src", "alt", "width", "height", "loading"]),
    ("abbr", &[]),
    ("blockquote", &["cite"]),
    ("q", &["cite"]),
    ("del", &["cite", "datetime"]),
    ("ins", &["cite", "datetime"]),
    ("time", &["datetime"]),
    ("td", &["align", "colspan", "rowspan"]),
    ("th", &["align", "colspan", "rowspan", "scope"]),
    ("ol", &["start", "reversed"]),
    ("li", &["id", "value"]),
    ("h1", &["id"]),
    ("h2", &["id"]),
    ("h3", &["id"]),
    ("h4", &["id"]),
    ("h5", &["id"]),
    ("h6", &["id"]),
    ("div", &["id", "data-component", "data-args", "aria-hidden"]),
    ("span", &["id", "role", "aria-label", "aria-hidden"]),
    ("p", &["id"]),
    ("section", &["id"]),
    ("dt", &["id"]),
    ("input", &["checked", "disabled"]),
    ("details", &["open"]),
];

/// Classes we generate ourselves (shortcodes, footnotes, task lists) plus a few harmless
/// ones from the content. Everything else is dropped: styling belongs to the theme.
const CLASSES: &[(&str, &[&str])] = &[
    ("a", &["external", "anchor", "button", "footnote-backref"]),
    (
        "div",
        &[
            "component",
            "paragraph-center",
            "hero-block-center",
            "landing-callout",
            "headline-icon",
        ],
    ),
    ("span", &["missing-image", "attribution"]),
    ("p", &["button-center"]),
    ("figure", &["figure", "quote"]),
    ("section", &["footnotes"]),
    ("sup", &["footnote-ref"]),
    ("ul", &["contains-task-list", "image-slideshow"]),
    ("li", &["task-list-item", "slideshow-image"]),
    ("input", &["task-list-item-checkbox"]),
    ("blockquote", &["twitter-tweet"]),
];

static CLEANER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut b = Builder::empty();
    let attributes: HashMap<&str, HashSet<&str>> = TAG_ATTRIBUTES
        .iter()
        .map(|(tag, attrs)| (*tag, attrs.iter().copied().collect()))
        .collect();
    let classes: HashMap<&str, HashSet<&str>> = CLASSES
        .iter()
        .map(|(tag, c)| (*tag, c.iter().copied().collect()))
        .collect();
    let checkbox: HashMap<&str, HashMap<&str, HashSet<&str>>> = HashMap::from([(
        "input",
        HashMap::from([("type", HashSet::from(["checkbox"]))]),
    )]);
    b.tags(TAGS.iter().copied().collect())
        .clean_content_tags(CLEAN_CONTENT.iter().copied().collect())
        .tag_attributes(attributes)
        .tag_attribute_values(checkbox)
        // Task-list checkboxes are never editable.
        .set_tag_attribute_values(HashMap::from([(
            "input",
            HashMap::from([("disabled", "")]),
        )]))
        .generic_attributes(HashSet::from(["title", "lang", "dir"]))
        .generic_attribute_prefixes(HashSet::new())
        .allowed_classes(classes)
        .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
        .url_relative(UrlRelative::PassThrough)
        // `rel` is set by the link pass, only on links to other sites.
        .link_rel(None)
        .strip_comments(true)
        .id_prefix(None);
    b
});

pub(super) fn clean(html: &str) -> String {
    // ammonia leaves `class=""` when no class survives; in its output a literal
    // `class=""` can only be that attribute (text and values escape quotes).
    let html = CLEANER.clean(html).to_string().replace(" class=\"\"", "");
    // comrak labels footnote back-links in English; the site is German.
    static BACKREF: LazyLock<Regex> =
        LazyLock::new(|| super::re(r#"aria-label="Back to reference ([0-9-]+)""#));
    BACKREF
        .replace_all(&html, r#"aria-label="Zurück zur Fußnote $1""#)
        .into_owned()
}

/// How [`finish`] treats links.
pub(super) enum LinkPass<'x> {
    /// Check every raw-HTML link and image against the site; report what is done.
    Checked {
        ctx: &'x RenderContext<'x>,
        source: &'x str,
        warnings: &'x mut Vec<Warning>,
    },
    /// User content: no checks, links to other sites get `nofollow ugc` too.
    Plain,
}

/// The last pass: links written as raw HTML get the same checks as Markdown links
/// (Markdown links were already repaired on the AST and now simply pass), missing images
/// become placeholders, and links to other sites are marked external.
pub(super) fn finish(html: &str, pass: &mut LinkPass) -> String {
    let tags = scan::tags(html);
    let mut out = String::with_capacity(html.len() + 256);
    let mut pos = 0;
    let mut drop_closing_a = false;
    // Open `<a>` elements around the current position: an image from another site inside
    // a link becomes text, not a nested link.
    let mut open_links = 0usize;
    for tag in &tags {
        if tag.name == "a" {
            if tag.closing {
                open_links = open_links.saturating_sub(1);
            } else {
                open_links += 1;
            }
        }
        if tag.closing {
            if drop_closing_a && tag.name == "a" {
                out.push_str(&html[pos..tag.start]);
                pos = tag.end;
                drop_closing_a = false;
            }
            continue;
        }
        let (attr, kind) = match tag.name {
            "a" => ("href", "link"),
            "img" => ("src", "image"),
            _ => continue,
        };
        let Some(url) = tag.attr(attr) else { continue };
        let verdict = match pass {
            LinkPass::Checked { ctx, .. } => ctx.site.check_from(&url, ctx.page_path),
            LinkPass::Plain => LinkVerdict::External,
        };
        let replacement = match verdict {
            LinkVerdict::Keep => None,
            LinkVerdict::External if kind == "image" && is_other_site(&url) => {
                // Loading it would make every visitor's browser contact that site.
                report(
                    pass,
                    &url,
                    format!("image `{url}` is on another site"),
                    "shown as a link to it, so the page makes no third-party request".into(),
                );
                Some(external_image(tag, &url, open_links > 0))
            }
            LinkVerdict::External => {
                (kind == "link" && is_other_site(&url)).then(|| rebuild(html, tag, &url, pass))
            }
            LinkVerdict::Rewritten { url: new } => Some(rebuild(html, tag, &new, pass)),
            LinkVerdict::Repaired { url: new, why } => {
                report(
                    pass,
                    &url,
                    format!("{kind} `{url}` {why}"),
                    format!("linked to {new}"),
                );
                Some(rebuild(html, tag, &new, pass))
            }
            LinkVerdict::Unresolved { why } if kind == "image" => {
                report(
                    pass,
                    &url,
                    format!("{kind} `{url}` {why}"),
                    "shown as placeholder".into(),
                );
                let alt = tag.attr("alt").filter(|a| !a.trim().is_empty());
                let label =
                    alt.unwrap_or_else(|| url.rsplit('/').next().unwrap_or(&url).to_string());
                Some(missing_image(&label))
            }
            LinkVerdict::Unresolved { why } => {
                report(
                    pass,
                    &url,
                    format!("{kind} `{url}` {why}"),
                    "rendered as plain text".into(),
                );
                drop_closing_a = true;
                Some(String::new())
            }
        };
        if let Some(replacement) = replacement {
            out.push_str(&html[pos..tag.start]);
            out.push_str(&replacement);
            pos = tag.end;
        }
    }
    out.push_str(&html[pos..]);
    out
}

/// What stands in for an image on another site: a link to it (or its text alone when
/// the image is already inside a link).
fn external_image(tag: &scan::Tag, url: &str, inside_link: bool) -> String {
    let alt = tag.attr("alt").filter(|a| !a.trim().is_empty());
    let label = match alt {
        Some(alt) => format!("Bild auf externer Seite: {}", alt.trim()),
        None => "Bild auf externer Seite".to_owned(),
    };
    if inside_link {
        format!(
            "<span class=\"external-image\">{}</span>",
            escape_html(&label)
        )
    } else {
        format!(
            "<a href=\"{}\" class=\"external external-image\" rel=\"external noopener noreferrer\">{}</a>",
            escape_html(url),
            escape_html(&label)
        )
    }
}

fn report(pass: &mut LinkPass, url: &str, what: String, action: String) {
    if let LinkPass::Checked {
        ctx,
        source,
        warnings,
    } = pass
    {
        let line = source_line(source, url).map(|l| ctx.first_body_line + l - 1);
        warnings.push(Warning::new(ctx.file, line, what, action));
    }
}

/// `http(s)://` or `//` to a host other than codefor.de.
fn is_other_site(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let Some(rest) = ["https://", "http://", "//"]
        .iter()
        .find_map(|p| lower.strip_prefix(p))
    else {
        return false;
    };
    let host = rest
        .split(['/', '?', '#', ':'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('.');
    !(host == "codefor.de" || host == "www.codefor.de")
}

/// The start tag again with a new URL and, for links to other sites, `rel` and the
/// `external` class.
fn rebuild(html: &str, tag: &scan::Tag, url: &str, pass: &LinkPass) -> String {
    let url_attr = if tag.name == "img" { "src" } else { "href" };
    let external = tag.name == "a" && is_other_site(url);
    let mut out = format!("<{} {url_attr}=\"{}\"", tag.name, escape_html(url));
    let mut classes: Vec<String> = Vec::new();
    for attr in &tag.attrs {
        let name = attr.name.to_ascii_lowercase();
        match name.as_str() {
            n if n == url_attr || n == "rel" => {}
            "class" => classes.extend(
                scan::unescape(attr.raw)
                    .split_whitespace()
                    .map(str::to_string),
            ),
            _ => {
                out.push(' ');
                out.push_str(&html[attr.range.clone()]);
            }
        }
    }
    if external {
        if !classes.iter().any(|c| c == "external") {
            classes.push("external".into());
        }
        let rel = match pass {
            LinkPass::Plain => "external noopener noreferrer nofollow ugc",
            LinkPass::Checked { .. } => "external noopener noreferrer",
        };
        out.push_str(&format!(" rel=\"{rel}\""));
    }
    if !classes.is_empty() {
        out.push_str(&format!(" class=\"{}\"", escape_html(&classes.join(" "))));
    }
    out.push('>');
    out
}
