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
    pub status: Option<ProjectStatus>,
    /// The status text as the source wrote it.
    pub status_text: Option<String>,
    pub topics: Vec<String>,
    pub links: Vec<Link>,
    /// Media path of the project's picture (`projects/berlin/x.png`), when any.
    pub image: Option<String>,
    pub showcase: bool,
    pub draft: bool,
    /// `YYYY-MM-DD`, from the front matter or the file name.
    pub date: Option<String>,
    pub source: serde_json::Value,
}

/// Where a project stands. A controlled set so that people can filter by it; the
/// original free text stays in [`Project::status_text`].
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
}
