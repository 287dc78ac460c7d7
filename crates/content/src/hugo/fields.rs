//! Typed access to front matter fields, Hugo's file-name conventions (dates, URL
//! segments) and the small value types every area shares (links, dates).

use serde_json::{Map, Value};

use codefor_domain::Link;

use crate::frontmatter::Split;
use crate::report::{ParseError, Warning};

/// One content file with its parsed front matter.
pub(crate) struct Fm<'a> {
    /// `content/labs/berlin.md`.
    pub file: &'a str,
    pub split: Split<'a>,
    pub map: &'a Map<String, Value>,
}

impl<'a> Fm<'a> {
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub fn line(&self, key: &str) -> usize {
        self.split
            .key_line(key)
            .unwrap_or_else(|| self.split.front_line())
    }

    pub fn error(&self, key: &str, message: impl Into<String>) -> ParseError {
        ParseError {
            file: self.file.to_owned(),
            line: self.line(key),
            field: Some(key.to_owned()),
            message: message.into(),
        }
    }

    pub fn warning(
        &self,
        key: Option<&str>,
        what: impl Into<String>,
        action: impl Into<String>,
    ) -> Warning {
        let line = key.map_or(self.split.front_line(), |k| self.line(k));
        Warning::new(self.file, Some(line), what, action)
    }

    /// A text field. Numbers and booleans are taken as their text (Hugo did the same);
    /// blank text counts as absent.
    pub fn str(&self, key: &str) -> Result<Option<String>, ParseError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => scalar_text(v)
                .map(|s| Some(s).filter(|s| !s.is_empty()))
                .ok_or_else(|| self.error(key, format!("expected text, found {}", kind(v)))),
        }
    }

    /// A yes/no field. `1`/`0` and the strings `"true"`/`"false"` are understood with a
    /// warning.
    pub fn bool(&self, key: &str, warnings: &mut Vec<Warning>) -> Result<Option<bool>, ParseError> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let b = match v {
            Value::Bool(b) => return Ok(Some(*b)),
            Value::Number(n) if n.as_i64() == Some(0) => false,
            Value::Number(n) if n.as_i64() == Some(1) => true,
            Value::String(s) if s.trim().eq_ignore_ascii_case("true") => true,
            Value::String(s) if s.trim().eq_ignore_ascii_case("false") => false,
            other => {
                return Err(self.error(
                    key,
                    format!("expected true or false, found {}", kind(other)),
                ));
            }
        };
        warnings.push(self.warning(
            Some(key),
            format!("`{key}: {}` is not true/false", compact(v)),
            format!("read as {b}"),
        ));
        Ok(Some(b))
    }

    /// A number, given as a number or as text (`"52.5"`, also with a decimal comma).
    pub fn f64(&self, key: &str) -> Result<Option<f64>, ParseError> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let n = match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) if s.trim().is_empty() => return Ok(None),
            Value::String(s) => s.trim().replace(',', ".").parse::<f64>().ok(),
            _ => None,
        };
        match n {
            Some(n) if n.is_finite() => Ok(Some(n)),
            _ => Err(self.error(key, format!("expected a number, found {}", compact(v)))),
        }
    }

    /// A list of texts; a single text counts as a list of one.
    pub fn str_list(&self, key: &str) -> Result<Vec<String>, ParseError> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for item in items {
                    match item {
                        Value::Null => {}
                        v => match scalar_text(v) {
                            Some(s) if !s.is_empty() => out.push(s),
                            Some(_) => {}
                            None => {
                                return Err(self.error(
                                    key,
                                    format!("expected a list of texts, found {} in it", kind(v)),
                                ));
                            }
                        },
                    }
                }
                Ok(out)
            }
            Some(v) => match scalar_text(v) {
                Some(s) if s.is_empty() => Ok(Vec::new()),
                Some(s) => Ok(vec![s]),
                None => Err(self.error(
                    key,
                    format!("expected a text or a list of texts, found {}", kind(v)),
                )),
            },
        }
    }

    /// A list of mappings (links, people); `null` is an empty list.
    pub fn map_list(&self, key: &str) -> Result<Vec<&'a Map<String, Value>>, ParseError> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for item in items {
                    match item {
                        Value::Object(m) => out.push(m),
                        Value::Null => {}
                        other => {
                            return Err(self.error(
                                key,
                                format!("expected a list of mappings, found {} in it", kind(other)),
                            ));
                        }
                    }
                }
                Ok(out)
            }
            Some(v) => Err(self.error(key, format!("expected a list, found {}", kind(v)))),
        }
    }

    /// A date field normalized to `YYYY-MM-DD`.
    pub fn date(&self, key: &str) -> Result<Option<String>, ParseError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => date_of(s).map(Some).ok_or_else(|| {
                self.error(key, format!("expected a date like 2014-07-14, found `{s}`"))
            }),
            Some(v) => Err(self.error(
                key,
                format!("expected a date like 2014-07-14, found {}", kind(v)),
            )),
        }
    }

    /// The lines of every nested `key:` in the front matter, in order (for warnings about
    /// keys inside lists).
    pub fn nested_lines(&self, key: &str) -> Vec<usize> {
        self.split.key_lines(key)
    }
}

/// A scalar as text; `None` for lists and mappings.
pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "a text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The text value of `key` in a nested mapping, when it is a non-blank scalar.
pub(crate) fn text_in(m: &Map<String, Value>, key: &str) -> Option<String> {
    m.get(key).and_then(scalar_text).filter(|s| !s.is_empty())
}

/// Normalizes a front matter date (`2014-07-14`, `2021-05-01T11:04:33+02:00`,
/// `2014-07-14 10:00:00 +0200`) to `YYYY-MM-DD`, the calendar date as written (no time
/// zone conversion). `None` when the text does not start with a real calendar date.
pub(crate) fn date_of(text: &str) -> Option<String> {
    let t = text.trim();
    let head = t.get(..10)?;
    let rest = &t[10..];
    if !(rest.is_empty() || rest.starts_with(['T', 't', ' '])) {
        return None;
    }
    valid_ymd(head).then(|| head.to_owned())
}

/// True for `YYYY-MM-DD` naming a real calendar day.
pub(crate) fn valid_ymd(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (
        s[..4].parse::<i32>(),
        s[5..7].parse::<u8>(),
        s[8..10].parse::<u8>(),
    ) else {
        return false;
    };
    if !s[..4]
        .bytes()
        .chain(s[5..7].bytes())
        .chain(s[8..10].bytes())
        .all(|c| c.is_ascii_digit())
    {
        return false;
    }
    let Ok(month) = time::Month::try_from(m) else {
        return false;
    };
    time::Date::from_calendar_date(y, month, d).is_ok()
}

/// What Hugo made of a file name starting with a date (`:filename` date handler).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FileDate {
    /// No `YYYY-MM-DD` at the start.
    None,
    /// A real date; `rest` is the name after it with ` -_` trimmed.
    Valid { date: String, rest: String },
    /// Looks like a date but is not a real day (`2021-09-31`) or is Hugo's zero date
    /// `0001-01-01`: Hugo ignored it and kept the whole name in the URL.
    Invalid { text: String, rest: String },
}

pub(crate) fn file_date(stem: &str) -> FileDate {
    let Some(head) = stem.get(..10) else {
        return FileDate::None;
    };
    let b = head.as_bytes();
    let shaped = b[4] == b'-'
        && b[7] == b'-'
        && head
            .bytes()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return FileDate::None;
    }
    let rest = stem[10..].trim_matches([' ', '-', '_']).to_owned();
    if valid_ymd(head) && head != "0001-01-01" {
        FileDate::Valid {
            date: head.to_owned(),
            rest,
        }
    } else {
        FileDate::Invalid {
            text: head.to_owned(),
            rest,
        }
    }
}

/// The URL segment Hugo made of a file name or slug: letters (any script), digits and
/// `._-#+~@` kept, runs of spaces and dashes between them become one dash, everything
/// else dropped, then lowercased (Hugo's `UnicodeSanitize` + `disablePathToLower: false`).
pub(crate) fn hugo_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut hyphen = false;
    for c in name.chars() {
        let allowed = c.is_alphanumeric() || matches!(c, '.' | '_' | '#' | '+' | '~' | '-' | '@');
        if allowed {
            if hyphen {
                out.push('-');
                hyphen = false;
            }
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && c.is_whitespace() {
            hyphen = true;
        }
    }
    out
}

/// A slug for our URLs from Hugo's segment: the segment itself when it is a valid slug,
/// else its ASCII transliteration. The second value is Hugo's segment when it differs
/// (so the caller can redirect the old URL).
pub(crate) fn slug_from_segment(segment: &str) -> (String, Option<String>) {
    if codefor_domain::slug::is_valid(segment) {
        (segment.to_owned(), None)
    } else {
        (
            codefor_domain::slug::slugify(segment),
            Some(segment.to_owned()),
        )
    }
}

/// Reads a list of `{name, url}` mappings into links. Items without a URL are skipped with
/// a warning; a missing name becomes the URL's host. `url-name` and `title` are read as the
/// name (counted in `alt_name_keys`).
pub(crate) fn links(
    fm: &Fm,
    key: &str,
    name_key: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Link>, ParseError> {
    let mut out = Vec::new();
    for m in fm.map_list(key)? {
        match link_of(m, name_key) {
            Some(link) => out.push(link),
            None if m
                .values()
                .all(|v| scalar_text(v).is_some_and(|t| t.is_empty())) =>
            {
                warnings.push(fm.warning(
                    Some(key),
                    format!("empty entry in `{key}`"),
                    "skipped; delete it",
                ));
            }
            None => warnings.push(fm.warning(
                Some(key),
                format!(
                    "`{key}` entry without a url ({})",
                    serde_json::Value::Object(m.clone())
                ),
                "skipped",
            )),
        }
    }
    Ok(out)
}

pub(crate) fn link_of(m: &Map<String, Value>, name_key: &str) -> Option<Link> {
    let url = text_in(m, "url")?;
    let name = text_in(m, name_key)
        .or_else(|| text_in(m, "url-name"))
        .or_else(|| text_in(m, "title"))
        .unwrap_or_else(|| host_of(&url));
    Some(Link { name, url })
}

/// The host of a URL (`github.com`), or the text itself when it has none.
pub(crate) fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h.trim_start_matches("www.").to_owned())
        })
        .unwrap_or_else(|| url.to_owned())
}

/// Media path as written in front matter: no leading `/`, no `static/`.
pub(crate) fn media_path(p: &str) -> String {
    let p = p.trim().trim_start_matches("./").trim_start_matches('/');
    p.strip_prefix("static/").unwrap_or(p).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date_of("2014-07-14"), Some("2014-07-14".into()));
        assert_eq!(
            date_of("2021-05-01T11:04:33+02:00"),
            Some("2021-05-01".into())
        );
        assert_eq!(
            date_of("2021-05-01 11:04:33 +0200"),
            Some("2021-05-01".into())
        );
        assert_eq!(date_of("2021-09-31"), None);
        assert_eq!(date_of("2021-02-29"), None);
        assert_eq!(date_of("2020-02-29"), Some("2020-02-29".into()));
        assert_eq!(date_of("20140714"), None);
        assert_eq!(date_of("2014-07-14x"), None);
    }

    #[test]
    fn file_dates_like_hugo() {
        assert_eq!(
            file_date("2014-10-06-codeweek-eu"),
            FileDate::Valid {
                date: "2014-10-06".into(),
                rest: "codeweek-eu".into()
            }
        );
        assert_eq!(
            file_date("2025-03-21_baumbie_bielefeld"),
            FileDate::Valid {
                date: "2025-03-21".into(),
                rest: "baumbie_bielefeld".into()
            }
        );
        assert_eq!(
            file_date("2021-09-31-out-in-the-open"),
            FileDate::Invalid {
                text: "2021-09-31".into(),
                rest: "out-in-the-open".into()
            }
        );
        assert!(matches!(
            file_date("0001-01-01-mein-post"),
            FileDate::Invalid { .. }
        ));
        assert_eq!(file_date("berlin"), FileDate::None);
        assert_eq!(file_date("impressum-2014"), FileDate::None);
    }

    #[test]
    fn segments_like_hugo() {
        assert_eq!(
            hugo_segment("Bericht-Code-for-All-Bucharest"),
            "bericht-code-for-all-bucharest"
        );
        assert_eq!(
            hugo_segment("digital-refugee-labs Kopie"),
            "digital-refugee-labs-kopie"
        );
        assert_eq!(
            hugo_segment("Launch-Verfassungsschutzberichte.de"),
            "launch-verfassungsschutzberichte.de"
        );
        assert_eq!(
            hugo_segment("Unvereinbarkeitserklärung-NDAs"),
            "unvereinbarkeitserklärung-ndas"
        );
        assert_eq!(hugo_segment("a (b)"), "a-b");
        assert_eq!(slug_from_segment("civic_tech"), ("civic_tech".into(), None));
        assert_eq!(
            slug_from_segment("unvereinbarkeitserklärung-ndas"),
            (
                "unvereinbarkeitserklaerung-ndas".into(),
                Some("unvereinbarkeitserklärung-ndas".into())
            )
        );
    }

    #[test]
    fn media_paths() {
        assert_eq!(media_path("/static/blog/a b.png"), "blog/a b.png");
        assert_eq!(media_path("/blog/x.jpg"), "blog/x.jpg");
        assert_eq!(media_path("x.jpg"), "x.jpg");
    }

    fn fm_of(text: &str) -> (String, serde_json::Value) {
        let s = crate::frontmatter::split("x.md", text).unwrap();
        (
            text.to_owned(),
            crate::frontmatter::parse("x.md", &s).unwrap(),
        )
    }

    #[test]
    fn typed_getters() {
        let (text, v) = fm_of(
            "---\nlat: \"52,5\"\nlong: abc\ndraft: 1\nlab: berlin\ntags: [a, 2]\nlinks:\n- url: https://www.x.org/a\n- name: n\n---\n",
        );
        let split = crate::frontmatter::split("x.md", &text).unwrap();
        let fm = Fm {
            file: "x.md",
            split,
            map: v.as_object().unwrap(),
        };
        assert_eq!(fm.f64("lat").unwrap(), Some(52.5));
        let e = fm.f64("long").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (3, Some("long")));
        let mut w = Vec::new();
        assert_eq!(fm.bool("draft", &mut w).unwrap(), Some(true));
        assert_eq!(w.len(), 1);
        assert_eq!(fm.str_list("lab").unwrap(), vec!["berlin"]);
        assert_eq!(fm.str_list("tags").unwrap(), vec!["a", "2"]);
        assert!(fm.str("tags").is_err());
        let l = links(&fm, "links", "name", &mut w).unwrap();
        assert_eq!(
            l,
            vec![Link {
                name: "x.org".into(),
                url: "https://www.x.org/a".into()
            }]
        );
        assert_eq!(w.len(), 2, "{w:?}");
        assert_eq!(w[1].line, Some(7));
        assert!(w[1].what.contains("without a url"), "{w:?}");
    }
}
