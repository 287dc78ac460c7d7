//! A correct YAML snippet for each key, shown beside a problem with that key.

/// The smallest file that follows the standard.
pub(super) const MINIMAL: &str = r#"publiccodeYmlVersion: "0.5"
name: Mängelmelder
url: "https://github.com/codeforde/maengelmelder"
platforms:
  - web
categories:
  - digital-citizenship
developmentStatus: beta
softwareType: standalone/web
description:
  de:
    shortDescription: Bürgerinnen und Bürger melden Schäden im Stadtgebiet.
    longDescription: |
      Der Mängelmelder nimmt Meldungen über Schlaglöcher, defekte Laternen und wilden
      Müll entgegen, zeigt sie auf einer Karte und leitet sie an die zuständige Stelle
      der Verwaltung weiter.
    features:
      - Meldungen mit Foto und Ort
legal:
  license: EUPL-1.2
maintenance:
  type: community
  contacts:
    - name: Erika Mustermann
localisation:
  localisationReady: false
  availableLanguages:
    - de
"#;

/// The example for a problem at `key` (indices and language tags generalised).
pub(super) fn for_key(key: &str) -> Option<String> {
    let general = generalise(key);
    let snippet = match general.as_str() {
        "publiccodeYmlVersion" => "publiccodeYmlVersion: \"0.5\"",
        "name" => "name: Mängelmelder",
        "applicationSuite" => "applicationSuite: Stadtwerkzeuge",
        "url" => "url: \"https://github.com/codeforde/maengelmelder\"",
        "landingURL" => "landingURL: \"https://maengelmelder.example.org\"",
        "isBasedOn" => "isBasedOn:\n  - \"https://github.com/codeforde/vorlage\"",
        "organizationUri" => "organizationUri: \"https://codefor.de\"",
        "softwareVersion" => "softwareVersion: \"1.2.0\"",
        "releaseDate" => "releaseDate: \"2025-04-15\"",
        "logo" => "logo: img/logo.svg",
        "platforms" => "platforms:\n  - web\n  - android",
        "categories" => "categories:\n  - digital-citizenship\n  - data-visualization",
        "usedBy" => "usedBy:\n  - Stadt Musterstadt",
        "roadmap" => "roadmap: \"https://github.com/codeforde/maengelmelder/milestones\"",
        "developmentStatus" => "developmentStatus: stable",
        "softwareType" => "softwareType: standalone/web",
        "intendedAudience" => "intendedAudience:\n  countries:\n    - de\n  scope:\n    - society",
        "intendedAudience.countries" => "intendedAudience:\n  countries:\n    - de\n    - at",
        "intendedAudience.unsupportedCountries" => {
            "intendedAudience:\n  unsupportedCountries:\n    - us"
        }
        "intendedAudience.scope" => "intendedAudience:\n  scope:\n    - local-authorities",
        "description" | "description.de" => {
            "description:\n  de:\n    shortDescription: Bürgerinnen und Bürger melden Schäden.\n    \
             longDescription: |\n      Mindestens 150 Zeichen, die beschreiben, was die Software \
             für ihre Nutzerinnen\n      und Nutzer tut …\n    features:\n      - Meldungen mit Foto"
        }
        "description.de.localisedName" => "description:\n  de:\n    localisedName: Mängelmelder",
        "description.de.genericName" => "description:\n  de:\n    genericName: Meldeportal",
        "description.de.shortDescription" => {
            "description:\n  de:\n    shortDescription: Bürgerinnen und Bürger melden Schäden \
             im Stadtgebiet."
        }
        "description.de.longDescription" => {
            "description:\n  de:\n    longDescription: |\n      Der Mängelmelder nimmt Meldungen \
             über Schlaglöcher, defekte Laternen und wilden\n      Müll entgegen, zeigt sie auf \
             einer Karte und leitet sie an die zuständige Stelle\n      der Verwaltung weiter."
        }
        "description.de.documentation" => {
            "description:\n  de:\n    documentation: \"https://maengelmelder.example.org/hilfe\""
        }
        "description.de.apiDocumentation" => {
            "description:\n  de:\n    apiDocumentation: \"https://maengelmelder.example.org/api\""
        }
        "description.de.features" => {
            "description:\n  de:\n    features:\n      - Meldungen mit Foto und Ort\n      - \
             Karte aller Meldungen"
        }
        "description.de.screenshots" => {
            "description:\n  de:\n    screenshots:\n      - img/screenshot-karte.png"
        }
        "description.de.videos" => {
            "description:\n  de:\n    videos:\n      - \"https://vimeo.com/123456789\""
        }
        "description.de.awards" => "description:\n  de:\n    awards:\n      - Open Data Preis 2024",
        "legal" => "legal:\n  license: EUPL-1.2",
        "legal.license" => "legal:\n  license: EUPL-1.2",
        "legal.mainCopyrightOwner" => "legal:\n  mainCopyrightOwner: Code for Musterstadt",
        "legal.repoOwner" => "legal:\n  repoOwner: Code for Musterstadt",
        "maintenance" => {
            "maintenance:\n  type: community\n  contacts:\n    - name: Erika Mustermann"
        }
        "maintenance.type" => "maintenance:\n  type: community",
        "maintenance.contacts" | "maintenance.contacts.name" => {
            "maintenance:\n  type: community\n  contacts:\n    - name: Erika Mustermann\n      \
             email: erika@example.org"
        }
        "maintenance.contacts.email" => {
            "maintenance:\n  contacts:\n    - name: Erika Mustermann\n      email: erika@example.org"
        }
        "maintenance.contacts.phone" => {
            "maintenance:\n  contacts:\n    - name: Erika Mustermann\n      phone: \"+49 30 1234567\""
        }
        "maintenance.contacts.affiliation" => {
            "maintenance:\n  contacts:\n    - name: Erika Mustermann\n      affiliation: OK Lab \
             Musterstadt"
        }
        "maintenance.contractors"
        | "maintenance.contractors.name"
        | "maintenance.contractors.until" => {
            "maintenance:\n  type: contract\n  contractors:\n    - name: Beispiel GmbH\n      \
             until: \"2027-12-31\""
        }
        "maintenance.contractors.email" => {
            "maintenance:\n  contractors:\n    - name: Beispiel GmbH\n      until: \"2027-12-31\"\n      \
             email: wartung@example.org"
        }
        "maintenance.contractors.website" => {
            "maintenance:\n  contractors:\n    - name: Beispiel GmbH\n      until: \"2027-12-31\"\n      \
             website: \"https://beispiel.example.org\""
        }
        "localisation" => {
            "localisation:\n  localisationReady: true\n  availableLanguages:\n    - de"
        }
        "localisation.localisationReady" => "localisation:\n  localisationReady: true",
        "localisation.availableLanguages" => {
            "localisation:\n  availableLanguages:\n    - de\n    - en"
        }
        "dependsOn" | "dependsOn.open" | "dependsOn.open.name" => {
            "dependsOn:\n  open:\n    - name: PostgreSQL\n      versionMin: \"14\""
        }
        "dependsOn.proprietary" | "dependsOn.proprietary.name" => {
            "dependsOn:\n  proprietary:\n    - name: Oracle Database\n      version: \"19\""
        }
        "dependsOn.hardware" | "dependsOn.hardware.name" => {
            "dependsOn:\n  hardware:\n    - name: NFC-Lesegerät\n      optional: true"
        }
        "dependsOn.open.version"
        | "dependsOn.open.versionMin"
        | "dependsOn.open.versionMax"
        | "dependsOn.proprietary.version"
        | "dependsOn.proprietary.versionMin"
        | "dependsOn.proprietary.versionMax"
        | "dependsOn.hardware.version"
        | "dependsOn.hardware.versionMin"
        | "dependsOn.hardware.versionMax" => {
            "dependsOn:\n  open:\n    - name: PostgreSQL\n      versionMin: \"14\"\n      \
             versionMax: \"17\""
        }
        "dependsOn.open.optional"
        | "dependsOn.proprietary.optional"
        | "dependsOn.hardware.optional" => {
            "dependsOn:\n  open:\n    - name: Redis\n      optional: true"
        }
        _ => return None,
    };
    Some(snippet.to_owned())
}

/// `description.en-GB.features[2]` → `description.de.features`.
fn generalise(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut skip = false;
    for c in key.chars() {
        match c {
            '[' => skip = true,
            ']' => skip = false,
            _ if !skip => out.push(c),
            _ => {}
        }
    }
    if let Some(rest) = out.strip_prefix("description.") {
        let after = rest.find('.').map_or("", |i| &rest[i..]);
        return format!("description.de{after}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_generalised() {
        assert_eq!(
            generalise("description.en-GB.features[2]"),
            "description.de.features"
        );
        assert_eq!(generalise("description.it"), "description.de");
        assert_eq!(
            generalise("maintenance.contacts[10].name"),
            "maintenance.contacts.name"
        );
        assert!(for_key("description.fr.longDescription").is_some());
        assert!(for_key("it.countryExtensionVersion").is_none());
    }

    #[test]
    fn every_example_is_yaml() {
        let source = include_str!("examples.rs");
        let mut keys: Vec<&str> = source
            .lines()
            .map(str::trim_start)
            .filter(|l| l.starts_with("\"") || l.starts_with("| \""))
            .filter_map(|l| l.trim_start_matches("| ").split('"').nth(1))
            .filter(|k| !k.contains(' ') && !k.is_empty())
            .collect();
        keys.dedup();
        assert!(keys.len() > 50, "{keys:?}");
        for key in keys {
            let Some(snippet) = for_key(key) else {
                continue;
            };
            serde_saphyr::from_str::<serde_json::Value>(&snippet)
                .unwrap_or_else(|e| panic!("{key}: {e}\n{snippet}"));
        }
        serde_saphyr::from_str::<serde_json::Value>(MINIMAL).unwrap();
    }
}
