//! What the pipeline tells people: warnings (we did something about it) and fatal
//! errors (nothing can be written), each naming the file, the line and the field.

use std::fmt;

use serde::Serialize;

/// Something worth a look that the pipeline handled on its own.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Warning {
    /// Path relative to the imported directory, e.g. `content/labs/berlin.md`.
    pub file: String,
    /// 1-based line in that file, when known.
    pub line: Option<usize>,
    /// What is wrong, e.g. `link to missing page /blog/foo/`.
    pub what: String,
    /// What we did, e.g. `rendered as plain text`.
    pub action: String,
}

impl Warning {
    pub fn new(
        file: impl Into<String>,
        line: Option<usize>,
        what: impl Into<String>,
        action: impl Into<String>,
    ) -> Warning {
        Warning {
            file: file.into(),
            line,
            what: what.into(),
            action: action.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}; {}", self.file, line, self.what, self.action),
            None => write!(f, "{}: {}; {}", self.file, self.what, self.action),
        }
    }
}

/// A file that cannot be read at all. An import that meets one writes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {}{message}", field.as_ref().map(|f| format!("field `{f}`: ")).unwrap_or_default())]
pub struct ParseError {
    pub file: String,
    /// 1-based line (1 when the problem has no better place).
    pub line: usize,
    pub field: Option<String>,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_field() {
        let e = ParseError {
            file: "content/labs/x.md".into(),
            line: 4,
            field: Some("lat".into()),
            message: "expected a number".into(),
        };
        assert_eq!(
            e.to_string(),
            "content/labs/x.md:4: field `lat`: expected a number"
        );
        let w = Warning::new(
            "a.md",
            Some(3),
            "bare domain link `x.org/`",
            "linked to https://x.org/",
        );
        assert_eq!(
            w.to_string(),
            "a.md:3: bare domain link `x.org/`; linked to https://x.org/"
        );
    }
}
