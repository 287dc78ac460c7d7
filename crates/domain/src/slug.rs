//! URL slugs: lowercase ASCII letters, digits and dashes.

/// Turns a title or file name into a slug the way codefor.de's URLs look
/// (`Köln` → `koeln`, `Open Data Day 2019` → `open-data-day-2019`).
pub fn slugify(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut dash = false;
    for ch in input.chars().flat_map(char::to_lowercase) {
        let piece: &str = match ch {
            'ä' => "ae",
            'ö' => "oe",
            'ü' => "ue",
            'ß' => "ss",
            c if c.is_ascii_alphanumeric() => {
                if dash && !out.is_empty() {
                    out.push('-');
                }
                dash = false;
                out.push(c);
                continue;
            }
            _ => {
                dash = true;
                continue;
            }
        };
        if dash && !out.is_empty() {
            out.push('-');
        }
        dash = false;
        out.push_str(piece);
    }
    out
}

/// True when `s` is a slug we can put into a URL path segment unchanged.
pub fn is_valid(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'.'
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umlauts_and_spaces() {
        assert_eq!(slugify("Köln"), "koeln");
        assert_eq!(slugify("Open Data Day 2019!"), "open-data-day-2019");
        assert_eq!(slugify("  Straße  der Einheit "), "strasse-der-einheit");
        assert!(is_valid("ok-lab_1.0"));
        assert!(!is_valid("Berlin"));
    }
}
