//! A small tag scanner for HTML we produced ourselves (ammonia's serializer output).
//!
//! That output is regular: text never contains a raw `<`, attribute values are always
//! double-quoted, comments and scripts are gone. So finding tags and their attributes
//! needs no full parser, and rewriting works on byte ranges of the original string.
//! Unquoted and single-quoted values are understood too, for hand-written input.

use std::ops::Range;

#[derive(Debug, Clone)]
pub(crate) struct Tag<'h> {
    /// Byte range of the whole tag, `<` to `>`.
    pub start: usize,
    pub end: usize,
    pub name: &'h str,
    pub closing: bool,
    pub attrs: Vec<Attr<'h>>,
}

#[derive(Debug, Clone)]
pub(crate) struct Attr<'h> {
    pub name: &'h str,
    /// The value as written (entities not decoded).
    pub raw: &'h str,
    /// Byte range of the whole attribute (`name="value"`).
    pub range: Range<usize>,
}

impl Tag<'_> {
    pub fn attr(&self, name: &str) -> Option<String> {
        self.attrs
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
            .map(|a| unescape(a.raw))
    }
}

/// All start and end tags in document order.
pub(crate) fn tags(html: &str) -> Vec<Tag<'_>> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        if html[i..].starts_with("<!--") {
            i = html[i..].find("-->").map_or(bytes.len(), |e| i + e + 3);
            continue;
        }
        let closing = bytes.get(i + 1) == Some(&b'/');
        let name_start = i + 1 + usize::from(closing);
        let name_end = html[name_start..]
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '-')
            .map_or(bytes.len(), |e| name_start + e);
        if name_end == name_start || !bytes[name_start].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let (attrs, end) = attributes(html, name_end);
        out.push(Tag {
            start: i,
            end,
            name: &html[name_start..name_end],
            closing,
            attrs,
        });
        i = end;
    }
    out
}

/// Parses attributes from `pos` to the end of the tag; returns them and the byte after `>`.
fn attributes(html: &str, mut pos: usize) -> (Vec<Attr<'_>>, usize) {
    let bytes = html.as_bytes();
    let mut attrs = Vec::new();
    loop {
        while pos < bytes.len() && (bytes[pos].is_ascii_whitespace() || bytes[pos] == b'/') {
            pos += 1;
        }
        if pos >= bytes.len() {
            return (attrs, bytes.len());
        }
        if bytes[pos] == b'>' {
            return (attrs, pos + 1);
        }
        let name_start = pos;
        while pos < bytes.len()
            && !matches!(bytes[pos], b'=' | b'>' | b'/')
            && !bytes[pos].is_ascii_whitespace()
        {
            pos += 1;
        }
        let name = &html[name_start..pos];
        let mut raw = "";
        if bytes.get(pos) == Some(&b'=') {
            pos += 1;
            match bytes.get(pos) {
                Some(&q) if q == b'"' || q == b'\'' => {
                    let value_start = pos + 1;
                    let value_end = html[value_start..]
                        .find(q as char)
                        .map_or(bytes.len(), |e| value_start + e);
                    raw = &html[value_start..value_end];
                    pos = (value_end + 1).min(bytes.len());
                }
                _ => {
                    let value_start = pos;
                    while pos < bytes.len()
                        && bytes[pos] != b'>'
                        && !bytes[pos].is_ascii_whitespace()
                    {
                        pos += 1;
                    }
                    raw = &html[value_start..pos];
                }
            }
        }
        if name.is_empty() {
            pos += 1;
            continue;
        }
        attrs.push(Attr {
            name,
            raw,
            range: name_start..pos,
        });
    }
}

/// Decodes the entities an HTML serializer writes in attribute values (and numeric ones).
pub(crate) fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest[..rest.len().min(12)].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => entity.strip_prefix('#').and_then(|n| {
                let code = match n.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => n.parse().ok(),
                };
                code.and_then(char::from_u32)
            }),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}
