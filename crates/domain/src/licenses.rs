//! Plain-language hints on the licences projects use most, for people who are not
//! lawyers: what the licence allows and asks for, in one sentence.

/// A German sentence on what a licence expression means, by its first licence; a
/// general sentence for licences without a hint of their own.
pub fn hint(expression: &str) -> &'static str {
    // Several licences at once: the conditions of all of them apply.
    if expression.split_whitespace().any(|w| w == "AND") {
        return "Mehrere Lizenzen gelten zugleich: Die Bedingungen jeder einzelnen sind einzuhalten; sie stehen in den Lizenzdateien im Repository und unter spdx.org/licenses.";
    }
    let first = expression
        .split([' ', '(', ')'])
        .find(|w| !w.is_empty() && !matches!(*w, "OR" | "AND" | "WITH"))
        .unwrap_or("");
    let id = first.trim_end_matches('+');
    match id {
        "MIT" | "ISC" | "BSD-2-Clause" | "BSD-3-Clause" | "0BSD" => {
            "Eine freizügige Lizenz: Die Software darf genutzt, verändert und weitergegeben werden, auch in eigenen Produkten; der Lizenzhinweis muss erhalten bleiben."
        }
        "Apache-2.0" => {
            "Eine freizügige Lizenz mit Patentschutz: Nutzen, Verändern und Weitergeben sind erlaubt; Hinweise und Änderungen müssen kenntlich bleiben."
        }
        "EUPL-1.2" | "EUPL-1.1" => {
            "Die Open-Source-Lizenz der Europäischen Union, in allen Amtssprachen rechtsgültig: Wer die Software verändert weitergibt oder als Dienst anbietet, muss den Quellcode offenlegen."
        }
        "AGPL-3.0-only" | "AGPL-3.0-or-later" | "AGPL-3.0" => {
            "Eine Copyleft-Lizenz: Wer die Software verändert – auch nur als Webdienst betreibt –, muss den veränderten Quellcode unter derselben Lizenz offenlegen."
        }
        "GPL-3.0-only" | "GPL-3.0-or-later" | "GPL-2.0-only" | "GPL-2.0-or-later" | "GPL-3.0"
        | "GPL-2.0" => {
            "Eine Copyleft-Lizenz: Wer die Software verändert weitergibt, muss den Quellcode unter derselben Lizenz mitliefern."
        }
        "LGPL-3.0-only" | "LGPL-3.0-or-later" | "LGPL-2.1-only" | "LGPL-2.1-or-later" => {
            "Eine schwache Copyleft-Lizenz für Bibliotheken: Sie darf in andere Software eingebunden werden; Änderungen an ihr selbst bleiben offen."
        }
        "MPL-2.0" => {
            "Eine Copyleft-Lizenz je Datei: Geänderte Dateien bleiben offen, die Software darf aber mit anderem Code kombiniert werden."
        }
        "CC0-1.0" | "Unlicense" => "Gemeinfrei: Die Software darf ohne Bedingungen genutzt werden.",
        "CC-BY-4.0" | "CC-BY-SA-4.0" => {
            "Eine Creative-Commons-Lizenz, gedacht für Inhalte und Daten: Nutzung mit Namensnennung (bei SA unter gleichen Bedingungen)."
        }
        _ if id.starts_with("LicenseRef-") => {
            "Eine eigene Lizenzangabe des Projekts: Bitte lies die Lizenzdatei im Repository."
        }
        _ => {
            "Eine Lizenz aus der SPDX-Liste: Die Bedingungen stehen in der Lizenzdatei im Repository und unter spdx.org/licenses."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::hint;

    #[test]
    fn hints_by_the_first_licence() {
        assert!(hint("EUPL-1.2").contains("Europäischen Union"));
        assert!(hint("(MIT OR Apache-2.0)").contains("freizügige"));
        assert!(hint("AGPL-3.0-or-later").contains("Webdienst"));
        assert!(hint("LicenseRef-x").contains("eigene"));
        assert!(hint("Zlib").contains("SPDX"));
        assert!(hint("MIT AND GPL-3.0-only").contains("zugleich"));
    }
}
