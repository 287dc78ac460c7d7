//! The YAML tree into a [`Document`]: every key and value of the wrong type, every
//! unknown or deprecated key, and the version, each as a [`Problem`]. Whether values
//! are allowed is [`super::check`]'s business.

use std::collections::BTreeMap;

use super::yaml::{Entry, Node, Value};
use super::{
    Contact, Contractor, Dependency, DependencyKind, Description, Document, GENERIC_NAME_MAX,
    Problem, VERSION,
};

pub(super) struct Read {
    pub document: Document,
    pub problems: Vec<Problem>,
    /// Dotted key → its line, for problems found later.
    pub lines: BTreeMap<String, usize>,
}

/// Top-level keys the standard deprecated: kept in `extra`, with a warning.
const DEPRECATED_TOP: &[&str] = &["monochromeLogo", "inputTypes", "outputTypes"];

pub(super) fn document(root: &Node) -> Read {
    let mut r = Reader {
        problems: Vec::new(),
        lines: BTreeMap::new(),
    };
    let mut doc = Document::default();
    let Value::Map(entries) = &root.value else {
        r.problems.push(
            Problem::error(
                "",
                format!(
                    "Die Datei muss aus Schlüsseln mit Werten bestehen (`name: …`), ist aber {}.",
                    root.value.kind()
                ),
            )
            .at(Some(root.line.max(1))),
        );
        return Read {
            document: doc,
            problems: r.problems,
            lines: r.lines,
        };
    };
    let mut version_seen = false;
    let mut localisation_seen = false;
    for e in entries {
        let key = e.key.as_str();
        r.lines.insert(key.to_owned(), e.key_line);
        let v = &e.value;
        match key {
            "publiccodeYmlVersion" => {
                version_seen = true;
                r.version(v);
            }
            "name" => doc.name = r.string(key, v).unwrap_or_default(),
            "applicationSuite" => doc.application_suite = r.string(key, v),
            "url" => doc.url = r.string(key, v).unwrap_or_default(),
            "landingURL" => doc.landing_url = r.string(key, v),
            "isBasedOn" => doc.is_based_on = r.strings(key, v, true),
            "organizationUri" => doc.organization_uri = r.string(key, v),
            "softwareVersion" => doc.software_version = r.string(key, v),
            "releaseDate" => doc.release_date = r.string(key, v),
            "logo" => doc.logo = r.string(key, v),
            "platforms" => doc.platforms = r.strings(key, v, true),
            "categories" => doc.categories = r.strings(key, v, false),
            "usedBy" => doc.used_by = r.strings(key, v, false),
            "roadmap" => doc.roadmap = r.string(key, v),
            "developmentStatus" => doc.development_status = r.string(key, v).unwrap_or_default(),
            "softwareType" => doc.software_type = r.string(key, v).unwrap_or_default(),
            "intendedAudience" => r.audience(v, &mut doc),
            "description" => r.descriptions(v, &mut doc),
            "legal" => r.legal(v, &mut doc),
            "maintenance" => r.maintenance(v, &mut doc),
            "localisation" => {
                localisation_seen = true;
                r.localisation(v, &mut doc);
            }
            "dependsOn" => r.depends_on(v, &mut doc),
            _ => {
                if DEPRECATED_TOP.contains(&key) {
                    r.problems.push(Problem::warning(
                        key,
                        format!(
                            "`{key}` ist seit Version 0.4 des Standards veraltet. Du kannst den \
                             Schlüssel löschen."
                        ),
                    ));
                } else if !is_country_section(key) {
                    r.problems.push(Problem::warning(
                        key,
                        format!(
                            "`{key}` ist kein Schlüssel des Standards und wird nur mitgeführt. \
                             Prüfe die Schreibweise (Groß- und Kleinschreibung zählt)."
                        ),
                    ));
                }
                doc.extra.insert(key.to_owned(), v.value.to_json());
            }
        }
    }
    if !version_seen {
        r.problems.push(Problem::error(
            "publiccodeYmlVersion",
            format!(
                "`publiccodeYmlVersion` fehlt. Schreibe als erste Zeile \
                 `publiccodeYmlVersion: \"{VERSION}\"`."
            ),
        ));
    }
    if !localisation_seen {
        r.problems.push(Problem::error(
            "localisation",
            "Der Abschnitt `localisation` fehlt. Gib an, ob die Software mehrsprachig \
             angelegt ist (`localisationReady`) und in welchen Sprachen es sie gibt \
             (`availableLanguages`).",
        ));
    }
    Read {
        document: doc,
        problems: r.problems,
        lines: r.lines,
    }
}

/// `yes`, `no`, `on`, `off`, `y` and `n`: booleans in YAML 1.1 only.
fn yaml11_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "yes" | "on" | "y" => Some(true),
        "no" | "off" | "n" => Some(false),
        _ => None,
    }
}

/// Country-specific sections (`it:`, `de:` …) are allowed by the standard.
fn is_country_section(key: &str) -> bool {
    key.len() == 2 && key.bytes().all(|b| b.is_ascii_lowercase())
}

struct Reader {
    problems: Vec<Problem>,
    lines: BTreeMap<String, usize>,
}

impl Reader {
    fn version(&mut self, v: &Node) {
        let key = "publiccodeYmlVersion";
        let Some(version) = self.string(key, v) else {
            if v.value == Value::Null {
                self.problems.push(Problem::error(
                    key,
                    format!("`{key}` ist leer. Schreibe `{key}: \"{VERSION}\"`."),
                ));
            }
            return;
        };
        let parts: Vec<&str> = version.trim().split('.').collect();
        let numeric = (2..=3).contains(&parts.len())
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        let minor = parts.get(1).and_then(|m| m.parse::<u32>().ok());
        match (numeric, parts.first(), minor) {
            (true, Some(&"0"), Some(5)) => {}
            (true, Some(&"0"), Some(1..=4)) => self.problems.push(Problem::warning(
                key,
                format!(
                    "Die Datei folgt Version {version} des Standards; wir lesen sie als Version \
                     {VERSION}. Prüfe sie gegen {VERSION} und schreibe dann \
                     `{key}: \"{VERSION}\"`."
                ),
            )),
            _ => self.problems.push(Problem::error(
                key,
                format!(
                    "„{version}“ ist keine Version des Standards, die wir kennen. Schreibe \
                     `{key}: \"{VERSION}\"` und prüfe die Datei gegen diese Version."
                ),
            )),
        }
    }

    fn mismatch(&mut self, key: &str, node: &Node, expected: &str) {
        let hint = match &node.value {
            Value::Number(_) | Value::Bool(_) if expected == "ein Text" => {
                " Setze den Wert in Anführungszeichen, zum Beispiel `\"1.0\"`."
            }
            Value::Seq(_) if expected == "ein Text" => {
                " Hier ist nur ein Wert erlaubt, keine Liste."
            }
            Value::Str(_) if expected == "eine Liste" => {
                " Schreibe jeden Eintrag in eine eigene Zeile, die mit `- ` beginnt."
            }
            _ => "",
        };
        let mut p = Problem::error(
            key,
            format!(
                "`{key}` muss {expected} sein, ist aber {}.{hint}",
                node.value.kind()
            ),
        );
        p.line = self
            .lines
            .get(key)
            .copied()
            .or((node.line > 0).then_some(node.line));
        self.problems.push(p);
    }

    fn string(&mut self, key: &str, node: &Node) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            Value::Null => None,
            _ => {
                self.mismatch(key, node, "ein Text");
                None
            }
        }
    }

    fn bool(&mut self, key: &str, node: &Node) -> Option<bool> {
        match &node.value {
            Value::Bool(b) => Some(*b),
            Value::Str(s) if yaml11_bool(s).is_some() => {
                let b = yaml11_bool(s);
                self.problems.push(Problem::warning(
                    key,
                    format!(
                        "Schreibe `{key}: {}` statt „{s}“: YAML 1.2, das der Standard \
                         verlangt, kennt nur `true` und `false`.",
                        b.unwrap_or_default()
                    ),
                ));
                b
            }
            Value::Null => None,
            _ => {
                self.mismatch(key, node, "`true` oder `false`");
                None
            }
        }
    }

    /// A list of texts; `one_allowed` where the standard also takes a single text.
    fn strings(&mut self, key: &str, node: &Node, one_allowed: bool) -> Vec<String> {
        match &node.value {
            Value::Str(s) if one_allowed => vec![s.clone()],
            Value::Seq(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let item_key = format!("{key}[{i}]");
                    self.lines.insert(item_key.clone(), item.line);
                    if let Some(s) = self.string(&item_key, item) {
                        out.push(s);
                    } else if item.value == Value::Null {
                        let mut p = Problem::error(
                            item_key,
                            format!(
                                "Der {}. Eintrag von `{key}` ist leer. Lösche die Zeile oder \
                                 schreibe den Wert hinter `- `.",
                                i + 1
                            ),
                        );
                        p.line = (item.line > 0).then_some(item.line);
                        self.problems.push(p);
                    }
                }
                out
            }
            Value::Null => Vec::new(),
            _ => {
                let expected = if one_allowed {
                    "ein Text oder eine Liste von Texten"
                } else {
                    "eine Liste"
                };
                self.mismatch(key, node, expected);
                Vec::new()
            }
        }
    }

    /// The entries of a section, each key's line recorded; `None` (with a problem) when
    /// the value is not a section.
    fn section<'a>(&mut self, key: &str, node: &'a Node) -> Option<&'a [Entry]> {
        match &node.value {
            Value::Map(entries) => {
                for e in entries {
                    self.lines.insert(format!("{key}.{}", e.key), e.key_line);
                }
                Some(entries)
            }
            Value::Null => Some(&[]),
            _ => {
                self.mismatch(key, node, "ein Abschnitt mit Schlüsseln");
                None
            }
        }
    }

    fn unknown(&mut self, section: &str, key: &str) {
        self.problems.push(Problem::warning(
            format!("{section}.{key}"),
            format!(
                "`{key}` ist im Abschnitt `{section}` kein Schlüssel des Standards und wird \
                 ignoriert. Prüfe die Schreibweise und die Einrückung."
            ),
        ));
    }

    fn deprecated_dropped(&mut self, key: &str) {
        self.problems.push(Problem::warning(
            key,
            format!(
                "`{key}` ist im Standard veraltet und wird beim Schreiben weggelassen. Du kannst \
                 den Schlüssel löschen."
            ),
        ));
    }

    fn audience(&mut self, node: &Node, doc: &mut Document) {
        let Some(entries) = self.section("intendedAudience", node) else {
            return;
        };
        for e in entries {
            let key = format!("intendedAudience.{}", e.key);
            match e.key.as_str() {
                "countries" => doc.countries = self.strings(&key, &e.value, false),
                "unsupportedCountries" => {
                    doc.unsupported_countries = self.strings(&key, &e.value, false);
                }
                "scope" => doc.scope = self.strings(&key, &e.value, false),
                other => self.unknown("intendedAudience", other),
            }
        }
    }

    fn descriptions(&mut self, node: &Node, doc: &mut Document) {
        let Some(languages) = self.section("description", node) else {
            return;
        };
        for lang in languages {
            let section = format!("description.{}", lang.key);
            let Some(entries) = self.section(&section, &lang.value) else {
                continue;
            };
            let mut d = Description::default();
            for e in entries {
                let key = format!("{section}.{}", e.key);
                let v = &e.value;
                match e.key.as_str() {
                    "localisedName" => d.localised_name = self.string(&key, v),
                    "genericName" => {
                        if let Some(name) = self.string(&key, v) {
                            let len = name.chars().count();
                            if len > GENERIC_NAME_MAX {
                                self.problems.push(Problem::error(
                                    key,
                                    format!(
                                        "`genericName` darf höchstens {GENERIC_NAME_MAX} Zeichen \
                                         lang sein, hat aber {len}. Der Schlüssel ist außerdem \
                                         veraltet: lösche ihn am besten."
                                    ),
                                ));
                            } else {
                                self.deprecated_dropped(&key);
                            }
                        }
                    }
                    "shortDescription" => {
                        d.short_description = self.string(&key, v).unwrap_or_default();
                    }
                    "longDescription" => {
                        d.long_description = self.string(&key, v).unwrap_or_default();
                    }
                    "documentation" => d.documentation = self.string(&key, v),
                    "apiDocumentation" => d.api_documentation = self.string(&key, v),
                    "features" => d.features = self.strings(&key, v, false),
                    "screenshots" => d.screenshots = self.strings(&key, v, false),
                    "videos" => d.videos = self.strings(&key, v, false),
                    "awards" => d.awards = self.strings(&key, v, false),
                    other => self.unknown(&section, other),
                }
            }
            doc.description.insert(lang.key.clone(), d);
        }
    }

    fn legal(&mut self, node: &Node, doc: &mut Document) {
        let Some(entries) = self.section("legal", node) else {
            return;
        };
        for e in entries {
            let key = format!("legal.{}", e.key);
            match e.key.as_str() {
                "license" => doc.license = self.string(&key, &e.value).unwrap_or_default(),
                "mainCopyrightOwner" => doc.main_copyright_owner = self.string(&key, &e.value),
                "repoOwner" => doc.repo_owner = self.string(&key, &e.value),
                "authorsFile" => {
                    self.string(&key, &e.value);
                    self.deprecated_dropped(&key);
                }
                other => self.unknown("legal", other),
            }
        }
    }

    fn maintenance(&mut self, node: &Node, doc: &mut Document) {
        let Some(entries) = self.section("maintenance", node) else {
            return;
        };
        for e in entries {
            let key = format!("maintenance.{}", e.key);
            match e.key.as_str() {
                "type" => doc.maintenance_type = self.string(&key, &e.value).unwrap_or_default(),
                "contacts" => {
                    for (i, item) in self.records(&key, &e.value).into_iter().enumerate() {
                        let contact = item
                            .map(|item| self.contact(&format!("{key}[{i}]"), item))
                            .unwrap_or_default();
                        doc.contacts.push(contact);
                    }
                }
                "contractors" => {
                    for (i, item) in self.records(&key, &e.value).into_iter().enumerate() {
                        let contractor = item
                            .map(|item| self.contractor(&format!("{key}[{i}]"), item))
                            .unwrap_or_default();
                        doc.contractors.push(contractor);
                    }
                }
                other => self.unknown("maintenance", other),
            }
        }
    }

    /// A list of sections (contacts, contractors, dependencies), each item's line
    /// recorded. An item that is not a section becomes a problem and `None`, so that the
    /// indices of the document stay those of the file.
    fn records<'a>(&mut self, key: &str, node: &'a Node) -> Vec<Option<&'a Node>> {
        match &node.value {
            Value::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let item_key = format!("{key}[{i}]");
                    self.lines.insert(item_key.clone(), item.line);
                    if matches!(item.value, Value::Map(_)) {
                        out.push(Some(item));
                    } else {
                        self.mismatch(&item_key, item, "ein Abschnitt mit `name:` und mehr");
                        out.push(None);
                    }
                }
                out
            }
            Value::Null => Vec::new(),
            _ => {
                self.mismatch(key, node, "eine Liste");
                Vec::new()
            }
        }
    }

    fn contact(&mut self, key: &str, node: &Node) -> Contact {
        let mut c = Contact::default();
        let Some(entries) = self.section(key, node) else {
            return c;
        };
        for e in entries {
            let k = format!("{key}.{}", e.key);
            match e.key.as_str() {
                "name" => c.name = self.string(&k, &e.value).unwrap_or_default(),
                "email" => c.email = self.string(&k, &e.value),
                "phone" => c.phone = self.string(&k, &e.value),
                "affiliation" => c.affiliation = self.string(&k, &e.value),
                other => self.unknown(key, other),
            }
        }
        c
    }

    fn contractor(&mut self, key: &str, node: &Node) -> Contractor {
        let mut c = Contractor::default();
        let Some(entries) = self.section(key, node) else {
            return c;
        };
        for e in entries {
            let k = format!("{key}.{}", e.key);
            match e.key.as_str() {
                "name" => c.name = self.string(&k, &e.value).unwrap_or_default(),
                "until" => c.until = self.string(&k, &e.value).unwrap_or_default(),
                "email" => c.email = self.string(&k, &e.value),
                "website" => c.website = self.string(&k, &e.value),
                other => self.unknown(key, other),
            }
        }
        c
    }

    fn localisation(&mut self, node: &Node, doc: &mut Document) {
        let Some(entries) = self.section("localisation", node) else {
            return;
        };
        let mut ready_seen = false;
        for e in entries {
            let key = format!("localisation.{}", e.key);
            match e.key.as_str() {
                "localisationReady" => {
                    ready_seen = true;
                    match self.bool(&key, &e.value) {
                        Some(b) => doc.localisation_ready = b,
                        None if e.value.value == Value::Null => self.problems.push(Problem::error(
                            key,
                            "`localisation.localisationReady` ist leer. Schreibe `true`, \
                                 wenn die Software für mehrere Sprachen angelegt ist, sonst \
                                 `false`.",
                        )),
                        None => {}
                    }
                }
                "availableLanguages" => {
                    doc.available_languages = self.strings(&key, &e.value, false);
                }
                other => self.unknown("localisation", other),
            }
        }
        if !ready_seen {
            self.problems.push(Problem::error(
                "localisation.localisationReady",
                "`localisation.localisationReady` fehlt. Schreibe `true`, wenn die Software für \
                 mehrere Sprachen angelegt ist, sonst `false`.",
            ));
        }
    }

    fn depends_on(&mut self, node: &Node, doc: &mut Document) {
        let Some(entries) = self.section("dependsOn", node) else {
            return;
        };
        for e in entries {
            let key = format!("dependsOn.{}", e.key);
            let Some(kind) = DependencyKind::ALL
                .into_iter()
                .find(|k| k.key() == e.key.as_str())
            else {
                self.unknown("dependsOn", &e.key);
                continue;
            };
            for (i, item) in self.records(&key, &e.value).into_iter().enumerate() {
                let item_key = format!("{key}[{i}]");
                let mut d = Dependency {
                    kind,
                    ..Dependency::default()
                };
                let fields = match item {
                    Some(item) => self.section(&item_key, item).unwrap_or_default(),
                    None => &[],
                };
                for f in fields {
                    let k = format!("{item_key}.{}", f.key);
                    match f.key.as_str() {
                        "name" => d.name = self.string(&k, &f.value).unwrap_or_default(),
                        "versionMin" => d.version_min = self.string(&k, &f.value),
                        "versionMax" => d.version_max = self.string(&k, &f.value),
                        "version" => d.version = self.string(&k, &f.value),
                        "optional" => d.optional = self.bool(&k, &f.value),
                        other => self.unknown(&item_key, other),
                    }
                }
                doc.depends_on.push(d);
            }
        }
    }
}
