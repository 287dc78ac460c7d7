//! A project of the network's open-source catalog.

use serde::{Deserialize, Serialize};

use crate::Link;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Project {
    /// URL slug: the project lives at `/projekte/<slug>/`.
    pub slug: String,
    pub title: String,
    pub summary: Option<String>,
    pub body_md: String,
    pub body_html: String,
    /// Slugs of the labs the project belongs to (many-to-many).
    pub labs: Vec<String>,
    pub development_status: Option<DevelopmentStatus>,
    pub maintenance: Option<Maintenance>,
    /// A general call for people (the old "sucht Mitmachende"); roles are kept apart.
    pub looking_for_people: bool,
    /// The status text as the source wrote it.
    pub status_text: Option<String>,
    /// Keys of [`THEMES`].
    pub themes: Vec<String>,
    /// Free tags.
    pub topics: Vec<String>,
    pub links: Vec<Link>,
    /// The source repository, when a link names one.
    pub repository_url: Option<String>,
    /// Media path of the project's picture (`projects/berlin/x.png`), when any.
    pub image: Option<String>,
    pub showcase: bool,
    pub draft: bool,
    /// `YYYY-MM-DD`, from the front matter or the file name.
    pub date: Option<String>,
    pub source: serde_json::Value,
}

/// How far the software is: publiccode.yml's `developmentStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DevelopmentStatus {
    /// An idea or concept; there may be no code yet.
    Concept,
    /// Being built, not ready for users.
    Development,
    /// Being tried out by first users.
    Beta,
    /// Released and ready for production use.
    Stable,
    /// No longer kept up; archived.
    Obsolete,
}

impl DevelopmentStatus {
    pub const ALL: [DevelopmentStatus; 5] = [
        DevelopmentStatus::Concept,
        DevelopmentStatus::Development,
        DevelopmentStatus::Beta,
        DevelopmentStatus::Stable,
        DevelopmentStatus::Obsolete,
    ];

    /// The publiccode.yml value, also used in URLs and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            DevelopmentStatus::Concept => "concept",
            DevelopmentStatus::Development => "development",
            DevelopmentStatus::Beta => "beta",
            DevelopmentStatus::Stable => "stable",
            DevelopmentStatus::Obsolete => "obsolete",
        }
    }

    pub fn parse(s: &str) -> Option<DevelopmentStatus> {
        DevelopmentStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// German label for the interface.
    pub fn label_de(self) -> &'static str {
        match self {
            DevelopmentStatus::Concept => "Idee",
            DevelopmentStatus::Development => "In Entwicklung",
            DevelopmentStatus::Beta => "Im Test",
            DevelopmentStatus::Stable => "Im Einsatz",
            DevelopmentStatus::Obsolete => "Eingestellt",
        }
    }

    /// One sentence for people who do not know the terms.
    pub fn hint_de(self) -> &'static str {
        match self {
            DevelopmentStatus::Concept => {
                "Es gibt eine Idee oder ein Konzept, vielleicht noch keinen Code."
            }
            DevelopmentStatus::Development => {
                "Wird gebaut, ist aber noch nicht für den Einsatz bereit."
            }
            DevelopmentStatus::Beta => "Erste Nutzerinnen und Nutzer probieren es aus.",
            DevelopmentStatus::Stable => "Veröffentlicht und bereit für den Einsatz.",
            DevelopmentStatus::Obsolete => {
                "Wird nicht mehr weiterentwickelt; der Code ist archiviert."
            }
        }
    }
}

/// Who keeps the software up: publiccode.yml's `maintenance/type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Maintenance {
    Internal,
    Contract,
    Community,
    None,
}

impl Maintenance {
    pub const ALL: [Maintenance; 4] = [
        Maintenance::Community,
        Maintenance::Internal,
        Maintenance::Contract,
        Maintenance::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Maintenance::Internal => "internal",
            Maintenance::Contract => "contract",
            Maintenance::Community => "community",
            Maintenance::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<Maintenance> {
        Maintenance::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label_de(self) -> &'static str {
        match self {
            Maintenance::Internal => "Gepflegt von der Stelle, der das Repository gehört",
            Maintenance::Contract => "Gepflegt im Auftrag (Wartungsvertrag)",
            Maintenance::Community => "Gepflegt von Ehrenamtlichen",
            Maintenance::None => "Wird nicht gepflegt",
        }
    }
}

/// A theme of the controlled vocabulary: `(key, German label, publiccode.yml scope)`.
pub struct Theme {
    pub key: &'static str,
    pub label: &'static str,
    /// The matching value of publiccode.yml's `intendedAudience/scope`.
    pub scope: &'static str,
    /// Lower-case words in free tags that mean this theme (for the import).
    pub words: &'static [&'static str],
}

/// The catalog's controlled themes; free tags stay beside them.
pub const THEMES: &[Theme] = &[
    Theme {
        key: "gesellschaft",
        label: "Gesellschaft und Soziales",
        scope: "society",
        words: &["gesellschaft", "soziales", "demografie", "inklusion"],
    },
    Theme {
        key: "politik",
        label: "Politik und Verwaltung",
        scope: "local-authorities",
        words: &[
            "politik",
            "verwaltung",
            "transparenz",
            "demokratie",
            "beteiligung",
        ],
    },
    Theme {
        key: "umwelt",
        label: "Umwelt und Klima",
        scope: "environment",
        words: &[
            "umwelt",
            "natur",
            "naturschutz",
            "bäume",
            "klima",
            "energie",
        ],
    },
    Theme {
        key: "mobilitaet",
        label: "Mobilität",
        scope: "transportation",
        words: &["mobilität", "verkehr", "fahrrad", "öpnv"],
    },
    Theme {
        key: "daten",
        label: "Offene Daten und Karten",
        scope: "science-and-technology",
        words: &[
            "open data",
            "daten",
            "statistik",
            "maps",
            "karten",
            "linked data",
            "datenvisualisierung",
            "technologie",
        ],
    },
    Theme {
        key: "kultur",
        label: "Kultur und Bildung",
        scope: "culture",
        words: &["kultur", "kreatives", "bildung", "schule"],
    },
    Theme {
        key: "gesundheit",
        label: "Gesundheit",
        scope: "healthcare",
        words: &["gesundheit", "pflege"],
    },
    Theme {
        key: "stadt",
        label: "Stadt und Wohnen",
        scope: "infrastructures",
        words: &["stadt", "wohnen", "stadtentwicklung", "bauen"],
    },
];

/// The theme with this key.
pub fn theme(key: &str) -> Option<&'static Theme> {
    THEMES.iter().find(|t| t.key == key)
}

/// The themes free tags speak of, in vocabulary order, each once.
pub fn themes_of_tags(tags: &[String]) -> Vec<String> {
    let lower: Vec<String> = tags.iter().map(|t| t.trim().to_lowercase()).collect();
    THEMES
        .iter()
        .filter(|t| lower.iter().any(|tag| t.words.contains(&tag.as_str())))
        .map(|t| t.key.to_owned())
        .collect()
}

/// How much time a role asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Commitment {
    Occasional,
    Weekly,
    Regular,
}

impl Commitment {
    pub const ALL: [Commitment; 3] = [
        Commitment::Occasional,
        Commitment::Weekly,
        Commitment::Regular,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Commitment::Occasional => "occasional",
            Commitment::Weekly => "weekly",
            Commitment::Regular => "regular",
        }
    }

    pub fn parse(s: &str) -> Option<Commitment> {
        Commitment::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label_de(self) -> &'static str {
        match self {
            Commitment::Occasional => "Ab und zu, ein paar Stunden",
            Commitment::Weekly => "Etwa zwei Stunden pro Woche",
            Commitment::Regular => "Regelmäßig, mehr als zwei Stunden pro Woche",
        }
    }
}

/// Where a role is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    OnSite,
    Remote,
    Either,
}

impl Place {
    pub const ALL: [Place; 3] = [Place::Either, Place::OnSite, Place::Remote];

    pub fn as_str(self) -> &'static str {
        match self {
            Place::OnSite => "on_site",
            Place::Remote => "remote",
            Place::Either => "either",
        }
    }

    pub fn parse(s: &str) -> Option<Place> {
        Place::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label_de(self) -> &'static str {
        match self {
            Place::OnSite => "Vor Ort beim Lab",
            Place::Remote => "Von zu Hause aus",
            Place::Either => "Vor Ort oder von zu Hause",
        }
    }
}

/// How codefor.de's free-text statuses are read by the import: a controlled set that is
/// then split into [`DevelopmentStatus`], [`Maintenance`] and the call for people
/// ([`ProjectStatus::split`]); the original text stays in [`Project::status_text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    /// An idea or concept, data being collected.
    Idea,
    /// Being built.
    InProgress,
    /// Being built or kept, and asking for more people.
    LookingForPeople,
    /// Released and in use, kept up to date.
    InProduction,
    /// Done: complete, no further work planned.
    Finished,
    /// Stopped or orphaned before completion.
    Discontinued,
}

impl ProjectStatus {
    pub const ALL: [ProjectStatus; 6] = [
        ProjectStatus::Idea,
        ProjectStatus::InProgress,
        ProjectStatus::LookingForPeople,
        ProjectStatus::InProduction,
        ProjectStatus::Finished,
        ProjectStatus::Discontinued,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProjectStatus::Idea => "idea",
            ProjectStatus::InProgress => "in_progress",
            ProjectStatus::LookingForPeople => "looking_for_people",
            ProjectStatus::InProduction => "in_production",
            ProjectStatus::Finished => "finished",
            ProjectStatus::Discontinued => "discontinued",
        }
    }

    pub fn parse(s: &str) -> Option<ProjectStatus> {
        ProjectStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The development status, the maintenance (when the status says it) and whether the
    /// project asks for people.
    pub fn split(self) -> (DevelopmentStatus, Option<Maintenance>, bool) {
        match self {
            ProjectStatus::Idea => (DevelopmentStatus::Concept, None, false),
            ProjectStatus::InProgress => (DevelopmentStatus::Development, None, false),
            ProjectStatus::LookingForPeople => (DevelopmentStatus::Development, None, true),
            // "Im Produktivbetrieb" says it runs, not who keeps it up.
            ProjectStatus::InProduction => (DevelopmentStatus::Stable, None, false),
            ProjectStatus::Finished => (DevelopmentStatus::Stable, Some(Maintenance::None), false),
            ProjectStatus::Discontinued => {
                (DevelopmentStatus::Obsolete, Some(Maintenance::None), false)
            }
        }
    }

    /// German label for the interface.
    pub fn label_de(self) -> &'static str {
        match self {
            ProjectStatus::Idea => "Idee",
            ProjectStatus::InProgress => "In Arbeit",
            ProjectStatus::LookingForPeople => "Sucht Mitmachende",
            ProjectStatus::InProduction => "Im Einsatz",
            ProjectStatus::Finished => "Abgeschlossen",
            ProjectStatus::Discontinued => "Eingestellt",
        }
    }

    /// Maps the free-text statuses found in codefor.de's projects to the controlled set.
    /// Returns `None` when the text says nothing we can classify (e.g. a bare date).
    ///
    /// Order matters: "Laufend, sucht Mitmacher" is first of all a call for people, and
    /// "Abgeschlossen, tägliche Datenaktualisierung" is in production, not finished.
    pub fn from_free_text(text: &str) -> Option<ProjectStatus> {
        let t = text.trim().trim_matches('"').to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
        if has(&["sucht", "looking for", "gesucht"]) {
            Some(ProjectStatus::LookingForPeople)
        } else if has(&[
            "discontinued",
            "dead",
            "eingestellt",
            "festgefahren",
            "verwaist",
            "archiv",
        ]) {
            Some(ProjectStatus::Discontinued)
        } else if has(&[
            "produktiv",
            "aktualisier",
            "released",
            "im einsatz",
            "in production",
            "live",
        ]) {
            Some(ProjectStatus::InProduction)
        } else if has(&[
            "abgeschlossen",
            "finished",
            "fertig",
            "done",
            "beendet",
            "completed",
        ]) {
            Some(ProjectStatus::Finished)
        } else if has(&[
            "laufend",
            "progress",
            "arbeit",
            "entwicklung",
            "active",
            "aktiv",
            "prototyp",
            "test",
        ]) {
            Some(ProjectStatus::InProgress)
        } else if has(&[
            "idee",
            "idea",
            "konzept",
            "machbarkeit",
            "datensammlung",
            "planung",
        ]) {
            Some(ProjectStatus::Idea)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ProjectStatus as S;

    #[test]
    fn free_text_statuses_from_codefor_de() {
        let cases = [
            ("abgeschlossen", Some(S::Finished)),
            ("Finished", Some(S::Finished)),
            ("Laufend", Some(S::InProgress)),
            ("\"In Progress\"", Some(S::InProgress)),
            ("Sucht ehrenamtlich Engagierte", Some(S::LookingForPeople)),
            (
                "Laufend, Konzeptionierung, Datensammlung, Sucht Mitmacher",
                Some(S::LookingForPeople),
            ),
            ("Im Produktivbetrieb", Some(S::InProduction)),
            (
                "Abgeschlossen, tägliche Datenaktualisierung",
                Some(S::InProduction),
            ),
            ("wird jährlich aktualisiert", Some(S::InProduction)),
            ("Verwaist, sucht Mitmacher", Some(S::LookingForPeople)),
            ("Dead", Some(S::Discontinued)),
            ("Festgefahren", Some(S::Discontinued)),
            ("Prototyp", Some(S::InProgress)),
            ("Machbarkeitsstudie", Some(S::Idea)),
            ("Released", Some(S::InProduction)),
            ("Zwonull", None),
            ("3. September 2021", None),
        ];
        for (text, want) in cases {
            assert_eq!(S::from_free_text(text), want, "{text}");
        }
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn tags_map_to_themes_once_in_vocabulary_order() {
        let tags = ["Umwelt", "Gesellschaft", " bäume ", "Zwonull"].map(String::from);
        assert_eq!(super::themes_of_tags(&tags), ["gesellschaft", "umwelt"]);
        for t in super::THEMES {
            assert_eq!(super::theme(t.key).map(|x| x.label), Some(t.label));
        }
    }
}
