//! `publiccode`: files read and checked as a volunteer would write them, hostile input
//! refused, and what codefor writes accepted by an independent checker
//! (`scripts/publiccode-check.py`: PyYAML, a JSON Schema written from the standard's
//! text, and `license-expression` for SPDX).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use codefor_core::publiccode::{
    Contact, Contractor, Dependency, DependencyKind, Description, Document, MAX_BYTES, Placeholder,
    Problem, Severity, check, parse, parse_bytes, to_yaml,
};

const MINIMAL: &str = r#"publiccodeYmlVersion: "0.5"
name: Parkplatzfinder
url: "https://github.com/okfde/parkplatzfinder"
platforms: web
categories:
  - data-visualization
developmentStatus: development
softwareType: standalone/web
description:
  de:
    shortDescription: Zeigt freie Parkplätze in der Innenstadt.
    longDescription: >
      Der Parkplatzfinder liest die offenen Daten der Parkhäuser und zeigt auf einer
      Karte, wo gerade Plätze frei sind, wie viel sie kosten und wann die Häuser
      schließen. Er läuft in jedem Browser.
    features:
      - Karte der freien Plätze
legal:
  license: MIT
maintenance:
  type: none
localisation:
  localisationReady: false
  availableLanguages: [de]
"#;

/// Every key of the standard.
const FULL: &str = r#"publiccodeYmlVersion: "0.5"
name: Parkplatzfinder
applicationSuite: Stadtdaten
url: "https://github.com/okfde/parkplatzfinder"
landingURL: "https://parken.example.org"
isBasedOn: "https://github.com/okfde/vorlage"
organizationUri: "https://codefor.de"
softwareVersion: "2.0"
releaseDate: "2025-11-03"
logo: "https://github.com/okfde/parkplatzfinder/raw/main/logo.svg"
platforms: [web, ios, android]
categories: [data-visualization, geographic-information-systems]
usedBy: [Stadt Ulm]
roadmap: "https://github.com/okfde/parkplatzfinder/projects"
developmentStatus: stable
softwareType: standalone/web
intendedAudience:
  countries: [de]
  unsupportedCountries: [fr]
  scope: [transportation]
description:
  de:
    localisedName: Parkplatzfinder
    shortDescription: Zeigt freie Parkplätze in der Innenstadt.
    longDescription: |
      Der Parkplatzfinder liest die offenen Daten der Parkhäuser und zeigt auf einer
      Karte, wo gerade Plätze frei sind, wie viel sie kosten und wann die Häuser
      schließen. Er läuft in jedem Browser.
    documentation: "https://parken.example.org/hilfe"
    apiDocumentation: "https://parken.example.org/api"
    features: [Karte der freien Plätze, Preise]
    screenshots: [docs/karte.png]
    videos: ["https://www.youtube.com/watch?v=abc"]
    awards: [Stadtpreis 2025]
  en-GB:
    shortDescription: Shows free parking spaces.
legal:
  license: AGPL-3.0-or-later OR LicenseRef-Stadt-Ulm
  mainCopyrightOwner: OK Lab Ulm
  repoOwner: OK Lab Ulm
maintenance:
  type: internal
  contacts:
    - name: Max Muster
      email: max@example.org
      phone: "+49 731 123"
      affiliation: OK Lab Ulm
  contractors:
    - name: Daten GmbH
      until: "2026-06-30"
      email: info@example.org
      website: "https://daten.example.org"
localisation:
  localisationReady: true
  availableLanguages: [de, en-GB]
dependsOn:
  open:
    - name: PostgreSQL
      versionMin: "15"
  proprietary:
    - name: Parkhaus-API
      versionMax: "3"
      version: "2"
      optional: true
  hardware:
    - name: Parksensor
it:
  countryExtensionVersion: "1.0"
"#;

fn ok(text: &str) -> codefor_core::publiccode::Parsed {
    parse(text).unwrap_or_else(|e| panic!("{e:#?}\n{text}"))
}

fn errors(text: &str) -> Vec<Problem> {
    match parse(text) {
        Ok(p) => panic!("accepted: {:#?}\n{text}", p.document),
        Err(e) => e,
    }
}

/// The keys of the errors.
fn keys(problems: &[Problem]) -> Vec<String> {
    problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| p.key.clone())
        .collect()
}

/// The one error of `text`, which must be at `key`, with a message and an example.
fn the_error(text: &str, key: &str) -> Problem {
    let problems = errors(text);
    assert_eq!(keys(&problems), [key], "{problems:#?}\n{text}");
    let p = problems
        .into_iter()
        .find(|p| p.severity == Severity::Error)
        .unwrap();
    assert!(p.message.len() > 20, "{p:#?}");
    assert!(
        p.message.contains(key.rsplit('.').next().unwrap_or(key)) || p.message.contains('„'),
        "{p:#?}"
    );
    let example = p
        .example
        .as_deref()
        .unwrap_or_else(|| panic!("no example: {p:#?}"));
    // The example is itself YAML.
    serde_saphyr::from_str::<serde_json::Value>(example)
        .unwrap_or_else(|e| panic!("{key}: {e}\n{example}"));
    p
}

fn full_with(from: &str, to: &str) -> String {
    assert!(FULL.contains(from), "{from}");
    FULL.replacen(from, to, 1)
}

#[test]
fn a_minimal_file_is_read() {
    let parsed = ok(MINIMAL);
    assert!(parsed.warnings.is_empty(), "{:#?}", parsed.warnings);
    let d = parsed.document;
    assert_eq!(d.platforms, ["web"]);
    assert_eq!(d.maintenance_type, "none");
    assert!(
        d.description["de"]
            .long_description
            .starts_with("Der Parkplatzfinder liest")
    );
    assert!(!d.localisation_ready);
    assert!(check(&d).is_empty());
}

#[test]
fn a_full_file_is_read_and_round_trips() {
    let parsed = ok(FULL);
    assert!(parsed.warnings.is_empty(), "{:#?}", parsed.warnings);
    let d = parsed.document;
    assert_eq!(d.is_based_on, ["https://github.com/okfde/vorlage"]);
    assert_eq!(d.unsupported_countries, ["fr"]);
    assert_eq!(
        d.description["en-GB"].short_description,
        "Shows free parking spaces."
    );
    assert_eq!(d.contractors[0].until, "2026-06-30");
    assert_eq!(d.depends_on[1].kind, DependencyKind::Proprietary);
    assert_eq!(d.depends_on[1].version.as_deref(), Some("2"));
    assert_eq!(d.extra["it"]["countryExtensionVersion"], "1.0");
    let written = to_yaml(&d);
    let again = ok(&written);
    assert_eq!(again.document, d, "{written}");
    assert!(check(&again.document).is_empty());
    assert!(again.warnings.is_empty());
}

#[test]
fn each_missing_mandatory_key_is_named() {
    for (from, to, key) in [
        (
            "publiccodeYmlVersion: \"0.5\"\n",
            "",
            "publiccodeYmlVersion",
        ),
        ("name: Parkplatzfinder\n", "", "name"),
        (
            "url: \"https://github.com/okfde/parkplatzfinder\"\n",
            "",
            "url",
        ),
        ("platforms: web\n", "", "platforms"),
        ("categories:\n  - data-visualization\n", "", "categories"),
        ("developmentStatus: development\n", "", "developmentStatus"),
        ("softwareType: standalone/web\n", "", "softwareType"),
        (
            "    shortDescription: Zeigt freie Parkplätze in der Innenstadt.\n",
            "",
            "description.de.shortDescription",
        ),
        (
            "    features:\n      - Karte der freien Plätze\n",
            "",
            "description.de.features",
        ),
        ("  license: MIT\n", "", "legal.license"),
        ("  type: none\n", "", "maintenance.type"),
        (
            "  type: none\n",
            "  type: community\n",
            "maintenance.contacts",
        ),
        (
            "  type: none\n",
            "  type: internal\n",
            "maintenance.contacts",
        ),
        (
            "  type: none\n",
            "  type: contract\n",
            "maintenance.contractors",
        ),
        (
            "  localisationReady: false\n",
            "",
            "localisation.localisationReady",
        ),
        (
            "  availableLanguages: [de]\n",
            "",
            "localisation.availableLanguages",
        ),
        (
            "  availableLanguages: [de]\n",
            "  availableLanguages: []\n",
            "localisation.availableLanguages",
        ),
    ] {
        assert!(MINIMAL.contains(from), "{from}");
        let text = MINIMAL.replacen(from, to, 1);
        let p = the_error(&text, key);
        assert!(
            p.message.contains("fehlt") || p.message.contains("braucht"),
            "{p:#?}"
        );
    }
    let no_description = MINIMAL.split("description:").next().unwrap().to_owned()
        + "legal:\n  license: MIT\nmaintenance:\n  type: none\nlocalisation:\n  localisationReady: false\n  availableLanguages: [de]\n";
    the_error(&no_description, "description");
    let no_legal = MINIMAL.replace("legal:\n  license: MIT\n", "");
    the_error(&no_legal, "legal.license");
    let no_localisation = MINIMAL.replace(
        "localisation:\n  localisationReady: false\n  availableLanguages: [de]\n",
        "",
    );
    the_error(&no_localisation, "localisation");
}

#[test]
fn each_wrong_type_is_named() {
    for (from, to, key) in [
        ("platforms: web", "platforms: 5", "platforms"),
        ("platforms: web", "platforms: {web: true}", "platforms"),
        (
            "description:\n  de:",
            "description: text\nx:\n  de:",
            "description",
        ),
        ("  license: MIT", "  license: [MIT]", "legal.license"),
        (
            "categories:\n  - data-visualization",
            "categories: data-visualization",
            "categories",
        ),
        ("name: Parkplatzfinder", "name: 42", "name"),
        ("name: Parkplatzfinder", "name: [Parkplatzfinder]", "name"),
        (
            "url: \"https://github.com/okfde/parkplatzfinder\"",
            "url: true",
            "url",
        ),
        (
            "developmentStatus: development",
            "developmentStatus: 1",
            "developmentStatus",
        ),
        ("  type: none", "  type: [none]", "maintenance.type"),
        (
            "maintenance:\n  type: none",
            "maintenance: none\nm:\n  type: none",
            "maintenance",
        ),
        (
            "  localisationReady: false",
            "  localisationReady: \"false\"",
            "localisation.localisationReady",
        ),
        (
            "  localisationReady: false",
            "  localisationReady: 0",
            "localisation.localisationReady",
        ),
        (
            "  availableLanguages: [de]",
            "  availableLanguages: de",
            "localisation.availableLanguages",
        ),
        (
            "      - Karte der freien Plätze",
            "      - {Karte: ja}",
            "description.de.features[0]",
        ),
        (
            "publiccodeYmlVersion: \"0.5\"",
            "publiccodeYmlVersion: 0.5",
            "publiccodeYmlVersion",
        ),
    ] {
        assert!(MINIMAL.contains(from), "{from}");
        let p = the_error(&MINIMAL.replacen(from, to, 1), key);
        assert!(p.message.contains("muss"), "{p:#?}");
        assert!(p.line.is_some(), "{p:#?}");
    }
    for (from, to, key) in [
        (
            "    - name: Max Muster\n      email: max@example.org\n      phone: \"+49 731 123\"\n      affiliation: OK Lab Ulm\n",
            "    - Max Muster\n",
            "maintenance.contacts[0]",
        ),
        (
            "      until: \"2026-06-30\"",
            "      until: 2026",
            "maintenance.contractors[0].until",
        ),
        (
            "      optional: true",
            "      optional: vielleicht",
            "dependsOn.proprietary[0].optional",
        ),
        (
            "  hardware:\n    - name: Parksensor",
            "  hardware: Parksensor",
            "dependsOn.hardware",
        ),
        (
            "  scope: [transportation]",
            "  scope: transportation",
            "intendedAudience.scope",
        ),
        (
            "    videos: [\"https://www.youtube.com/watch?v=abc\"]",
            "    videos: 3",
            "description.de.videos",
        ),
    ] {
        the_error(&full_with(from, to), key);
    }
}

#[test]
fn each_bad_value_is_named_with_the_allowed_ones() {
    for (from, to, key, says) in [
        (
            "developmentStatus: stable",
            "developmentStatus: fertig",
            "developmentStatus",
            "`obsolete`",
        ),
        (
            "softwareType: standalone/web",
            "softwareType: web",
            "softwareType",
            "`standalone/web`",
        ),
        (
            "  type: internal",
            "  type: ehrenamt",
            "maintenance.type",
            "`community`",
        ),
        (
            "categories: [data-visualization, geographic-information-systems]",
            "categories: [data-visualization, karten]",
            "categories[1]",
            "categories-list",
        ),
        (
            "  scope: [transportation]",
            "  scope: [verkehr]",
            "intendedAudience.scope[0]",
            "`transportation`",
        ),
        (
            "releaseDate: \"2025-11-03\"",
            "releaseDate: \"3.11.2025\"",
            "releaseDate",
            "JJJJ-MM-TT",
        ),
        (
            "releaseDate: \"2025-11-03\"",
            "releaseDate: \"2025-11-31\"",
            "releaseDate",
            "JJJJ-MM-TT",
        ),
        (
            "      until: \"2026-06-30\"",
            "      until: \"2026-6-30\"",
            "maintenance.contractors[0].until",
            "JJJJ-MM-TT",
        ),
        (
            "url: \"https://github.com/okfde/parkplatzfinder\"",
            "url: github.com/okfde/parkplatzfinder",
            "url",
            "https://",
        ),
        (
            "landingURL: \"https://parken.example.org\"",
            "landingURL: \"mailto:a@example.org\"",
            "landingURL",
            "https://",
        ),
        (
            "roadmap: \"https://github.com/okfde/parkplatzfinder/projects\"",
            "roadmap: Projekte",
            "roadmap",
            "https://",
        ),
        (
            "isBasedOn: \"https://github.com/okfde/vorlage\"",
            "isBasedOn: vorlage",
            "isBasedOn",
            "https://",
        ),
        (
            "      website: \"https://daten.example.org\"",
            "      website: daten.example.org",
            "maintenance.contractors[0].website",
            "https://",
        ),
        (
            "    apiDocumentation: \"https://parken.example.org/api\"",
            "    apiDocumentation: /api",
            "description.de.apiDocumentation",
            "https://",
        ),
        (
            "logo: \"https://github.com/okfde/parkplatzfinder/raw/main/logo.svg\"",
            "logo: \"ftp://x/logo.svg\"",
            "logo",
            "Pfad",
        ),
        (
            "  license: AGPL-3.0-or-later OR LicenseRef-Stadt-Ulm",
            "  license: AGPL",
            "legal.license",
            "SPDX",
        ),
        (
            "  license: AGPL-3.0-or-later OR LicenseRef-Stadt-Ulm",
            "  license: MIT und GPL",
            "legal.license",
            "SPDX",
        ),
        (
            "  license: AGPL-3.0-or-later OR LicenseRef-Stadt-Ulm",
            "  license: MIT OR",
            "legal.license",
            "SPDX",
        ),
        (
            "  license: AGPL-3.0-or-later OR LicenseRef-Stadt-Ulm",
            "  license: MIT WITH Ausnahme",
            "legal.license",
            "SPDX",
        ),
        (
            "      email: max@example.org",
            "      email: max(at)example",
            "maintenance.contacts[0].email",
            "E-Mail",
        ),
        (
            "  countries: [de]",
            "  countries: [deu]",
            "intendedAudience.countries[0]",
            "ISO 3166",
        ),
        (
            "  availableLanguages: [de, en-GB]",
            "  availableLanguages: [de, Englisch!]",
            "localisation.availableLanguages[1]",
            "BCP 47",
        ),
        ("  en-GB:\n", "  en_GB:\n", "description.en_GB", "BCP 47"),
        (
            "publiccodeYmlVersion: \"0.5\"",
            "publiccodeYmlVersion: \"5.0\"",
            "publiccodeYmlVersion",
            "0.5",
        ),
    ] {
        let p = the_error(&full_with(from, to), key);
        assert!(p.message.contains(says), "{says}: {p:#?}");
        assert!(p.line.is_some(), "{p:#?}");
    }
}

#[test]
fn description_lengths() {
    let long = "x".repeat(151);
    let p = the_error(
        &full_with(
            "    shortDescription: Zeigt freie Parkplätze in der Innenstadt.",
            &format!("    shortDescription: {long}"),
        ),
        "description.de.shortDescription",
    );
    assert!(
        p.message.contains("151") && p.message.contains("150"),
        "{p:#?}"
    );

    let p = the_error(
        &MINIMAL.replace(
            "    longDescription: >\n      Der Parkplatzfinder liest die offenen Daten der Parkhäuser und zeigt auf einer\n      Karte, wo gerade Plätze frei sind, wie viel sie kosten und wann die Häuser\n      schließen. Er läuft in jedem Browser.\n",
            "    longDescription: Zu kurz.\n",
        ),
        "description.de.longDescription",
    );
    assert!(p.message.contains("mindestens 150"), "{p:#?}");

    let p = the_error(
        &MINIMAL.replace(
            "    longDescription: >\n",
            &format!(
                "    longDescription: \"{}\"\n    x: >\n",
                "lang ".repeat(2001)
            ),
        ),
        "description.de.longDescription",
    );
    assert!(p.message.contains("10000"), "{p:#?}");

    let p = the_error(
        &MINIMAL.replace(
            "    longDescription: >\n      Der Parkplatzfinder liest die offenen Daten der Parkhäuser und zeigt auf einer\n      Karte, wo gerade Plätze frei sind, wie viel sie kosten und wann die Häuser\n      schließen. Er läuft in jedem Browser.\n",
            "",
        ),
        "description.de.longDescription",
    );
    assert!(p.message.contains("fehlt"), "{p:#?}");
}

#[test]
fn all_problems_come_at_once_with_lines() {
    let text = "publiccodeYmlVersion: \"0.5\"\nname: \"\"\nurl: ftp://x\nplatforms: []\n\
                categories: [Karten]\ndevelopmentStatus: fertig\nsoftwareType: web\n\
                description:\n  de:\n    shortDescription: \"\"\nlegal:\n  license: Frei\n\
                maintenance:\n  type: contract\nlocalisation:\n  localisationReady: nein\n  availableLanguages: [de]\n";
    let problems = errors(text);
    let keys = keys(&problems);
    for key in [
        "name",
        "url",
        "platforms",
        "categories[0]",
        "developmentStatus",
        "softwareType",
        "description.de.shortDescription",
        "description.de.longDescription",
        "description.de.features",
        "legal.license",
        "maintenance.contractors",
        "localisation.localisationReady",
    ] {
        assert!(keys.contains(&key.to_owned()), "{key}: {problems:#?}");
    }
    let lines: Vec<usize> = problems.iter().filter_map(|p| p.line).collect();
    assert!(
        lines.windows(2).all(|w| w[0] <= w[1]),
        "sorted by line: {lines:?}"
    );
    let url = problems.iter().find(|p| p.key == "url").unwrap();
    assert_eq!(url.line, Some(3));
    assert!(
        problems.iter().all(|p| p.example.is_some()),
        "{problems:#?}"
    );
}

#[test]
fn hostile_input_is_refused_without_panicking() {
    // Larger than MAX_BYTES, as text and as bytes.
    let big = format!("name: {}\n", "x".repeat(MAX_BYTES));
    assert!(errors(&big)[0].message.contains("256 KiB"));
    assert!(parse_bytes(big.as_bytes()).is_err());

    // Ten levels of ten aliases: 10^10 nodes if expanded.
    let mut bomb = String::from("l0: &l0 [a, a, a, a, a, a, a, a, a, a]\n");
    for i in 1..10 {
        let refs = vec![format!("*l{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
    }
    let p = errors(&bomb);
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(p[0].message.contains("Verweise"), "{p:#?}");

    // The same with mappings, and a billion laughs in the block style.
    let mut laughs = String::from("a: &a {x: lol, y: lol}\n");
    for i in 1..12 {
        laughs.push_str(&format!(
            "b{i}: &b{i}\n  x: *{p}\n  y: *{p}\n  z: *{p}\n",
            p = if i == 1 {
                "a".to_owned()
            } else {
                format!("b{}", i - 1)
            }
        ));
    }
    assert!(!errors(&laughs).is_empty());

    // 10,000 levels deep, flow and block style.
    for deep in [
        format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
        format!("{}{}", "{a: ".repeat(10_000), "}".repeat(10_000)),
        format!("{}x\n", "- ".repeat(10_000)),
        (0..10_000)
            .map(|i| format!("{}k:\n", " ".repeat(i % 2000)))
            .collect::<String>(),
    ] {
        let text = &deep[..deep.len().min(MAX_BYTES)];
        let p = errors(text);
        assert!(!p.is_empty() && !p[0].message.is_empty());
    }

    // Not UTF-8 (Latin-1 „ä“), and UTF-16.
    let p = parse_bytes(b"publiccodeYmlVersion: \"0.5\"\nname: M\xe4ngelmelder\n").unwrap_err();
    assert_eq!(p[0].line, Some(2));
    assert!(p[0].message.contains("UTF-8"));
    assert!(parse_bytes(b"\xff\xfen\x00a\x00").is_err());

    // A tab where indentation belongs.
    let p = errors("publiccodeYmlVersion: \"0.5\"\nlegal:\n\tlicense: MIT\n");
    assert_eq!(p[0].line, Some(3), "{p:#?}");
    assert!(p[0].message.contains("Tabulator"), "{p:#?}");

    // Language-specific tags that would construct objects elsewhere.
    for tagged in [
        "name: !!python/object:os.system [\"echo\"]\n",
        "name: !!python/object/apply:os.system [\"echo\"]\n",
        "name: !ruby/object:Gem::Installer {}\n",
        "!!python/name:os.system name: x\n",
    ] {
        let p = errors(tagged);
        assert!(
            p[0].message.contains("Tag") || p[0].message.contains("YAML"),
            "{p:#?}"
        );
    }

    // A key twice.
    let p = errors(&MINIMAL.replace(
        "name: Parkplatzfinder\n",
        "name: Parkplatzfinder\nname: Anders\n",
    ));
    assert_eq!(p[0].key, "name");
    assert_eq!(p[0].line, Some(3));
    assert!(p[0].message.contains("zweimal"));
    let p = errors(&MINIMAL.replace(
        "  license: MIT\n",
        "  license: MIT\n  license: GPL-3.0-only\n",
    ));
    assert!(p[0].message.contains("`license`"), "{p:#?}");

    // Neither a mapping nor YAML at all; empty; two documents; binary junk.
    for other in [
        "",
        "\n\n",
        "# nur ein Kommentar\n",
        "Parkplatzfinder\n",
        "- name: a\n",
        "name: \"offen\n",
        "name: a\n---\nname: b\n",
        "name: *fehlt\n",
        "\u{0}\u{1}\u{2}",
        "{{{{",
        "? [a]\n: b\n",
        "%YAML 9.9\n---\nname: a\n",
    ] {
        let p = errors(other);
        assert!(!p.is_empty(), "{other:?}");
        assert!(p.iter().all(|p| !p.message.is_empty()), "{other:?}");
    }
}

// ---------------------------------------------------------------------------------------
// The independent checker.

/// Whether `python3` with the checker's packages is there. Under CI (`CI=true`) their
/// absence fails the test; elsewhere the test says why and passes without checking.
fn python_ready() -> bool {
    let ready = Command::new("python3")
        .args(["-c", "import yaml, jsonschema, license_expression"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ready {
        let why = "python3 with PyYAML, jsonschema and license-expression is missing: \
                   install scripts/requirements-test.txt (scripts/test does)";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{why}");
        }
        eprintln!("skipped: {why}");
    }
    ready
}

/// `scripts/publiccode-check.py` on `files`: exit code and output.
fn python_check(files: &[(&str, String)]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = files
        .iter()
        .map(|(name, text)| {
            let path = dir.path().join(format!("{name}.yml"));
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/publiccode-check.py"
    );
    let out = Command::new("python3")
        .arg(script)
        .args(&paths)
        .output()
        .expect("python3 runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn document() -> Document {
    let mut description = BTreeMap::new();
    description.insert(
        "de".to_owned(),
        Description {
            short_description: "Zeigt freie Parkplätze.".to_owned(),
            long_description: "Der Parkplatzfinder liest die offenen Daten der Parkhäuser \
                               und zeigt auf einer Karte, wo gerade Plätze frei sind, wie viel \
                               sie kosten und wann die Häuser schließen."
                .to_owned(),
            features: vec!["Karte".to_owned()],
            ..Description::default()
        },
    );
    Document {
        name: "Parkplatzfinder".to_owned(),
        url: "https://github.com/okfde/parkplatzfinder".to_owned(),
        platforms: vec!["web".to_owned()],
        categories: vec!["data-visualization".to_owned()],
        development_status: "beta".to_owned(),
        software_type: "standalone/web".to_owned(),
        description,
        license: "MIT".to_owned(),
        maintenance_type: "community".to_owned(),
        contacts: vec![Contact {
            name: "Max Muster".to_owned(),
            ..Contact::default()
        }],
        available_languages: vec!["de".to_owned()],
        ..Document::default()
    }
}

/// Strings that a careless writer would turn into something else.
const HOSTILE: &[&str] = &[
    "a: b",
    "# kein Kommentar",
    "Text # mit Raute",
    "- Spiegelstrich",
    "*stern",
    "&anker",
    "!tag",
    "!!python/object:os.system",
    "%prozent",
    "@at",
    "`tick`",
    "{a: b}",
    "[a, b]",
    "\"doppelt\"",
    "'einfach'",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "n",
    "null",
    "Null",
    "~",
    "true",
    "1.0",
    "0.5",
    "1e3",
    "0x10",
    "0o10",
    "010",
    "1_000",
    "12:30",
    ".inf",
    ".nan",
    "2025-01-01",
    "<<",
    "=",
    " führendes Leerzeichen",
    "Leerzeichen am Ende ",
    "Zeile\nzweite Zeile",
    "Zeile\r\nWindows",
    "Tab\tTab",
    "Ümlaute ß € 🎉 漢字",
    "NEL\u{85}LS\u{2028}PS\u{2029}",
    "BOM\u{feff}",
    "Steuer\u{1}\u{7f}zeichen",
    "--- Dokument",
    "...",
    "? Frage",
    "| Pipe",
    "> Größer",
    "Backslash \\ und \\n",
];

fn hostile_document() -> Document {
    let mut d = document();
    let hostile: Vec<String> = HOSTILE.iter().map(|s| (*s).to_owned()).collect();
    d.name = HOSTILE.join(" ");
    d.used_by.clone_from(&hostile);
    d.software_version = Some("1.0".to_owned());
    d.main_copyright_owner = Some("yes".to_owned());
    d.repo_owner = Some("2025-01-01".to_owned());
    d.application_suite = Some("null".to_owned());
    let de = d.description.get_mut("de").unwrap();
    de.features.clone_from(&hostile);
    de.awards.clone_from(&hostile);
    de.localised_name = Some("no".to_owned());
    de.long_description = format!(
        "{}\n\n# keine Überschrift\n- kein Punkt\n  eingerückt: ja\nyes\n",
        de.long_description
    );
    let mut no = de.clone();
    no.short_description = "Norsk: \"no\" er et språk.".to_owned();
    d.description.insert("no".to_owned(), no);
    d.contacts[0].phone = Some("+49 (0) 30 / 123".to_owned());
    d.contacts[0].affiliation = Some("on".to_owned());
    d.depends_on.push(Dependency {
        kind: DependencyKind::Open,
        name: "~".to_owned(),
        version_min: Some("1.10".to_owned()),
        version_max: Some("2.0".to_owned()),
        version: None,
        optional: Some(false),
    });
    d.extra.insert(
        "de".to_owned(),
        serde_json::json!({ "yes": "no", "liste": HOSTILE, "zahl": 1.5, "leer": null }),
    );
    d
}

#[test]
fn hostile_strings_round_trip() {
    let d = hostile_document();
    let written = to_yaml(&d);
    let back = ok(&written);
    assert_eq!(back.document, d, "{written}");
}

#[test]
fn the_independent_checker_accepts_what_codefor_writes() {
    if !python_ready() {
        return;
    }
    let full = ok(FULL).document;
    let mut contract = document();
    contract.maintenance_type = "contract".to_owned();
    contract.contacts.clear();
    contract.contractors.push(Contractor {
        name: "Daten GmbH".to_owned(),
        until: "2026-06-30".to_owned(),
        email: None,
        website: Some("https://daten.example.org".to_owned()),
    });
    let mut placeholders = document();
    placeholders.license = String::new();
    placeholders.url = String::new();
    placeholders.categories.clear();
    placeholders.description.clear();
    placeholders.contacts.clear();
    placeholders.placeholders = vec![Placeholder {
        key: "legal.license".to_owned(),
        reason: "Im Projekt ist keine Lizenz angegeben.".to_owned(),
    }];
    let files = [
        ("full", to_yaml(&full)),
        ("minimal", to_yaml(&ok(MINIMAL).document)),
        ("built", to_yaml(&document())),
        ("contract", to_yaml(&contract)),
        ("placeholders", to_yaml(&placeholders)),
        ("empty", to_yaml(&Document::default())),
        ("hostile", to_yaml(&hostile_document())),
    ];
    for (name, text) in &files {
        // Ours reads them too; the placeholders only warn.
        let parsed = ok(text);
        assert!(
            parsed
                .warnings
                .iter()
                .all(|w| w.severity == Severity::Warning),
            "{name}"
        );
    }
    let (code, out) = python_check(&files);
    assert_eq!(code, 0, "{out}\n{}", files[6].1);
    assert!(out.is_empty(), "{out}");
}

#[test]
fn the_independent_checker_refuses_what_codefor_refuses() {
    if !python_ready() {
        return;
    }
    // Written by codefor from an invalid document: both name the same keys.
    let mut bad = document();
    bad.license = "Frei für alle".to_owned();
    bad.categories = vec!["karten".to_owned()];
    bad.release_date = Some("2025-02-30".to_owned());
    let written = to_yaml(&bad);
    let ours = keys(&errors(&written));
    assert_eq!(ours, ["releaseDate", "categories[0]", "legal.license"]);
    let (code, out) = python_check(&[("bad", written)]);
    assert_eq!(code, 1, "{out}");
    for key in &ours {
        assert!(out.contains(&format!(": {key}: ")), "{key}: {out}");
    }

    // Hand-written mistakes: each refused by both.
    let cases = [
        MINIMAL.replace("name: Parkplatzfinder\n", ""),
        MINIMAL.replace("platforms: web", "platforms: 5"),
        MINIMAL.replace("  license: MIT", "  license: [MIT]"),
        MINIMAL.replace("  license: MIT", "  license: MIT AND"),
        MINIMAL.replace(
            "developmentStatus: development",
            "developmentStatus: fertig",
        ),
        MINIMAL.replace("  type: none", "  type: contract"),
        MINIMAL.replace("  type: none", "  type: community"),
        MINIMAL.replace(
            "shortDescription: Zeigt",
            &format!("shortDescription: {} Zeigt", "x".repeat(150)),
        ),
        MINIMAL.replace("    features:\n      - Karte der freien Plätze\n", ""),
        MINIMAL.replace(
            "  localisationReady: false",
            "  localisationReady: \"false\"",
        ),
        full_with("releaseDate: \"2025-11-03\"", "releaseDate: \"2025-13-03\""),
        full_with("      until: \"2026-06-30\"", "      until: \"30.06.2026\""),
        full_with(
            "    videos: [\"https://www.youtube.com/watch?v=abc\"]",
            "    videos: [youtube]",
        ),
        full_with("  scope: [transportation]", "  scope: [verkehr]"),
    ];
    let files: Vec<(String, String)> = cases
        .iter()
        .enumerate()
        .map(|(i, text)| (format!("case{i}"), text.clone()))
        .collect();
    let named: Vec<(&str, String)> = files.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
    let (code, out) = python_check(&named);
    assert_eq!(code, 1, "{out}");
    for (name, text) in &files {
        let ours = keys(&errors(text));
        let theirs: Vec<&str> = out
            .lines()
            .filter(|l| l.contains(&format!("/{name}.yml: ")))
            .collect();
        assert!(
            !theirs.is_empty(),
            "{name} ({ours:?}) accepted by the checker:\n{text}"
        );
        let same_key = ours.iter().any(|k| {
            theirs.iter().any(|l| {
                l.contains(&format!(": {k}: "))
                    || l.contains(&format!(": {k}["))
                    || l.contains(&format!(": {k}."))
                    || (k.starts_with("description.") && l.contains(": description: "))
            })
        });
        assert!(
            same_key,
            "{name}: ours {ours:?}, theirs:\n{}",
            theirs.join("\n")
        );
    }
}
