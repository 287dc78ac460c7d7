//! Field errors of a form: which field, what is wrong, in words a person can act on.

use serde::Serialize;

/// The errors of one form submission, in field order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub Vec<FieldError>);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The form field's `name`.
    pub field: &'static str,
    pub message: String,
}

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push(FieldError {
            field,
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for a field, for templates that show it beside the input.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// `Ok(value)` when no error was added.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    /// Field → message, for templates that show each beside its input.
    pub fn by_field(&self) -> std::collections::BTreeMap<&'static str, String> {
        self.0
            .iter()
            .map(|e| (e.field, e.message.clone()))
            .collect()
    }

    /// All messages as one text, for pages that show them above a list of forms.
    pub fn joined(&self) -> String {
        self.0
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn one(field: &'static str, message: impl Into<String>) -> FieldErrors {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        errors
    }
}

/// A required single-line text: trimmed, not empty, at most `max` characters. `label`
/// is the field's visible name.
pub fn required(
    errors: &mut FieldErrors,
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, format!("Bitte fülle „{label}“ aus."));
    } else if value.chars().count() > max {
        errors.add(
            field,
            format!("„{label}“ darf höchstens {max} Zeichen lang sein."),
        );
    } else if value.chars().any(char::is_control) {
        errors.add(
            field,
            format!("„{label}“ darf keine Steuerzeichen enthalten."),
        );
    }
    value.to_owned()
}

/// An optional text of at most `max` characters (line breaks allowed when `multiline`).
pub fn optional(
    errors: &mut FieldErrors,
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
) -> Option<String> {
    let value = value.trim();
    if value.chars().count() > max {
        errors.add(
            field,
            format!("„{label}“ darf höchstens {max} Zeichen lang sein."),
        );
    }
    (!value.is_empty()).then(|| value.replace("\r\n", "\n"))
}

/// A plausible e-mail address: one `@`, a dotted domain, no spaces, at most 254 bytes.
pub fn email(errors: &mut FieldErrors, field: &'static str, value: &str) -> String {
    let value = value.trim();
    let plausible = value.len() <= 254
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if value.is_empty() {
        errors.add(field, "Bitte gib deine E-Mail-Adresse an.");
    } else if !plausible {
        errors.add(
            field,
            "Das sieht nicht nach einer E-Mail-Adresse aus (Beispiel: name@beispiel.de).",
        );
    }
    value.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        let mut e = FieldErrors::default();
        email(&mut e, "email", "ada@example.org");
        assert!(e.is_empty());
        for bad in [
            "", "ada", "ada@", "@x.de", "a b@x.de", "a@x", "a@.x.de", "a@@x.de",
        ] {
            let mut e = FieldErrors::default();
            email(&mut e, "email", bad);
            assert!(e.get("email").is_some(), "{bad}");
        }
    }

    #[test]
    fn required_and_optional() {
        let mut e = FieldErrors::default();
        assert_eq!(required(&mut e, "name", "Name", "  Ada ", 10), "Ada");
        assert!(e.is_empty());
        required(&mut e, "name", "Name", "   ", 10);
        required(&mut e, "city", "Ort", "x".repeat(11).as_str(), 10);
        assert_eq!(e.get("name"), Some("Bitte fülle „Name“ aus."));
        assert!(e.get("city").is_some_and(|m| m.contains("höchstens 10")));
        assert_eq!(optional(&mut e, "m", "M", "  ", 5), None);
        assert_eq!(
            optional(&mut e, "m", "M", "a\r\nb", 5).as_deref(),
            Some("a\nb")
        );
    }
}
