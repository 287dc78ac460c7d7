//! Finding shortcode tags in a Markdown body and pairing openers with closers.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// `{{< name args >}}`: paired if a closer follows, else self-closing.
    Open,
    /// `{{< /name >}}`
    Close,
    /// `{{< name args />}}`
    SelfClosing,
    /// `{{</* name args */>}}`: shown literally.
    Comment,
}

#[derive(Debug, Clone)]
pub(super) struct Tag {
    /// Byte range of the whole tag in the source.
    pub range: Range<usize>,
    /// 1-based line of the tag's start in the source.
    pub line: usize,
    pub kind: Kind,
    pub name: String,
    /// Everything between the name and the closing delimiter.
    pub args_raw: String,
    pub args: Vec<(Option<String>, String)>,
    /// For comments: the shortcode as Hugo shows it, e.g. `{{< name >}}`.
    pub literal: String,
}

impl Tag {
    pub fn named(&self, key: &str) -> Option<String> {
        self.args
            .iter()
            .find(|(k, _)| k.as_deref().is_some_and(|k| k.eq_ignore_ascii_case(key)))
            .map(|(_, v)| v.clone())
    }

    pub fn positional(&self, index: usize) -> Option<String> {
        self.args
            .iter()
            .filter(|(k, _)| k.is_none())
            .nth(index)
            .map(|(_, v)| v.clone())
    }
}

pub(super) fn line_at(source: &str, pos: usize) -> usize {
    source.as_bytes()[..pos.min(source.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// All shortcode tags in order. Text that merely looks like one (no name, no closing
/// delimiter) is left alone.
pub(super) fn tags(source: &str) -> Vec<Tag> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(off) = source[from..].find("{{") {
        let start = from + off;
        match tag_at(source, start) {
            Some(tag) => {
                from = tag.range.end;
                found.push(tag);
            }
            None => from = start + 2,
        }
    }
    found
}

fn tag_at(source: &str, start: usize) -> Option<Tag> {
    let rest = &source[start + 2..];
    let delim = rest.chars().next().filter(|c| *c == '<' || *c == '%')?;
    let close_char = if delim == '<' { '>' } else { '%' };
    let closing_delim = format!("{close_char}}}}}");
    let body_start = start + 3;
    let body = source[body_start..].trim_start();
    let body_start = source.len() - body.len();

    if let Some(comment) = body.strip_prefix("/*") {
        let end_marker = format!("*/{closing_delim}");
        let end_rel = comment.find(&end_marker)?;
        let inner = comment[..end_rel].trim();
        let end = body_start + 2 + end_rel + end_marker.len();
        return Some(Tag {
            range: start..end,
            line: line_at(source, start),
            kind: Kind::Comment,
            name: String::new(),
            args_raw: String::new(),
            args: Vec::new(),
            literal: format!("{{{{{delim} {inner} {close_char}}}}}"),
        });
    }

    let (closing, body, body_start) = match body.strip_prefix('/') {
        Some(b) => {
            let t = b.trim_start();
            (true, t, source.len() - t.len())
        }
        None => (false, body, body_start),
    };
    let name_len = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/' | '.')))
        .unwrap_or(body.len());
    let name = body[..name_len].trim_end_matches('/');
    if name.is_empty() {
        return None;
    }
    let args_start = body_start + name.len();
    let args_len = find_end(&source[args_start..], &closing_delim)?;
    let end = args_start + args_len + closing_delim.len();
    let mut args_raw = source[args_start..args_start + args_len].trim();
    let mut kind = if closing { Kind::Close } else { Kind::Open };
    if let Some(stripped) = args_raw.strip_suffix('/') {
        args_raw = stripped.trim_end();
        if !closing {
            kind = Kind::SelfClosing;
        }
    }
    Some(Tag {
        range: start..end,
        line: line_at(source, start),
        kind,
        name: name.to_string(),
        args_raw: args_raw.to_string(),
        args: parse_args(args_raw),
        literal: String::new(),
    })
}

/// Byte offset of the closing delimiter, skipping quoted argument values.
fn find_end(s: &str, closing_delim: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => {
                if s[i..].starts_with(closing_delim) {
                    return Some(i);
                }
                if c == '"' || c == '`' {
                    quote = Some(c);
                }
                // Another `{{<` before the end: this was not a shortcode after all.
                if s[i..].starts_with("{{<") || s[i..].starts_with("{{%") {
                    return None;
                }
            }
        }
    }
    None
}

/// Named (`key=value`) and positional arguments; values quoted with `"` (backslash
/// escapes), with `` ` `` (raw, may span lines) or unquoted.
pub(super) fn parse_args(s: &str) -> Vec<(Option<String>, String)> {
    let mut args = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else { break };
        if first == '"' || first == '`' {
            args.push((None, quoted(&mut chars)));
            continue;
        }
        let mut word = String::new();
        while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != '=') {
            word.push(c);
        }
        if chars.next_if_eq(&'=').is_some() {
            let value = match chars.peek() {
                Some('"') | Some('`') => quoted(&mut chars),
                _ => {
                    let mut v = String::new();
                    while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                        v.push(c);
                    }
                    v
                }
            };
            args.push((Some(word), value));
        } else if !word.is_empty() {
            args.push((None, word));
        }
    }
    args
}

fn quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let Some(q) = chars.next() else {
        return String::new();
    };
    let mut value = String::new();
    while let Some(c) = chars.next() {
        if c == q {
            break;
        }
        if c == '\\' && q == '"' {
            if let Some(next) = chars.next() {
                value.push(next);
            }
            continue;
        }
        value.push(c);
    }
    value
}

pub(super) struct Pairs {
    /// For each opening tag: the index of its closer.
    pub closer_of: Vec<Option<usize>>,
    pub stray_closers: Vec<usize>,
    /// Opening tags without closer (fine for self-closing shortcodes).
    pub unclosed: Vec<usize>,
}

/// Pairs each closer with the nearest open tag of the same name; tags in between that
/// were never closed are self-closing (as in Hugo).
pub(super) fn pair(tags: &[Tag]) -> Pairs {
    let mut closer_of = vec![None; tags.len()];
    let mut stray_closers = Vec::new();
    let mut unclosed = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for (i, tag) in tags.iter().enumerate() {
        match tag.kind {
            Kind::Open => stack.push(i),
            Kind::Close => match stack.iter().rposition(|&o| tags[o].name == tag.name) {
                Some(pos) => {
                    unclosed.extend(stack.drain(pos + 1..));
                    if let Some(open) = stack.pop() {
                        closer_of[open] = Some(i);
                    }
                }
                None => stray_closers.push(i),
            },
            Kind::SelfClosing | Kind::Comment => {}
        }
    }
    unclosed.extend(stack);
    unclosed.sort_unstable();
    Pairs {
        closer_of,
        stray_closers,
        unclosed,
    }
}
