//! Profiles: what a person tells the network about themselves, and who may see each part.

use serde::{Deserialize, Serialize};

/// Who may see a profile field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Everyone, also without an account.
    Public,
    /// People signed in to the network.
    Members,
    /// Only the person (the default: nothing is shown until they decide).
    #[default]
    Private,
}

impl Visibility {
    pub const ALL: [Visibility; 3] = [Visibility::Public, Visibility::Members, Visibility::Private];

    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Members => "members",
            Visibility::Private => "private",
        }
    }

    pub fn parse(s: &str) -> Option<Visibility> {
        Visibility::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label_de(self) -> &'static str {
        match self {
            Visibility::Public => "Öffentlich",
            Visibility::Members => "Für Mitglieder des Netzwerks",
            Visibility::Private => "Nur für mich",
        }
    }
}

/// Who is looking at a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Onlooker {
    Anyone,
    Member,
    Owner,
}

impl Onlooker {
    /// Whether this onlooker may see a field with `visibility`.
    pub fn sees(self, visibility: Visibility) -> bool {
        matches!(
            (self, visibility),
            (Onlooker::Owner, _)
                | (_, Visibility::Public)
                | (Onlooker::Member, Visibility::Members)
        )
    }
}

/// The sector a person comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    CivilSociety,
    Administration,
    Politics,
    Business,
    Science,
}

impl Sector {
    pub const ALL: [Sector; 5] = [
        Sector::CivilSociety,
        Sector::Administration,
        Sector::Politics,
        Sector::Business,
        Sector::Science,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Sector::CivilSociety => "civil_society",
            Sector::Administration => "administration",
            Sector::Politics => "politics",
            Sector::Business => "business",
            Sector::Science => "science",
        }
    }

    pub fn parse(s: &str) -> Option<Sector> {
        Sector::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label_de(self) -> &'static str {
        match self {
            Sector::CivilSociety => "Zivilgesellschaft",
            Sector::Administration => "Verwaltung",
            Sector::Politics => "Politik",
            Sector::Business => "Wirtschaft",
            Sector::Science => "Wissenschaft",
        }
    }
}

/// Skills offered for choosing; people may add their own as free tags.
pub const SKILLS: &[&str] = &[
    "Programmierung",
    "Webentwicklung",
    "Datenanalyse",
    "Geodaten und Karten",
    "Design und UX",
    "Barrierefreiheit",
    "Projektmanagement",
    "Moderation",
    "Texte und Redaktion",
    "Öffentlichkeitsarbeit",
    "Recht und Datenschutz",
    "Verwaltungswissen",
];

/// Interests offered for choosing; free tags may be added.
pub const INTERESTS: &[&str] = &[
    "Offene Daten",
    "Beteiligung",
    "Transparenz",
    "Mobilität",
    "Umwelt und Klima",
    "Bildung",
    "Gesundheit",
    "Soziales",
    "Stadtentwicklung",
    "Kultur",
    "Digitale Verwaltung",
];

/// The parts of a profile that have their own visibility.
pub const FIELDS: [&str; 5] = ["bio", "sector", "skills", "interests", "labs"];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub bio: String,
    pub sector: Option<Sector>,
    /// Chosen from [`SKILLS`] or free tags.
    pub skills: Vec<String>,
    /// Chosen from [`INTERESTS`] or free tags.
    pub interests: Vec<String>,
    /// Per field of [`FIELDS`]; a missing entry means [`Visibility::Private`].
    pub visibility: std::collections::BTreeMap<String, Visibility>,
}

impl Profile {
    pub fn visibility_of(&self, field: &str) -> Visibility {
        self.visibility.get(field).copied().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_sees_what() {
        use Onlooker::*;
        use Visibility::*;
        for (onlooker, sees) in [
            (Anyone, [true, false, false]),
            (Member, [true, true, false]),
            (Owner, [true, true, true]),
        ] {
            for (v, want) in [Public, Members, Private].into_iter().zip(sees) {
                assert_eq!(onlooker.sees(v), want, "{onlooker:?} / {v:?}");
            }
        }
        assert_eq!(
            Profile::default().visibility_of("bio"),
            Private,
            "private by default"
        );
    }
}
