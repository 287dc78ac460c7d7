use super::*;

/// Every key of the standard, each valid.
pub(super) const FULL: &str = r#"# publiccode.yml von Hand
publiccodeYmlVersion: "0.5"
name: Mängelmelder
applicationSuite: Stadtwerkzeuge
url: "https://github.com/codeforde/maengelmelder"
landingURL: "https://maengelmelder.example.org"
isBasedOn:
  - "https://github.com/codeforde/vorlage"
organizationUri: "urn:x-codefor:ok-lab-musterstadt"
softwareVersion: "1.2.0"
releaseDate: "2025-04-15"
logo: img/logo.svg
platforms:
  - web
  - android
  - Smart-TV
categories:
  - digital-citizenship
  - data-visualization
usedBy:
  - Stadt Musterstadt
roadmap: "https://github.com/codeforde/maengelmelder/milestones"
developmentStatus: stable
softwareType: standalone/web
intendedAudience:
  countries:
    - de
    - at
  unsupportedCountries:
    - us
  scope:
    - local-authorities
    - society
description:
  de:
    localisedName: Mängelmelder
    shortDescription: Bürgerinnen und Bürger melden Schäden im Stadtgebiet.
    longDescription: |
      Der Mängelmelder nimmt Meldungen über Schlaglöcher, defekte Laternen und wilden
      Müll entgegen, zeigt sie auf einer Karte und leitet sie an die zuständige Stelle
      der Verwaltung weiter.

      - Meldungen mit Foto
      - Rückmeldung an die Meldenden
    documentation: "https://maengelmelder.example.org/hilfe"
    apiDocumentation: "https://maengelmelder.example.org/api"
    features:
      - Meldungen mit Foto und Ort
      - Karte aller Meldungen
    screenshots:
      - img/karte.png
    videos:
      - "https://vimeo.com/123456789"
    awards:
      - Open Data Preis 2024
  en:
    shortDescription: Citizens report damage in their city.
legal:
  license: EUPL-1.2
  mainCopyrightOwner: OK Lab Musterstadt
  repoOwner: Code for Germany
maintenance:
  type: contract
  contractors:
    - name: Beispiel GmbH
      until: "2027-12-31"
      email: wartung@example.org
      website: "https://beispiel.example.org"
  contacts:
    - name: Erika Mustermann
      email: erika@example.org
      phone: "+49 30 1234567"
      affiliation: OK Lab Musterstadt
localisation:
  localisationReady: true
  availableLanguages:
    - de
    - en
dependsOn:
  open:
    - name: PostgreSQL
      versionMin: "14"
      versionMax: "17"
      optional: false
  proprietary:
    - name: Kartendienst
      version: "3"
  hardware:
    - name: NFC-Lesegerät
      optional: true
it:
  countryExtensionVersion: "1.0"
  riuso:
    codiceIPA: c_h501
"#;

pub(super) const LONG: &str = "Der Mängelmelder nimmt Meldungen über Schlaglöcher, defekte \
    Laternen und wilden Müll entgegen, zeigt sie auf einer Karte und leitet sie an die \
    zuständige Stelle der Verwaltung weiter.";

/// A small valid document, built in code.
pub(super) fn minimal() -> Document {
    let mut description = BTreeMap::new();
    description.insert(
        "de".to_owned(),
        Description {
            short_description: "Schäden melden.".to_owned(),
            long_description: LONG.to_owned(),
            features: vec!["Meldungen mit Foto".to_owned()],
            ..Description::default()
        },
    );
    Document {
        name: "Mängelmelder".to_owned(),
        url: "https://github.com/codeforde/maengelmelder".to_owned(),
        platforms: vec!["web".to_owned()],
        categories: vec!["digital-citizenship".to_owned()],
        development_status: "beta".to_owned(),
        software_type: "standalone/web".to_owned(),
        description,
        license: "EUPL-1.2".to_owned(),
        maintenance_type: "community".to_owned(),
        contacts: vec![Contact {
            name: "Erika Mustermann".to_owned(),
            ..Contact::default()
        }],
        available_languages: vec!["de".to_owned()],
        ..Document::default()
    }
}

fn errors(text: &str) -> Vec<Problem> {
    match parse(text) {
        Ok(p) => panic!("expected errors, got {:#?}", p.document),
        Err(problems) => problems,
    }
}

fn keys(problems: &[Problem]) -> Vec<&str> {
    problems
        .iter()
        .filter(|p| p.is_error())
        .map(|p| p.key.as_str())
        .collect()
}

#[test]
fn the_full_file_reads_into_every_field() {
    let parsed = parse(FULL).unwrap_or_else(|e| panic!("{e:#?}"));
    assert!(parsed.warnings.is_empty(), "{:#?}", parsed.warnings);
    let d = parsed.document;
    assert_eq!(d.name, "Mängelmelder");
    assert_eq!(d.application_suite.as_deref(), Some("Stadtwerkzeuge"));
    assert_eq!(d.platforms, ["web", "android", "Smart-TV"]);
    assert_eq!(d.unsupported_countries, ["us"]);
    assert_eq!(d.description.len(), 2);
    let de = &d.description["de"];
    assert!(
        de.long_description
            .ends_with("- Rückmeldung an die Meldenden\n")
    );
    assert_eq!(de.videos, ["https://vimeo.com/123456789"]);
    assert_eq!(d.contractors[0].until, "2027-12-31");
    assert_eq!(d.contacts[0].phone.as_deref(), Some("+49 30 1234567"));
    assert!(d.localisation_ready);
    assert_eq!(d.depends_on.len(), 3);
    assert_eq!(d.depends_on[1].kind, DependencyKind::Proprietary);
    assert_eq!(d.depends_on[2].optional, Some(true));
    assert_eq!(d.extra["it"]["riuso"]["codiceIPA"], "c_h501");
    assert!(check(&d).is_empty());
}

#[test]
fn the_full_file_round_trips() {
    let d = parse(FULL).unwrap().document;
    let written = to_yaml(&d);
    let again = parse(&written).unwrap_or_else(|e| panic!("{e:#?}\n{written}"));
    assert!(again.warnings.is_empty(), "{:#?}", again.warnings);
    assert_eq!(again.document, d, "{written}");
    assert_eq!(to_yaml(&again.document), written);
}

#[test]
fn the_writer_starts_with_its_comment_and_the_version() {
    let written = to_yaml(&minimal());
    let mut lines = written.lines();
    assert_eq!(
        lines.next(),
        Some("# publiccode.yml, Standard 0.5 – geschrieben von codefor")
    );
    assert!(
        written.contains("\npubliccodeYmlVersion: \"0.5\"\n"),
        "{written}"
    );
    assert!(!written.contains("Platzhalter"), "{written}");
    let back = parse(&written).unwrap().document;
    assert_eq!(back, minimal());
}

#[test]
fn keys_follow_the_standard_order() {
    let written = to_yaml(&parse(FULL).unwrap().document);
    let order = [
        "publiccodeYmlVersion:",
        "name:",
        "applicationSuite:",
        "url:",
        "landingURL:",
        "isBasedOn:",
        "organizationUri:",
        "softwareVersion:",
        "releaseDate:",
        "logo:",
        "platforms:",
        "categories:",
        "usedBy:",
        "roadmap:",
        "developmentStatus:",
        "softwareType:",
        "intendedAudience:",
        "description:",
        "legal:",
        "maintenance:",
        "localisation:",
        "dependsOn:",
        "it:",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|k| {
            written
                .find(&format!("\n{k}"))
                .unwrap_or_else(|| panic!("{k} missing in\n{written}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{written}");
    assert!(written.contains("releaseDate: \"2025-04-15\""));
    assert!(written.contains("until: \"2027-12-31\""));
}

#[test]
fn hostile_strings_survive_the_round_trip() {
    let hostile = [
        "a: b",
        "key:value",
        "\"quoted\"",
        "'single'",
        "# not a comment",
        "text # with hash",
        "- leading dash",
        "-",
        "*alias",
        "&anchor",
        "!tag",
        "!!python/object:os.system",
        "%directive",
        "@at",
        "`backtick`",
        "{flow: map}",
        "[flow, seq]",
        "yes",
        "No",
        "ON",
        "off",
        "y",
        "n",
        "null",
        "~",
        "",
        " ",
        "  leading and trailing  ",
        "true",
        "False",
        "1.0",
        "0.5",
        "1e3",
        "0x1F",
        "0o17",
        "012",
        "1_000",
        ".inf",
        "-.inf",
        ".NaN",
        "2024-01-01",
        "12:30:00",
        "<<",
        "line one\nline two",
        "ends with newline\n",
        "two newlines at the end\n\n",
        "\nstarts with newline",
        "  indented first line\nsecond",
        "trailing space \nnext",
        "tab\there",
        "\ttab first",
        "carriage\r\nreturn",
        "back\\slash",
        "Ümlaute, ß und Emoji 🎉",
        "zero width\u{200b}space",
        "bom\u{feff}inside",
        "line\u{2028}separator",
        "next\u{85}line",
        "bell\u{7}char",
        "del\u{7f}char",
        "nul\u{0}char",
        "nonchar\u{fffe}",
        "--- document start",
        "... document end",
        "? question",
        "| pipe",
        "> greater",
        "a,b",
        "---",
        "...",
    ];
    let mut doc = minimal();
    doc.name = hostile.join(" | ");
    // Empty entries are errors of their own; they are tried in `extra` below.
    doc.used_by = hostile
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| (*s).to_owned())
        .collect();
    doc.description.get_mut("de").unwrap().features = doc.used_by.clone();
    for (i, h) in hostile.iter().enumerate() {
        // Long descriptions take the literal block form where they can.
        let mut d = doc.clone();
        let long = format!("{LONG}\n{h}\n{h}");
        d.description.get_mut("de").unwrap().long_description = long;
        if !h.trim().is_empty() {
            d.software_version = Some((*h).to_owned());
            d.contacts[0].phone = Some((*h).to_owned());
        }
        d.extra.insert(
            format!("x{i}"),
            serde_json::json!({ *h: [h, { "k": h }], "n": 1.5e300, "i": -3 }),
        );
        let written = to_yaml(&d);
        let back = parse(&written)
            .unwrap_or_else(|e| panic!("{h:?}: {e:#?}\n{written}"))
            .document;
        assert_eq!(back.used_by, d.used_by, "{written}");
        assert_eq!(back.name, d.name);
        assert_eq!(
            back.software_version, d.software_version,
            "{h:?}\n{written}"
        );
        assert_eq!(
            back.description["de"].long_description, d.description["de"].long_description,
            "{h:?}\n{written}"
        );
        assert_eq!(back.extra, d.extra, "{h:?}\n{written}");
        assert_eq!(back, d);
    }
}

#[test]
fn hostile_keys_survive_the_round_trip() {
    let mut doc = minimal();
    let de = doc.description["de"].clone();
    for lang in ["no", "yes", "on", "en-GB", "null"] {
        doc.description.insert(lang.to_owned(), de.clone());
    }
    let written = to_yaml(&doc);
    // `null` is no language tag: reported, but read under its own key.
    let problems = errors(&written);
    assert_eq!(keys(&problems), ["description.null"], "{problems:#?}");
    doc.description.remove("null");
    let written = to_yaml(&doc);
    assert_eq!(parse(&written).unwrap().document, doc, "{written}");
    assert!(written.contains("\n  \"no\":\n"), "{written}");
}

#[test]
fn placeholders_are_marked_and_read_back() {
    let mut doc = minimal();
    doc.license = String::new();
    doc.url = String::new();
    doc.placeholders = vec![Placeholder {
        key: "legal.license".to_owned(),
        reason: "Im Projekt ist keine Lizenz angegeben.\nZweite Zeile".to_owned(),
    }];
    let problems = check(&doc);
    assert_eq!(keys(&problems), ["url"], "{problems:#?}");
    assert!(
        problems
            .iter()
            .any(|p| p.key == "legal.license" && !p.is_error())
    );

    let written = to_yaml(&doc);
    assert!(
        written
            .contains("# - legal.license: Im Projekt ist keine Lizenz angegeben. Zweite Zeile\n"),
        "{written}"
    );
    assert!(
        written.contains("# - url: Die Angabe fehlt im Datensatz.\n"),
        "{written}"
    );
    assert!(
        written.contains(
            "legal:\n  # Platzhalter: Im Projekt ist keine Lizenz angegeben. Zweite Zeile\n  \
             license: LicenseRef-Platzhalter\n"
        ),
        "{written}"
    );
    assert!(
        written.contains("# Platzhalter: Die Angabe fehlt im Datensatz.\nurl: "),
        "{written}"
    );
    let parsed = parse(&written).unwrap_or_else(|e| panic!("{e:#?}\n{written}"));
    assert_eq!(parsed.document.placeholders.len(), 2);
    assert_eq!(parsed.document.placeholders[0].key, "legal.license");
    assert_eq!(parsed.document.license, "LicenseRef-Platzhalter");
    let warned: Vec<&str> = parsed.warnings.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(warned, ["url", "legal.license"], "{:#?}", parsed.warnings);
    assert_eq!(
        parsed.warnings[0].line,
        Some(written.lines().position(|l| l.starts_with("url:")).unwrap() + 1)
    );
}

#[test]
fn an_empty_document_is_written_with_a_stand_in_for_every_mandatory_value() {
    let written = to_yaml(&Document::default());
    let parsed = parse(&written).unwrap_or_else(|e| panic!("{e:#?}\n{written}"));
    let keys: Vec<&str> = parsed
        .document
        .placeholders
        .iter()
        .map(|p| p.key.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "name",
            "url",
            "platforms",
            "categories",
            "developmentStatus",
            "softwareType",
            "description.de.shortDescription",
            "description.de.longDescription",
            "description.de.features",
            "legal.license",
            "maintenance.type",
            "localisation.availableLanguages",
        ],
        "{written}"
    );
    assert!(parsed.warnings.iter().all(|w| !w.is_error()));
}

#[test]
fn every_missing_mandatory_key_is_named() {
    let full = parse(FULL).unwrap().document;
    let written = to_yaml(&full);
    for (cut, key) in [
        ("publiccodeYmlVersion", "publiccodeYmlVersion"),
        ("name", "name"),
        ("url", "url"),
        ("platforms", "platforms"),
        ("categories", "categories"),
        ("developmentStatus", "developmentStatus"),
        ("softwareType", "softwareType"),
        ("description", "description"),
        ("legal", "legal.license"),
        ("maintenance", "maintenance.type"),
        ("localisation", "localisation"),
    ] {
        let text = without_top_level(&written, cut);
        let problems = errors(&text);
        assert!(
            keys(&problems).contains(&key),
            "{cut}: {problems:#?}\n{text}"
        );
        for p in &problems {
            assert!(!p.message.is_empty());
            assert!(p.example.is_some(), "{p:#?}");
        }
    }
}

/// `text` without the top-level key `key` and its indented block.
fn without_top_level(text: &str, key: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with(&format!("{key}:")) {
            skipping = true;
            continue;
        }
        if skipping && (line.is_empty() || line.starts_with(' ') || line.starts_with('-')) {
            continue;
        }
        skipping = false;
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn replaced(from: &str, to: &str) -> String {
    assert!(FULL.contains(from), "{from}");
    FULL.replacen(from, to, 1)
}

#[test]
fn nested_mandatory_keys_are_named() {
    for (from, to, key) in [
        (
            "    shortDescription: Bürgerinnen und Bürger melden Schäden im Stadtgebiet.\n",
            "",
            "description.de.shortDescription",
        ),
        (
            "  localisationReady: true\n",
            "",
            "localisation.localisationReady",
        ),
        (
            "  availableLanguages:\n    - de\n    - en\n",
            "",
            "localisation.availableLanguages",
        ),
        (
            "    - name: Erika Mustermann\n      email",
            "    - email",
            "maintenance.contacts[0].name",
        ),
        (
            "      until: \"2027-12-31\"\n",
            "",
            "maintenance.contractors[0].until",
        ),
        (
            "    - name: PostgreSQL\n      versionMin",
            "    - versionMin",
            "dependsOn.open[0].name",
        ),
        ("  type: contract\n", "  type: community\n", ""),
    ] {
        let text = replaced(from, to);
        if key.is_empty() {
            // Contacts are there: community is fine.
            parse(&text).unwrap();
            continue;
        }
        let problems = errors(&text);
        assert_eq!(keys(&problems), [key], "{problems:#?}");
        let p = &problems[0];
        assert!(p.line.is_some() && p.example.is_some(), "{p:#?}");
    }
}

#[test]
fn contract_without_contractors_and_community_without_contacts() {
    let text = replaced(
        "  contractors:\n    - name: Beispiel GmbH\n      until: \"2027-12-31\"\n      email: wartung@example.org\n      website: \"https://beispiel.example.org\"\n",
        "",
    );
    let problems = errors(&text);
    assert_eq!(keys(&problems), ["maintenance.contractors"]);
    assert!(problems[0].message.contains("contract"));
    assert!(problems[0].example.as_deref().unwrap().contains("until:"));

    let mut doc = minimal();
    doc.contacts.clear();
    assert_eq!(keys(&check(&doc)), ["maintenance.contacts"]);
    doc.maintenance_type = "internal".to_owned();
    assert_eq!(keys(&check(&doc)), ["maintenance.contacts"]);
    doc.maintenance_type = "none".to_owned();
    assert!(check(&doc).is_empty());
}

#[test]
fn wrong_types_name_their_key_and_line() {
    for (from, to, key) in [
        (
            "platforms:\n  - web\n  - android\n  - Smart-TV\n",
            "platforms: 5\n",
            "platforms",
        ),
        (
            "description:\n  de:\n",
            "description: text\nx:\n  de:\n",
            "description",
        ),
        (
            "  license: EUPL-1.2\n",
            "  license: [MIT]\n",
            "legal.license",
        ),
        (
            "name: Mängelmelder\n",
            "name:\n  de: Mängelmelder\n",
            "name",
        ),
        (
            "softwareVersion: \"1.2.0\"\n",
            "softwareVersion: 1.2\n",
            "softwareVersion",
        ),
        (
            "categories:\n  - digital-citizenship\n",
            "categories: digital-citizenship\ncategoriez:\n  - digital-citizenship\n",
            "categories",
        ),
        (
            "  localisationReady: true\n",
            "  localisationReady: ja\n",
            "localisation.localisationReady",
        ),
        (
            "      optional: true\n",
            "      optional: \"true\"\n",
            "dependsOn.hardware[0].optional",
        ),
        (
            "    - name: Erika Mustermann\n      email: erika@example.org\n      phone: \"+49 30 1234567\"\n      affiliation: OK Lab Musterstadt\n",
            "    - Erika Mustermann\n",
            "maintenance.contacts[0]",
        ),
        (
            "  - Stadt Musterstadt\n",
            "  - [Stadt, Musterstadt]\n",
            "usedBy[0]",
        ),
        ("legal:\n", "legal: EUPL-1.2\nlegalese:\n", "legal"),
        (
            "      - \"https://vimeo.com/123456789\"\n",
            "      - 7\n",
            "description.de.videos[0]",
        ),
        (
            "  open:\n",
            "  open: PostgreSQL\n  closed:\n",
            "dependsOn.open",
        ),
        (
            "intendedAudience:\n",
            "intendedAudience: [de]\nx:\n",
            "intendedAudience",
        ),
    ] {
        let text = replaced(from, to);
        let line = text[..text.find(to).unwrap()].matches('\n').count() + 1;
        let problems = errors(&text);
        assert_eq!(keys(&problems), [key], "{problems:#?}\n{text}");
        let p = problems.iter().find(|p| p.is_error()).unwrap();
        assert_eq!(p.line, Some(line), "{p:#?}\n{text}");
        assert!(p.message.contains(&format!("`{key}`")), "{p:#?}");
        assert!(p.message.contains("muss"), "{p:#?}");
        assert!(p.example.is_some(), "{p:#?}");
    }
}

#[test]
fn unknown_values_list_the_allowed_ones() {
    for (from, to, key, allowed) in [
        (
            "developmentStatus: stable",
            "developmentStatus: stabel",
            "developmentStatus",
            "`stable`",
        ),
        (
            "softwareType: standalone/web",
            "softwareType: webapp",
            "softwareType",
            "`standalone/web`",
        ),
        (
            "  type: contract",
            "  type: volunteers",
            "maintenance.type",
            "`community`",
        ),
        (
            "  - data-visualization",
            "  - open-data",
            "categories[1]",
            "categories-list",
        ),
        (
            "    - society",
            "    - city",
            "intendedAudience.scope[1]",
            "`local-authorities`",
        ),
    ] {
        let problems = errors(&replaced(from, to));
        assert_eq!(keys(&problems), [key], "{problems:#?}");
        assert!(problems[0].message.contains(allowed), "{problems:#?}");
        assert!(problems[0].example.is_some());
    }
    let problems = errors(&replaced(
        "developmentStatus: stable",
        "developmentStatus: stabel",
    ));
    assert!(
        problems[0].message.contains("Meintest du `stable`?"),
        "{problems:#?}"
    );
}

#[test]
fn bad_dates_urls_and_licenses_are_named() {
    for (from, to, key) in [
        (
            "releaseDate: \"2025-04-15\"",
            "releaseDate: \"15.04.2025\"",
            "releaseDate",
        ),
        (
            "releaseDate: \"2025-04-15\"",
            "releaseDate: \"2025-02-30\"",
            "releaseDate",
        ),
        (
            "releaseDate: \"2025-04-15\"",
            "releaseDate: 2025-04-15T10:00:00Z",
            "releaseDate",
        ),
        (
            "      until: \"2027-12-31\"",
            "      until: \"Ende 2027\"",
            "maintenance.contractors[0].until",
        ),
        (
            "url: \"https://github.com/codeforde/maengelmelder\"",
            "url: github.com/codeforde/maengelmelder",
            "url",
        ),
        (
            "url: \"https://github.com/codeforde/maengelmelder\"",
            "url: \"git@github.com:codeforde/maengelmelder.git\"",
            "url",
        ),
        (
            "landingURL: \"https://maengelmelder.example.org\"",
            "landingURL: maengelmelder",
            "landingURL",
        ),
        (
            "    documentation: \"https://maengelmelder.example.org/hilfe\"",
            "    documentation: \"ftp://example.org\"",
            "description.de.documentation",
        ),
        (
            "  - \"https://vimeo.com/123456789\"",
            "  - vimeo",
            "description.de.videos[0]",
        ),
        (
            "  license: EUPL-1.2",
            "  license: Frei für alle",
            "legal.license",
        ),
        ("  license: EUPL-1.2", "  license: MIT AND", "legal.license"),
        (
            "  license: EUPL-1.2",
            "  license: (MIT OR Apache-2.0",
            "legal.license",
        ),
        (
            "      email: erika@example.org",
            "      email: erika",
            "maintenance.contacts[0].email",
        ),
        (
            "    - de\n    - en\n",
            "    - de\n    - Deutsch_DE\n",
            "localisation.availableLanguages[1]",
        ),
        ("    - at\n", "    - AT\n", "intendedAudience.countries[1]"),
    ] {
        let text = replaced(from, to);
        let problems = errors(&text);
        assert_eq!(keys(&problems), [key], "{problems:#?}\n{text}");
        assert!(problems[0].line.is_some(), "{problems:#?}");
        assert!(problems[0].example.is_some(), "{problems:#?}");
    }
    let ok = replaced(
        "  license: EUPL-1.2",
        "  license: LicenseRef-Stadt-Musterstadt OR MIT",
    );
    parse(&ok).unwrap();
    let deprecated = parse(&replaced("  license: EUPL-1.2", "  license: GPL-3.0")).unwrap();
    assert_eq!(deprecated.warnings[0].key, "legal.license");
    assert!(deprecated.warnings[0].message.contains("GPL-3.0-only"));
}

#[test]
fn description_lengths_are_checked() {
    let mut doc = minimal();
    let de = doc.description.get_mut("de").unwrap();
    de.short_description = "ä".repeat(150);
    assert!(check(&doc).is_empty(), "150 characters, not bytes");
    let de = doc.description.get_mut("de").unwrap();
    de.short_description = "a".repeat(151);
    de.long_description = "zu kurz".to_owned();
    let problems = check(&doc);
    assert_eq!(
        keys(&problems),
        [
            "description.de.shortDescription",
            "description.de.longDescription"
        ]
    );
    assert!(problems[0].message.contains("151"));
    assert!(problems[1].message.contains("mindestens 150"));
    let de = doc.description.get_mut("de").unwrap();
    de.short_description = "kurz".to_owned();
    de.long_description = "x".repeat(10_001);
    assert_eq!(keys(&check(&doc)), ["description.de.longDescription"]);
    let de = doc.description.get_mut("de").unwrap();
    de.long_description = String::new();
    de.features.clear();
    assert_eq!(
        keys(&check(&doc)),
        ["description.de.longDescription", "description.de.features"]
    );
}

#[test]
fn long_description_and_features_are_needed_in_one_language_only() {
    // FULL's `en` has neither: fine, `de` has both.
    parse(FULL).unwrap();
    let text = FULL.replace(
        "    features:\n      - Meldungen mit Foto und Ort\n      - Karte aller Meldungen\n",
        "",
    );
    assert_eq!(keys(&errors(&text)), ["description.de.features"]);
}

#[test]
fn every_problem_is_collected_at_once() {
    let text = "publiccodeYmlVersion: \"0.5\"\nname: 5\nurl: nix\nplatforms: {}\ncategories: [foo]\n\
                developmentStatus: fertig\nsoftwareType: app\ndescription:\n  de:\n    shortDescription: x\n\
                legal:\n  license: Frei\nmaintenance:\n  type: community\nlocalisation:\n  localisationReady: true\n";
    let problems = errors(text);
    assert_eq!(
        keys(&problems),
        [
            "name",
            "url",
            "platforms",
            "categories[0]",
            "developmentStatus",
            "softwareType",
            "description.de.longDescription",
            "description.de.features",
            "legal.license",
            "maintenance.contacts",
            "localisation.availableLanguages",
        ],
        "{problems:#?}"
    );
    let lines: Vec<Option<usize>> = problems.iter().map(|p| p.line).collect();
    assert_eq!(
        lines[..7],
        [
            Some(2),
            Some(3),
            Some(4),
            Some(5),
            Some(6),
            Some(7),
            Some(9)
        ]
    );
    for p in &problems {
        assert!(p.example.is_some(), "{p:#?}");
    }
}

#[test]
fn versions() {
    let old = parse(&replaced(
        "publiccodeYmlVersion: \"0.5\"",
        "publiccodeYmlVersion: \"0.2\"",
    ))
    .unwrap();
    assert_eq!(old.warnings.len(), 1);
    assert_eq!(old.warnings[0].key, "publiccodeYmlVersion");
    assert_eq!(old.warnings[0].line, Some(2));
    for ok in ["0.4", "0.3", "0.4.0", "0.5.0"] {
        parse(&replaced("\"0.5\"", &format!("\"{ok}\""))).unwrap();
    }
    for bad in ["\"1.0\"", "\"0.6\"", "\"neu\"", "\"\"", "0.5", "[0.5]"] {
        let problems = errors(&replaced("\"0.5\"", bad));
        assert_eq!(
            keys(&problems),
            ["publiccodeYmlVersion"],
            "{bad}: {problems:#?}"
        );
    }
}

#[test]
fn unknown_and_deprecated_keys_are_warnings() {
    let text = FULL
        .replace("name: Mängelmelder\n", "name: Mängelmelder\nnmae: Tippfehler\nmonochromeLogo: img/mono.svg\n")
        .replace("    localisedName: Mängelmelder\n", "    localisedName: Mängelmelder\n    genericName: Meldeportal\n    shortdescription: klein\n")
        .replace("  repoOwner: Code for Germany\n", "  repoOwner: Code for Germany\n  authorsFile: AUTHORS\n");
    let parsed = parse(&text).unwrap();
    let warned: Vec<&str> = parsed.warnings.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        warned,
        [
            "nmae",
            "monochromeLogo",
            "description.de.genericName",
            "description.de.shortdescription",
            "legal.authorsFile"
        ]
    );
    assert_eq!(parsed.warnings[0].line, Some(4));
    assert!(parsed.document.extra.contains_key("nmae"));
    assert!(parsed.document.extra.contains_key("monochromeLogo"));
    assert!(
        !parsed.document.extra.contains_key("it") || parsed.warnings.iter().all(|w| w.key != "it")
    );
    let too_long = text.replace(
        "genericName: Meldeportal",
        &format!("genericName: {}", "x".repeat(36)),
    );
    assert_eq!(keys(&errors(&too_long)), ["description.de.genericName"]);
}

#[test]
fn hostile_input_is_refused() {
    let big = format!("name: \"{}\"\n", "x".repeat(MAX_BYTES));
    let p = errors(&big);
    assert_eq!(p.len(), 1);
    assert!(p[0].message.contains("KiB"));
    assert!(parse_bytes(big.as_bytes()).is_err());

    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let prev = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
        ));
    }
    let p = errors(&bomb);
    assert!(p[0].message.contains("Verweise"), "{p:#?}");

    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(errors(&deep)[0].message.contains("verschachtelt") || !errors(&deep).is_empty());
    let mut block = String::new();
    for i in 0..10_000 {
        block.push_str(&" ".repeat(i));
        block.push_str("a:\n");
    }
    assert!(!block.is_empty() && parse(&block[..block.len().min(MAX_BYTES)]).is_err());
    let dashes = format!("{}x\n", "- ".repeat(10_000));
    assert!(!errors(&dashes).is_empty());

    let p = parse_bytes(b"name: M\xe4ngelmelder\n").unwrap_err();
    assert!(p[0].message.contains("UTF-8"));
    assert_eq!(p[0].line, Some(1));

    let tab = "publiccodeYmlVersion: \"0.5\"\nlegal:\n\tlicense: MIT\n";
    let p = errors(tab);
    assert_eq!(p[0].line, Some(3), "{p:#?}");
    assert!(p[0].message.contains("Tabulator"), "{p:#?}");

    let tag = "publiccodeYmlVersion: \"0.5\"\nname: !!python/object:os.system [\"rm -rf /\"]\n";
    let p = errors(tag);
    assert!(p[0].message.contains("python/object"), "{p:#?}");

    let dup = "publiccodeYmlVersion: \"0.5\"\nname: A\nname: B\n";
    let p = errors(dup);
    assert_eq!(p[0].key, "name");
    assert_eq!(p[0].line, Some(3));

    for other in [
        "",
        "   \n",
        "just text",
        "- a\n- b\n",
        "a: b\n---\nc: d\n",
        "a: *nowhere\n",
        "\0",
    ] {
        let p = errors(other);
        assert!(!p.is_empty() && !p[0].message.is_empty(), "{other:?}");
    }
}
