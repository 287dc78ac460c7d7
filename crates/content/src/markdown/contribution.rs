//! Markdown that anyone writes — a need, the "missing" field, a comment — shown among
//! the page's own elements.
//!
//! Such a text must not reach into the page around it: headings get no ids (nobody's
//! `# Moderation` becomes the page's `#moderation`), every id left in the output (from
//! footnotes or raw HTML) carries a prefix of that one contribution, and the fragment
//! links pointing at them carry it too, so footnotes keep working. Headings move down
//! below the page's own. The checks of what anyone may post ([`contribution_shape`])
//! measure the same rendered output: the links a reader will see, however they were
//! written, and how deeply its elements nest.

use std::collections::{HashMap, HashSet};

use comrak::arena_tree::NodeEdge;
use comrak::nodes::NodeValue;
use comrak::{Arena, Node, Options, parse_document};
use sha2::{Digest, Sha256};

use super::{drop_empty_links, options, replace_iframes, sanitize, scan};

/// What the rendered text of a contribution contains, for the limits on what anyone may
/// post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shape {
    /// Links a reader can follow out of the text: every `<a>` with an address that is
    /// not a fragment of the text itself (footnotes). Markdown links, autolinks, e-mail
    /// addresses, raw HTML, images on other sites and embedded frames (both shown as
    /// links) all count.
    pub links: usize,
    /// The deepest nesting of block containers (quotes, lists, tables, boxes) or of
    /// inline markup (emphasis, links, code), whichever is deeper. For a text nested so
    /// deeply that it is not rendered at all (see [`contribution_shape`]), the nesting
    /// of its source instead.
    pub depth: usize,
}

/// Renders a contribution: Markdown with the site's extensions, raw HTML sanitized like
/// [`super::render_plain`], links to other sites `nofollow ugc`. No heading ids; every
/// id gets `id_prefix` (only ASCII letters, digits, `-` and `_` of it are used), and so
/// do links to those ids; a repeated id keeps only its first element. The headings keep
/// their order but start at `<h{top_heading}>` (2 to 6), levels the text skips are
/// closed up, and nothing goes below `<h6>`.
pub fn render_contribution(markdown: &str, id_prefix: &str, top_heading: u8) -> String {
    let prefix: String = id_prefix
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let options = options();
    let arena = Arena::new();
    let root = parse_document(&arena, markdown, &options);
    scope(&sanitized(root, &options), &prefix, top_heading.clamp(2, 6))
}

/// A prefix for the ids of one contribution: `kind` and eight hex digits of the SHA-256
/// of `seed`, e.g. `b3f2a91c-`. Different seeds give different prefixes on one page
/// (short of a one in four billion chance).
pub fn contribution_prefix(kind: char, seed: &str) -> String {
    let digest = Sha256::digest(seed.as_bytes());
    let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    let kind = if kind.is_ascii_alphabetic() {
        kind
    } else {
        'x'
    };
    format!("{kind}{hex}-")
}

/// Measures what [`render_contribution`] will show of this text: one parse, one
/// render, one pass over the result.
///
/// Parsing deeply nested HTML costs time with the square of its depth, so a text whose
/// source (Markdown and raw HTML together) already nests more than `4 × max_depth + 8`
/// levels is not rendered: its shape is then the depth of that source, and no links.
pub fn contribution_shape(markdown: &str, max_depth: usize) -> Shape {
    let options = options();
    let arena = Arena::new();
    let root = parse_document(&arena, markdown, &options);
    let source = source_depth(root);
    if source > max_depth.saturating_mul(4).saturating_add(8) {
        return Shape {
            links: 0,
            depth: source,
        };
    }
    measure(&sanitized(root, &options))
}

/// The sanitized HTML before ids and headings are scoped: comrak without heading ids,
/// frames replaced by links, the allow-list, the link pass for user content.
fn sanitized<'a>(root: Node<'a>, options: &Options) -> String {
    let mut html = String::new();
    // Writing into a String cannot fail.
    if comrak::format_html(root, options, &mut html).is_err() {
        html.clear();
    }
    let html = replace_iframes(&html, &mut |_, _, _| {});
    drop_empty_links(&sanitize::finish(
        &sanitize::clean(&html),
        &mut sanitize::LinkPass::Plain,
    ))
}

/// Elements without an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Elements whose nesting counts as block depth.
const BLOCKS: &[&str] = &[
    "blockquote",
    "details",
    "div",
    "dl",
    "figure",
    "ol",
    "section",
    "table",
    "ul",
];

/// Elements whose nesting counts as inline depth.
const INLINES: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "del", "dfn", "em", "i", "ins", "kbd", "mark",
    "q", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
];

/// Elements whose end tag may be left out: a second one closes the first rather than
/// nesting in it.
const OPTIONAL_END: &[&str] = &[
    "dd", "dt", "li", "optgroup", "option", "p", "rb", "rp", "rt", "rtc", "tbody", "td", "tfoot",
    "th", "thead", "tr",
];

/// How deeply the source nests: the Markdown tree (every node a level) plus the raw HTML
/// elements open at that point. A rough upper bound of the rendered depth, found
/// without rendering.
fn source_depth<'a>(root: Node<'a>) -> usize {
    let (mut depth, mut raw, mut max) = (0usize, 0usize, 0usize);
    for edge in root.traverse() {
        match edge {
            NodeEdge::Start(node) => {
                depth += 1;
                match &node.data().value {
                    NodeValue::HtmlBlock(block) => raw = raw_nesting(raw, &block.literal),
                    NodeValue::HtmlInline(html) => raw = raw_nesting(raw, html),
                    _ => {}
                }
                max = max.max(depth + raw);
            }
            NodeEdge::End(_) => depth = depth.saturating_sub(1),
        }
    }
    max
}

/// Raw HTML elements open after `html`, given `open` before it.
fn raw_nesting(mut open: usize, html: &str) -> usize {
    for tag in scan::tags(html) {
        let name = tag.name.to_ascii_lowercase();
        if VOID.contains(&name.as_str()) || OPTIONAL_END.contains(&name.as_str()) {
            continue;
        }
        if tag.closing {
            open = open.saturating_sub(1);
        } else {
            open += 1;
        }
    }
    open
}

fn measure(html: &str) -> Shape {
    let mut shape = Shape::default();
    // Open elements: (name, counts as block, counts as inline, is the footnotes section).
    let mut open: Vec<(&str, bool, bool, bool)> = Vec::new();
    let (mut blocks, mut inlines) = (0usize, 0usize);
    for tag in scan::tags(html) {
        if tag.closing {
            // Sanitized HTML is well-formed; should it not be, close up to the match.
            if let Some(at) = open.iter().rposition(|(name, ..)| *name == tag.name) {
                for (_, block, inline, _) in open.drain(at..) {
                    blocks -= usize::from(block);
                    inlines -= usize::from(inline);
                }
            }
            continue;
        }
        if tag.name == "a" && tag.attr("href").is_some_and(|h| !h.starts_with('#')) {
            shape.links += 1;
        }
        if VOID.contains(&tag.name) {
            continue;
        }
        // The footnotes (`<section class="footnotes"><ol>`) are one level, not two.
        let footnotes =
            tag.name == "section" && tag.attr("class").is_some_and(|c| c.contains("footnotes"));
        let in_footnotes = open.last().is_some_and(|(.., f)| *f);
        let block = BLOCKS.contains(&tag.name) && !(tag.name == "ol" && in_footnotes);
        let inline = INLINES.contains(&tag.name);
        blocks += usize::from(block);
        inlines += usize::from(inline);
        shape.depth = shape.depth.max(blocks).max(inlines);
        open.push((tag.name, block, inline, footnotes));
    }
    shape
}

/// Prefixes ids and the fragment links to them, drops repeated ids, moves headings.
fn scope(html: &str, prefix: &str, top_heading: u8) -> String {
    let tags = scan::tags(html);
    let ids: HashSet<&str> = tags
        .iter()
        .filter(|t| !t.closing)
        .flat_map(|t| t.attrs.iter())
        .filter(|a| a.name.eq_ignore_ascii_case("id"))
        .map(|a| a.raw)
        .collect();
    let levels = heading_levels(&tags, top_heading);
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out = String::with_capacity(html.len() + 64);
    let mut pos = 0;
    for tag in &tags {
        let heading = levels.get(tag.name).copied();
        let touches = heading.is_some()
            || tag
                .attrs
                .iter()
                .any(|a| a.name.eq_ignore_ascii_case("id") || a.name.eq_ignore_ascii_case("href"));
        if !touches {
            continue;
        }
        let name = heading.map_or_else(|| tag.name.to_owned(), |level| format!("h{level}"));
        let mut rebuilt = String::with_capacity(tag.end - tag.start + prefix.len());
        rebuilt.push('<');
        if tag.closing {
            rebuilt.push('/');
        }
        rebuilt.push_str(&name);
        for attr in &tag.attrs {
            if attr.name.eq_ignore_ascii_case("id") {
                // The first element with an id keeps it; a repeated one would be ambiguous.
                if seen.insert(attr.raw) {
                    rebuilt.push_str(&format!(" id=\"{prefix}{}\"", attr.raw));
                }
            } else if attr.name.eq_ignore_ascii_case("href")
                && let Some(fragment) = attr.raw.strip_prefix('#')
                && ids.contains(fragment)
            {
                rebuilt.push_str(&format!(" href=\"#{prefix}{fragment}\""));
            } else {
                rebuilt.push(' ');
                rebuilt.push_str(&html[attr.range.clone()]);
            }
        }
        rebuilt.push('>');
        out.push_str(&html[pos..tag.start]);
        out.push_str(&rebuilt);
        pos = tag.end;
    }
    out.push_str(&html[pos..]);
    out
}

/// The new level of each heading element in the text: the levels it uses, in order,
/// from `top` on (at most 6).
fn heading_levels(tags: &[scan::Tag<'_>], top: u8) -> HashMap<&'static str, u8> {
    const NAMES: [&str; 6] = ["h1", "h2", "h3", "h4", "h5", "h6"];
    let used: Vec<usize> = (0..NAMES.len())
        .filter(|&i| tags.iter().any(|t| !t.closing && t.name == NAMES[i]))
        .collect();
    used.iter()
        .zip(top..)
        .map(|(&i, level)| (NAMES[i], level.min(6)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `id="…"` in `html`.
    fn ids(html: &str) -> Vec<String> {
        scan::tags(html)
            .iter()
            .filter_map(|t| t.attr("id"))
            .collect()
    }

    /// Every fragment link (`href="#…"`) in `html`, without the `#`.
    fn fragments(html: &str) -> Vec<String> {
        scan::tags(html)
            .iter()
            .filter_map(|t| t.attr("href"))
            .filter_map(|h| h.strip_prefix('#').map(str::to_owned))
            .collect()
    }

    /// Written to take over the page around it: ids of the need page, a second `<h1>`,
    /// footnotes every other text has too.
    const HOSTILE: &str = "# Moderation {#moderation}\n\n## unterstuetzen h\n\n\
        Text[^1] und noch mal[^1] und[^lang].\n\n\
        <h1 id=\"kommentar-7\">Roh</h1>\n\n\
        <span id=\"unterstuetzen-h\">x</span> <div id=\"moderation\">y</div> \
        <a id=\"neuer-beitrag\" href=\"#kommentar-7\">z</a> [weg](#verlauf)\n\n\
        [^1]: Eins.\n[^lang]: Zwei.\n";

    #[test]
    fn ids_are_prefixed_and_footnotes_still_work() {
        let html = render_contribution(HOSTILE, "k7-", 4);
        let found = ids(&html);
        assert!(found.len() >= 8, "{html}");
        for id in &found {
            assert!(id.starts_with("k7-"), "{id} in {html}");
        }
        let mut unique = found.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), found.len(), "{html}");
        // Footnote references and back-links point at the notes of this text.
        for target in [
            "k7-fn-1",
            "k7-fn-lang",
            "k7-fnref-1",
            "k7-fnref-1-2",
            "k7-fnref-lang",
        ] {
            assert!(found.iter().any(|i| i == target), "{target} in {html}");
            assert!(
                fragments(&html).iter().any(|f| f == target),
                "{target} in {html}"
            );
        }
        // A link to one of its own ids follows it; a link to the page stays as written.
        assert!(html.contains("href=\"#k7-kommentar-7\""), "{html}");
        assert!(html.contains("href=\"#verlauf\""), "{html}");
        // No heading ids from the text, no anchors, nothing above the given level.
        assert!(!html.contains("<h1") && !html.contains("<h2") && !html.contains("<h3"));
        assert!(html.contains("<h4>Moderation {#moderation}</h4>"), "{html}");
        assert!(html.contains("<h5>unterstuetzen h</h5>"), "{html}");
        assert!(!html.contains("class=\"anchor\""), "{html}");
    }

    #[test]
    fn two_contributions_share_no_id() {
        let a = render_contribution("A[^1]\n\n[^1]: a", &contribution_prefix('k', "1"), 4);
        let b = render_contribution("B[^1]\n\n[^1]: b", &contribution_prefix('k', "2"), 4);
        let (a, b) = (ids(&a), ids(&b));
        assert_eq!(a.len(), 2);
        assert!(a.iter().all(|i| !b.contains(i)), "{a:?} {b:?}");
        assert_eq!(contribution_prefix('b', "x"), contribution_prefix('b', "x"));
        assert!(contribution_prefix('b', "x").starts_with('b'));
        // A prefix is reduced to what an id may hold.
        let html = render_contribution("<span id=\"a\">x</span>", "k\"><script>1-", 3);
        assert!(html.contains("id=\"kscript1-a\""), "{html}");
    }

    #[test]
    fn headings_close_up_below_the_page_and_stop_at_h6() {
        assert_eq!(render_contribution("### Nur", "b-", 3), "<h3>Nur</h3>\n");
        let html = render_contribution("# A\n\n### B\n\n#### C\n\n###### D", "b-", 4);
        assert!(
            html.contains("<h4>A</h4>")
                && html.contains("<h5>B</h5>")
                && html.contains("<h6>C</h6>")
                && html.contains("<h6>D</h6>"),
            "{html}"
        );
    }

    #[test]
    fn contributions_are_sanitized_like_plain_markdown() {
        let md = "Text <script>alert(1)</script> [a](https://a.example) [j](javascript:alert(1)) \
                  <b onclick=\"alert(1)\">b</b>";
        let html = render_contribution(md, "k1-", 4);
        assert!(
            !html.contains("script") && !html.contains("onclick"),
            "{html}"
        );
        assert!(!html.contains("javascript"), "{html}");
        assert!(html.contains("nofollow ugc"), "{html}");
    }

    #[test]
    fn every_link_a_reader_sees_counts_and_footnotes_do_not() {
        let md = "[a](https://a.example) [b](//b.example/) c@c.example <https://d.example> \
                  www.e.example https://f.example <a href=\"https://g.example\">g</a> \
                  <a href=\"//h.example\">h</a> ![i](https://i.example/i.png) \
                  <iframe src=\"https://j.example/\"></iframe> [k](/beduerfnisse/) \
                  [l](javascript:alert(1)) Fußnote[^1]\n\n[^1]: Text";
        assert_eq!(contribution_shape(md, 8).links, 11);
        assert_eq!(
            contribution_shape("Kein Link, nur Text[^1].\n\n[^1]: x", 8).links,
            0
        );
    }

    #[test]
    fn nesting_is_measured_in_quotes_lists_raw_html_and_emphasis() {
        let depth = |md: &str| contribution_shape(md, 8).depth;
        assert_eq!(depth("Text"), 0);
        assert_eq!(depth(&format!("{} x", "> ".repeat(8))), 8);
        assert_eq!(depth(&format!("{} x", "> ".repeat(9))), 9);
        let list: String = (0..9).map(|i| format!("{}- x\n", "  ".repeat(i))).collect();
        assert_eq!(depth(&list), 9);
        assert_eq!(depth(&format!("{}x", "<div>".repeat(9))), 9);
        assert_eq!(depth(&format!("{}x", "<b><i>".repeat(5))), 10);
        // Footnotes are one level; repeated list items without end tags are siblings.
        assert_eq!(depth("a[^1]\n\n[^1]: > b"), 2);
        assert_eq!(depth(&format!("<ul>{}</ul>", "<li>x".repeat(50))), 1);
        // Far too deep: measured on the source, never rendered.
        assert!(depth(&">".repeat(20_000)) >= 20_000);
        assert!(depth(&"<div>".repeat(4_000)) >= 4_000);
    }
}
