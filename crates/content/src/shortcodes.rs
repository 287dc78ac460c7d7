//! Hugo shortcodes → semantic HTML or live components.
//!
//! Expansion runs before Markdown. Generated block HTML stands on its own lines between
//! blank lines so that comrak sees raw HTML blocks and still renders the Markdown inside
//! paired shortcodes. Live components (`labmap-overview`, `project-list`, …) become an
//! empty `<div class="component" data-component=… data-args=…>` that the web layer
//! replaces at request time; [`components`] finds them in the final HTML.
//!
//! Expansion keeps a line map (expanded line → source line), so warnings about links
//! outside shortcodes name the right line of the file.

use std::ops::Range;

use crate::links::LinkVerdict;
use crate::markdown::{self, RenderContext, scan};
use crate::report::Warning;

mod parse;

use parse::{Kind, Tag};

/// The source with every shortcode replaced, plus what was noticed on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    pub text: String,
    pub warnings: Vec<Warning>,
}

/// A live-component marker in rendered HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component<'a> {
    /// Byte range of the whole marker element (`<div …></div>`) in the HTML.
    pub range: Range<usize>,
    /// Component name, e.g. `labmap-overview` or `home/teaser-blog`.
    pub name: String,
    /// The shortcode's raw argument string (unescaped).
    pub args: String,
    /// The marker as it stands in the HTML (`&html[range]`).
    pub marker: &'a str,
}

/// Shortcodes that the web layer renders live from the database.
pub const LIVE_COMPONENTS: [&str; 5] = [
    "labmap-overview",
    "project-list",
    "projekte/featured-projects",
    "home/hexagons",
    "home/teaser-blog",
];

/// Expands every shortcode in `source` (a Markdown body).
pub fn expand(source: &str, ctx: &RenderContext) -> Expanded {
    expand_mapped(source, ctx).0
}

/// Like [`expand`], plus the line map: entry `i` is the 1-based body line that line
/// `i + 1` of the expanded text comes from.
pub(crate) fn expand_mapped(source: &str, ctx: &RenderContext) -> (Expanded, Vec<usize>) {
    let tags = parse::tags(source);
    let pairs = parse::pair(&tags);
    let mut ex = Expander {
        source,
        ctx,
        tags: &tags,
        warnings: Vec::new(),
    };
    for &i in &pairs.stray_closers {
        let tag = &tags[i];
        ex.warn(
            tag,
            format!("closing shortcode `{}` has no opening tag", tag.name),
            "removed",
        );
    }
    for &i in &pairs.unclosed {
        let tag = &tags[i];
        if PAIRED.contains(&tag.name.as_str()) {
            ex.warn(
                tag,
                format!("shortcode `{}` is never closed", tag.name),
                "ignored",
            );
        }
    }
    let mut out = Out::default();
    ex.emit(&mut out, 0..source.len(), 0..tags.len(), &pairs.closer_of);
    let Out { text, lines } = out;
    (
        Expanded {
            text,
            warnings: ex.warnings,
        },
        lines,
    )
}

/// Finds the live-component markers left in rendered HTML.
pub fn components(html: &str) -> Vec<Component<'_>> {
    let mut found = Vec::new();
    let tags = scan::tags(html);
    for (i, tag) in tags.iter().enumerate() {
        if tag.closing || !tag.name.eq_ignore_ascii_case("div") {
            continue;
        }
        let Some(name) = tag.attr("data-component") else {
            continue;
        };
        let args = tag.attr("data-args").unwrap_or_default();
        // Markers are empty; the element ends at the next `</div>`.
        let end = tags[i + 1..]
            .iter()
            .find(|t| t.closing && t.name.eq_ignore_ascii_case("div"))
            .map_or(tag.end, |t| t.end);
        found.push(Component {
            range: tag.start..end,
            name,
            args,
            marker: &html[tag.start..end],
        });
    }
    found
}

/// Shortcodes that wrap content and need a closing tag.
const PAIRED: [&str; 8] = [
    "headline-brackets-h1",
    "headline-brackets-h2",
    "paragraph-center",
    "hero-block-center",
    "landing-callout",
    "button-center",
    "quote",
    "image-slideshow",
];

/// Expanded text with its line map (see [`expand_mapped`]).
#[derive(Debug, Default)]
struct Out {
    text: String,
    lines: Vec<usize>,
}

impl Out {
    /// Appends text; line `k` of `s` (0-based) comes from source line `line_of(k)`.
    fn push_with(&mut self, s: &str, line_of: impl Fn(usize) -> usize) {
        if s.is_empty() {
            return;
        }
        if self.lines.is_empty() {
            self.lines.push(line_of(0));
        }
        for (k, part) in s.split('\n').enumerate() {
            if k > 0 {
                self.text.push('\n');
                self.lines.push(line_of(k));
            }
            self.text.push_str(part);
        }
    }

    /// Appends source text that starts on source line `first`.
    fn source(&mut self, s: &str, first: usize) {
        self.push_with(s, |k| first + k);
    }

    /// Appends generated text; all of it belongs to source line `line`.
    fn generated(&mut self, s: &str, line: usize) {
        self.push_with(s, |_| line);
    }

    fn append(&mut self, other: &Out, fallback: usize) {
        self.push_with(&other.text, |k| {
            other.lines.get(k).copied().unwrap_or(fallback)
        });
    }
}

struct Expander<'s, 'c> {
    source: &'s str,
    ctx: &'c RenderContext<'c>,
    tags: &'s [Tag],
    warnings: Vec<Warning>,
}

impl Expander<'_, '_> {
    fn file_line(&self, body_line: usize) -> usize {
        self.ctx.first_body_line + body_line.saturating_sub(1)
    }

    fn warn(&mut self, tag: &Tag, what: String, action: &str) {
        let line = self.file_line(tag.line);
        self.warnings
            .push(Warning::new(self.ctx.file, Some(line), what, action));
    }

    /// Emits `text` (a byte range of the source) with the tags `tag_range` inside it.
    fn emit(
        &mut self,
        out: &mut Out,
        text: Range<usize>,
        tag_range: Range<usize>,
        closer_of: &[Option<usize>],
    ) {
        let mut pos = text.start;
        let mut i = tag_range.start;
        while i < tag_range.end {
            let tag = &self.tags[i];
            out.source(
                &self.source[pos..tag.range.start],
                parse::line_at(self.source, pos),
            );
            match (tag.kind, closer_of[i]) {
                (Kind::Open, Some(close)) => {
                    let mut inner = Out::default();
                    let close_tag = &self.tags[close];
                    self.emit(
                        &mut inner,
                        tag.range.end..close_tag.range.start,
                        i + 1..close,
                        closer_of,
                    );
                    self.shortcode(out, tag, Some(&inner), Some(close_tag));
                    pos = close_tag.range.end;
                    i = close + 1;
                    continue;
                }
                (Kind::Open | Kind::SelfClosing, _) => self.shortcode(out, tag, None, None),
                (Kind::Close, _) => {} // stray closer, reported in expand_mapped
                (Kind::Comment, _) => {
                    // `{{</* x */>}}` is Hugo's way to show a shortcode literally.
                    out.generated(&escape_text(&tag.literal), tag.line);
                }
            }
            pos = tag.range.end;
            i += 1;
        }
        out.source(
            &self.source[pos..text.end],
            parse::line_at(self.source, pos),
        );
    }

    fn shortcode(&mut self, out: &mut Out, tag: &Tag, inner: Option<&Out>, close: Option<&Tag>) {
        let line = tag.line;
        let inner_text = inner.map_or("", |o| o.text.as_str());
        if inner.is_none() && PAIRED.contains(&tag.name.as_str()) {
            // Never closed (reported in expand_mapped): the text after it renders as usual.
            return;
        }
        match tag.name.as_str() {
            "ref" | "relref" => self.reference(out, tag),
            "figure" => {
                let html = self.figure(tag);
                out.generated(&format!("\n{html}\n\n"), line);
            }
            "headline-brackets-h1" | "headline-brackets-h2" => {
                let level = if tag.name.ends_with("h1") { 1 } else { 2 };
                let text = one_line(inner_text);
                if text.is_empty() {
                    self.warn(
                        tag,
                        format!("shortcode `{}` has no text", tag.name),
                        "left out",
                    );
                    return;
                }
                // A Markdown heading, so it gets an id and anchor like every other heading;
                // an explicit `id` uses the `{#id}` heading attribute Hugo understands too.
                let id = tag
                    .named("id")
                    .map(|id| format!(" {{#{}}}", slug_id(&id)))
                    .unwrap_or_default();
                out.generated(&format!("\n\n{} {text}{id}\n\n", "#".repeat(level)), line);
            }
            "paragraph-center" | "hero-block-center" | "landing-callout" => {
                let class = tag.name.as_str();
                out.generated(&format!("\n\n<div class=\"{class}\">\n\n"), line);
                if let Some(inner) = inner {
                    out.append(inner, line);
                }
                out.generated("\n\n</div>\n\n", close.map_or(line, |c| c.line));
            }
            "headline-icon" => {
                // Purely decorative (an icon above the page title): a hook for the stylesheet,
                // hidden from assistive technology.
                out.generated(
                    "\n\n<div class=\"headline-icon\" aria-hidden=\"true\"></div>\n\n",
                    line,
                );
            }
            "button-center" => {
                let html = self.button(tag, inner_text);
                out.generated(&format!("\n\n{html}\n\n"), line);
            }
            "quote" => {
                let author = tag
                    .named("author")
                    .or_else(|| tag.named("cite"))
                    .unwrap_or_default();
                out.generated("\n\n<figure class=\"quote\">\n<blockquote>\n\n", line);
                if let Some(inner) = inner {
                    out.append(inner, line);
                }
                let close_line = close.map_or(line, |c| c.line);
                let caption = if author.trim().is_empty() {
                    String::new()
                } else {
                    format!(
                        "\n<figcaption>— <cite>{}</cite></figcaption>",
                        escape_html(author.trim())
                    )
                };
                out.generated(
                    &format!("\n\n</blockquote>{caption}\n</figure>\n\n"),
                    close_line,
                );
            }
            "image-slideshow" => {
                // A gallery: one list item per image. Blank lines are dropped so the
                // whole list stays one HTML block.
                let items: Vec<&str> = inner_text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect();
                out.generated(
                    &format!(
                        "\n<ul class=\"image-slideshow\">\n{}\n</ul>\n\n",
                        items.join("\n")
                    ),
                    line,
                );
            }
            "slideshow-image" => {
                let src = tag
                    .named("src")
                    .or_else(|| tag.positional(0))
                    .unwrap_or_default();
                let alt = tag.named("alt").unwrap_or_default();
                let img = self.image(tag, &src, &alt);
                out.generated(
                    &format!("<li class=\"slideshow-image\"><figure>{img}</figure></li>"),
                    line,
                );
            }
            name if LIVE_COMPONENTS.contains(&name) => {
                out.generated(
                    &format!(
                        "\n\n<div class=\"component\" data-component=\"{}\" data-args=\"{}\"></div>\n\n",
                        escape_html(name),
                        escape_html(tag.args_raw.trim())
                    ),
                    line,
                );
            }
            name => {
                let name = name.to_string();
                self.warn(tag, format!("unknown shortcode `{name}`"), "kept as text");
                out.generated(&escape_text(&self.source[tag.range.clone()]), line);
                if let Some(inner) = inner {
                    out.append(inner, line);
                }
                if let Some(close) = close {
                    out.generated(&escape_text(&self.source[close.range.clone()]), close.line);
                }
            }
        }
    }

    /// `{{< ref "x.md" >}}`: the page's URL.
    fn reference(&mut self, out: &mut Out, tag: &Tag) {
        let target = tag
            .positional(0)
            .or_else(|| tag.named("path"))
            .unwrap_or_default();
        if let Some(url) = self.ctx.site.resolve_ref(&target) {
            out.generated(&url, tag.line);
            return;
        }
        // As a link destination the link check reports it and renders the link text
        // plainly; elsewhere the reference itself is the problem.
        let in_link = self.source[..tag.range.start].trim_end().ends_with("](");
        if in_link && !target.is_empty() {
            out.generated(&target.replace(' ', "%20"), tag.line);
        } else {
            self.warn(
                tag,
                format!("`{}` to `{target}` points to no content file", tag.name),
                "kept as text",
            );
            out.generated(&escape_text(&target), tag.line);
        }
    }

    /// Checks an image source; returns an `<img>` or the missing-image placeholder.
    fn image(&mut self, tag: &Tag, src: &str, alt: &str) -> String {
        let src = src.trim();
        let what = format!("image `{src}`");
        let url = match self.ctx.site.check_from(src, self.ctx.page_path) {
            LinkVerdict::Keep | LinkVerdict::External => src.to_string(),
            LinkVerdict::Rewritten { url } => url,
            LinkVerdict::Repaired { url, why } => {
                self.warn(tag, format!("{what} {why}"), &format!("used {url}"));
                url
            }
            LinkVerdict::Unresolved { why } => {
                self.warn(tag, format!("{what} {why}"), "shown as placeholder");
                let label = if alt.trim().is_empty() {
                    file_name(src)
                } else {
                    alt.trim()
                };
                return markdown::missing_image(label);
            }
        };
        format!(
            "<img src=\"{}\" alt=\"{}\">",
            escape_html(&url),
            escape_html(alt)
        )
    }

    fn figure(&mut self, tag: &Tag) -> String {
        let src = tag
            .named("src")
            .or_else(|| tag.positional(0))
            .unwrap_or_default();
        let caption = tag.named("caption").unwrap_or_default();
        let alt = tag
            .named("alt")
            .unwrap_or_else(|| markdown::plain_inline(&caption));
        let mut img = self.image(tag, &src, &alt);
        if let Some(link) = tag.named("link").filter(|l| !l.trim().is_empty())
            && let Some(href) = self.checked_href(tag, &link, "figure link")
        {
            img = format!("<a href=\"{}\">{img}</a>", escape_html(&href));
        }
        let mut parts = Vec::new();
        if let Some(title) = tag.named("title").filter(|t| !t.trim().is_empty()) {
            parts.push(format!("<strong>{}</strong>", escape_html(title.trim())));
        }
        if !caption.trim().is_empty() {
            parts.push(markdown::render_inline(&caption));
        }
        if let Some(attr) = tag.named("attr").filter(|a| !a.trim().is_empty()) {
            let text = markdown::render_inline(&attr);
            let text = match tag.named("attrlink").filter(|l| !l.trim().is_empty()) {
                Some(link) => match self.checked_href(tag, &link, "attribution link") {
                    Some(href) => format!("<a href=\"{}\">{text}</a>", escape_html(&href)),
                    None => text,
                },
                None => text,
            };
            parts.push(format!("<span class=\"attribution\">{text}</span>"));
        }
        let caption = if parts.is_empty() {
            String::new()
        } else {
            format!("<figcaption>{}</figcaption>", parts.join(" "))
        };
        // One line: a blank line would end the HTML block in the middle of the figure.
        format!("<figure class=\"figure\">{img}{caption}</figure>").replace('\n', " ")
    }

    fn button(&mut self, tag: &Tag, inner: &str) -> String {
        let label_md = one_line(inner);
        let label = if label_md.is_empty() {
            tag.named("text")
                .map(|t| escape_html(&t))
                .unwrap_or_default()
        } else {
            markdown::render_inline(&label_md)
        };
        let href = tag
            .named("href")
            .or_else(|| tag.named("url"))
            .unwrap_or_default();
        // `target="_blank"` is dropped on purpose: links open in the same tab.
        match self.checked_href(tag, &href, "button link") {
            Some(href) => format!(
                "<p class=\"button-center\"><a class=\"button\" href=\"{}\">{label}</a></p>",
                escape_html(&href)
            ),
            None => format!("<p class=\"button-center\">{label}</p>"),
        }
    }

    /// A link target from a shortcode argument, checked; `None` when it leads nowhere.
    fn checked_href(&mut self, tag: &Tag, href: &str, what: &str) -> Option<String> {
        let href = href.trim();
        match self.ctx.site.check_from(href, self.ctx.page_path) {
            LinkVerdict::Keep | LinkVerdict::External => Some(href.to_string()),
            LinkVerdict::Rewritten { url } => Some(url),
            LinkVerdict::Repaired { url, why } => {
                self.warn(
                    tag,
                    format!("{what} `{href}` {why}"),
                    &format!("linked to {url}"),
                );
                Some(url)
            }
            LinkVerdict::Unresolved { why } => {
                self.warn(
                    tag,
                    format!("{what} `{href}` {why}"),
                    "rendered as plain text",
                );
                None
            }
        }
    }
}

/// Inner text of an inline shortcode on one line (for headings and buttons).
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn file_name(src: &str) -> &str {
    src.trim_end_matches('/').rsplit('/').next().unwrap_or(src)
}

/// An `id` reduced to characters that are safe in `{#…}` and in HTML.
fn slug_id(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect()
}

pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text so Markdown shows it literally: every ASCII punctuation character becomes
/// a numeric entity (Markdown decodes entities to plain characters without meaning).
fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if c.is_ascii_punctuation() {
            out.push_str(&format!("&#{};", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
