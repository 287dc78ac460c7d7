//! Front matter: the YAML (`---`) or TOML (`+++`) block at the top of a content file.
//!
//! [`split`] finds the block and the body without parsing anything; [`parse`] turns the
//! block into a JSON object. Errors name the file and the line *in the file* (not in the
//! block), and the field when one is known.

use crate::report::{ParseError, Warning};

/// The language of a front matter block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Between `---` lines.
    Yaml,
    /// Between `+++` lines.
    Toml,
}

/// A content file cut into its front matter and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// `None` when the file has no front matter (then `front` is empty).
    pub format: Option<Format>,
    /// The text between the delimiter lines, without them.
    pub front: &'a str,
    /// Everything after the closing delimiter line.
    pub body: &'a str,
    /// 1-based line number of the body's first line in the file.
    pub body_line: usize,
}

impl Split<'_> {
    /// 1-based line in the file of the front matter's first line.
    pub fn front_line(&self) -> usize {
        if self.format.is_some() { 2 } else { 1 }
    }

    /// The file line of the first top-level `key:` (YAML) or `key =` (TOML) in the front
    /// matter, when there is one.
    pub fn key_line(&self, key: &str) -> Option<usize> {
        self.front
            .lines()
            .position(|l| line_defines_key(l, key, false))
            .map(|i| i + self.front_line())
    }

    /// The file lines of every `key:` in the front matter at any depth (including list
    /// items such as `- key: value`), in order.
    pub fn key_lines(&self, key: &str) -> Vec<usize> {
        self.front
            .lines()
            .enumerate()
            .filter(|(_, l)| line_defines_key(l, key, true))
            .map(|(i, _)| i + self.front_line())
            .collect()
    }

    /// The file line of the first line in the front matter that mentions `needle`.
    pub fn line_mentioning(&self, needle: &str) -> Option<usize> {
        if needle.is_empty() {
            return None;
        }
        self.front
            .lines()
            .position(|l| l.contains(needle))
            .map(|i| i + self.front_line())
    }
}

fn line_defines_key(line: &str, key: &str, nested: bool) -> bool {
    let rest = if nested {
        let t = line.trim_start();
        t.strip_prefix('-').map(str::trim_start).unwrap_or(t)
    } else {
        line
    };
    let rest = rest.strip_prefix('"').unwrap_or(rest);
    match rest.strip_prefix(key) {
        Some(after) => {
            let after = after.strip_prefix('"').unwrap_or(after).trim_start();
            after.starts_with(':') || after.starts_with('=')
        }
        None => false,
    }
}

/// Cuts `text` into front matter and body. A file that does not start with `---` or `+++`
/// has no front matter; one that opens a block and never closes it is an error.
pub fn split<'a>(file: &str, text: &'a str) -> Result<Split<'a>, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    let first = text[..first_end].trim_end();
    let (format, delim) = match first {
        "---" => (Format::Yaml, "---"),
        "+++" => (Format::Toml, "+++"),
        _ => {
            return Ok(Split {
                format: None,
                front: "",
                body: text,
                body_line: 1,
            });
        }
    };
    let mut offset = first_end;
    let mut line_no = 2;
    while offset < text.len() {
        let end = text[offset..]
            .find('\n')
            .map_or(text.len(), |i| offset + i + 1);
        let line = text[offset..end].trim_end();
        if line == delim || (format == Format::Yaml && line == "...") {
            return Ok(Split {
                format: Some(format),
                front: &text[first_end..offset],
                body: &text[end..],
                body_line: line_no + 1,
            });
        }
        offset = end;
        line_no += 1;
    }
    Err(ParseError {
        file: file.to_owned(),
        line: 1,
        field: None,
        message: format!("front matter opened with `{delim}` is never closed"),
    })
}

/// Parses the front matter into a JSON object (an empty object when there is none).
pub fn parse(file: &str, split: &Split) -> Result<serde_json::Value, ParseError> {
    parse_with_warnings(file, split, &mut Vec::new())
}

/// Like [`parse`], and reports what it tolerated: a key given twice in one mapping (the
/// later value wins, as it did for Hugo).
pub fn parse_with_warnings(
    file: &str,
    split: &Split,
    warnings: &mut Vec<Warning>,
) -> Result<serde_json::Value, ParseError> {
    let value = match split.format {
        None => return Ok(serde_json::Value::Object(serde_json::Map::new())),
        Some(Format::Yaml) => parse_yaml(file, split, warnings)?,
        Some(Format::Toml) => parse_toml(file, split)?,
    };
    match value {
        serde_json::Value::Object(_) => Ok(value),
        serde_json::Value::Null => Ok(serde_json::Value::Object(serde_json::Map::new())),
        other => Err(ParseError {
            file: file.to_owned(),
            line: split.front_line(),
            field: None,
            message: format!(
                "front matter must be a mapping of keys to values, found {}",
                kind(&other)
            ),
        }),
    }
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "nothing",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "a mapping",
    }
}

fn yaml_options(duplicates: serde_saphyr::DuplicateKeyPolicy) -> serde_saphyr::Options {
    serde_saphyr::options! {
        duplicate_keys: duplicates,
        with_snippet: false,
    }
}

fn parse_yaml(
    file: &str,
    split: &Split,
    warnings: &mut Vec<Warning>,
) -> Result<serde_json::Value, ParseError> {
    if split.front.trim().is_empty() {
        return Ok(serde_json::Value::Null);
    }
    let strict = yaml_options(serde_saphyr::DuplicateKeyPolicy::Error);
    match serde_saphyr::from_str_with_options::<serde_json::Value>(split.front, strict) {
        Ok(v) => Ok(v),
        Err(e @ serde_saphyr::Error::DuplicateMappingKey { .. }) => {
            let line = yaml_error_line(&e, split);
            let lenient = yaml_options(serde_saphyr::DuplicateKeyPolicy::LastWins);
            let v = serde_saphyr::from_str_with_options::<serde_json::Value>(split.front, lenient)
                .map_err(|e| yaml_error(file, split, &e))?;
            let key = match &e {
                serde_saphyr::Error::DuplicateMappingKey { key: Some(k), .. } => {
                    format!("key `{k}`")
                }
                _ => "a key".to_owned(),
            };
            warnings.push(Warning::new(
                file,
                Some(line),
                format!("{key} given twice in one mapping (mis-indented?)"),
                "the later value wins, as it did for Hugo",
            ));
            Ok(v)
        }
        Err(e) => Err(yaml_error(file, split, &e)),
    }
}

/// Parses a whole YAML document (a data file) into JSON. The error carries the 1-based
/// line in `text` and a one-line message.
pub(crate) fn yaml_document(text: &str) -> Result<serde_json::Value, (usize, String)> {
    let options = yaml_options(serde_saphyr::DuplicateKeyPolicy::LastWins);
    serde_saphyr::from_str_with_options::<serde_json::Value>(text, options).map_err(|e| {
        let line = e
            .location()
            .map_or(1, |l| usize::try_from(l.line()).unwrap_or(1))
            .max(1);
        (line, first_line(&e.to_string()))
    })
}

fn yaml_error_line(e: &serde_saphyr::Error, split: &Split) -> usize {
    let line = e
        .location()
        .map_or(0, |l| usize::try_from(l.line()).unwrap_or(0));
    split.front_line() + line.saturating_sub(1)
}

fn first_line(s: &str) -> String {
    let s = s.lines().next().unwrap_or("").trim();
    // serde-saphyr appends " at line L column C" relative to the block: drop it, the
    // caller reports the file line.
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s.to_owned(),
    }
}

fn yaml_error(file: &str, split: &Split, e: &serde_saphyr::Error) -> ParseError {
    ParseError {
        file: file.to_owned(),
        line: yaml_error_line(e, split),
        field: None,
        message: format!(
            "front matter is not valid YAML: {}",
            first_line(&e.to_string())
        ),
    }
}

fn parse_toml(file: &str, split: &Split) -> Result<serde_json::Value, ParseError> {
    match split.front.parse::<toml::Table>() {
        Ok(table) => Ok(toml_to_json(toml::Value::Table(table))),
        Err(e) => {
            let line = e.span().map_or(0, |s| {
                crate::frontmatter::newlines_before(split.front, s.start)
            });
            Err(ParseError {
                file: file.to_owned(),
                line: split.front_line() + line,
                field: None,
                message: format!("front matter is not valid TOML: {}", e.message()),
            })
        }
    }
}

/// How many line breaks come before byte `offset` of `text` (0-based line of the offset).
pub(crate) fn newlines_before(text: &str, offset: usize) -> usize {
    let bytes = text.as_bytes();
    bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// TOML to JSON; dates and times become their TOML text (`2014-07-14`,
/// `2021-05-01T11:04:33+02:00`), as YAML timestamps do.
pub(crate) fn toml_to_json(v: toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(i) => J::from(i),
        toml::Value::Float(f) => {
            serde_json::Number::from_f64(f).map_or_else(|| J::String(f.to_string()), J::Number)
        }
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            J::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_front_matter_and_body_line() {
        let text = "---\ntitle: Hallo\nlat: 52.5\n---\n\nBody\n";
        let s = split("a.md", text).unwrap();
        assert_eq!(s.format, Some(Format::Yaml));
        assert_eq!(s.front, "title: Hallo\nlat: 52.5\n");
        assert_eq!(s.body, "\nBody\n");
        assert_eq!(s.body_line, 5);
        assert_eq!(s.key_line("lat"), Some(3));
        let v = parse("a.md", &s).unwrap();
        assert_eq!(v["title"], "Hallo");
        assert_eq!(v["lat"], 52.5);
    }

    #[test]
    fn toml_front_matter_with_dates() {
        let text = "+++\ntitle = \"X\"\ndate = 2014-07-14\n[extra]\nn = 1\n+++\nBody";
        let s = split("a.md", text).unwrap();
        assert_eq!(s.format, Some(Format::Toml));
        assert_eq!(s.body, "Body");
        assert_eq!(s.body_line, 7);
        let v = parse("a.md", &s).unwrap();
        assert_eq!(v["date"], "2014-07-14");
        assert_eq!(v["extra"]["n"], 1);
    }

    #[test]
    fn no_front_matter() {
        let s = split("a.md", "# Title\n---\n").unwrap();
        assert_eq!(s.format, None);
        assert_eq!(s.body_line, 1);
        assert_eq!(parse("a.md", &s).unwrap(), serde_json::json!({}));
        let empty = split("a.md", "---\n---\nx").unwrap();
        assert_eq!(parse("a.md", &empty).unwrap(), serde_json::json!({}));
        assert_eq!(empty.body, "x");
    }

    #[test]
    fn unclosed_block_is_an_error() {
        let e = split("x.md", "---\ntitle: a\n").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("x.md", 1));
        assert!(e.message.contains("never closed"), "{e}");
    }

    #[test]
    fn yaml_error_names_the_file_line() {
        let text = "---\ntitle: ok\nlinks:\n  - name: a\n   url: [\n---\n";
        let s = split("content/x.md", text).unwrap();
        let e = parse("content/x.md", &s).unwrap_err();
        assert_eq!(e.file, "content/x.md");
        assert!((4..=6).contains(&e.line), "{e}");
        assert!(
            e.message.starts_with("front matter is not valid YAML"),
            "{e}"
        );

        let text = "---\ntitle: ok\nfoo: [1, 2\nbar: 3\n---\n";
        let e = parse("x.md", &split("x.md", text).unwrap()).unwrap_err();
        assert!((3..=5).contains(&e.line), "{e}");
    }

    #[test]
    fn toml_error_names_the_file_line() {
        let text = "+++\ntitle = \"ok\"\n\nbroken = = 1\n+++\n";
        let e = parse("x.md", &split("x.md", text).unwrap()).unwrap_err();
        assert_eq!(e.line, 4, "{e}");
    }

    #[test]
    fn not_a_mapping_is_an_error() {
        let e = parse("x.md", &split("x.md", "---\n- a\n- b\n---\n").unwrap()).unwrap_err();
        assert!(e.message.contains("found a list"), "{e}");
    }

    #[test]
    fn duplicate_keys_last_wins_with_warning() {
        let text = "---\nlinks:\n- url: a\nname: x\nlinks:\n- url: b\n---\n";
        let s = split("p.md", text).unwrap();
        let mut w = Vec::new();
        let v = parse_with_warnings("p.md", &s, &mut w).unwrap();
        assert_eq!(v["links"][0]["url"], "b");
        assert_eq!(v["name"], "x");
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].line, Some(5), "{w:?}");
        assert!(w[0].what.contains("links"), "{w:?}");
    }

    #[test]
    fn trailing_tab_and_datetimes() {
        let text = "---\nauthor: Knut\t\ndate: 2021-05-01T11:04:33+02:00\n---\n";
        let v = parse("x.md", &split("x.md", text).unwrap()).unwrap();
        assert_eq!(v["author"], "Knut");
        assert_eq!(v["date"], "2021-05-01T11:04:33+02:00");
    }

    #[test]
    fn nested_key_lines() {
        let text = "---\nmembers:\n- name: A\n  sername-twitter: a\n- sername-twitter: b\n---\n";
        let s = split("x.md", text).unwrap();
        assert_eq!(s.key_lines("sername-twitter"), vec![4, 5]);
        assert_eq!(s.key_line("members"), Some(2));
        assert_eq!(s.key_line("name"), None);
        assert_eq!(s.line_mentioning("name: A"), Some(3));
    }
}
