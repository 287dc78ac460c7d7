//! Organizations: administrations above all, also other public bodies, associations
//! and companies that use what the network builds.

use serde::{Deserialize, Serialize};

/// What kind of organization it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A town or city (Gemeinde, Stadt).
    Municipality,
    /// A district (Landkreis, Kreis).
    District,
    /// A federal state's administration.
    State,
    /// A federal authority.
    Federal,
    /// Another public body (Zweckverband, Anstalt, Körperschaft).
    PublicBody,
    /// An association or initiative of civil society.
    CivilSociety,
    Business,
    Other,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Municipality,
        Kind::District,
        Kind::State,
        Kind::Federal,
        Kind::PublicBody,
        Kind::CivilSociety,
        Kind::Business,
        Kind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Municipality => "municipality",
            Kind::District => "district",
            Kind::State => "state",
            Kind::Federal => "federal",
            Kind::PublicBody => "public_body",
            Kind::CivilSociety => "civil_society",
            Kind::Business => "business",
            Kind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_de(self) -> &'static str {
        match self {
            Kind::Municipality => "Stadt oder Gemeinde",
            Kind::District => "Landkreis",
            Kind::State => "Landesverwaltung",
            Kind::Federal => "Bundesbehörde",
            Kind::PublicBody => "Andere öffentliche Stelle",
            Kind::CivilSociety => "Verein oder Initiative",
            Kind::Business => "Unternehmen",
            Kind::Other => "Sonstige",
        }
    }

    /// Whether it is part of the public administration (the catalog's "in use by
    /// administrations" filter lists these kinds in `storage::catalog`).
    pub fn is_public(self) -> bool {
        matches!(
            self,
            Kind::Municipality | Kind::District | Kind::State | Kind::Federal | Kind::PublicBody
        )
    }
}

/// Checks an official municipality or region key (Amtlicher Gemeindeschlüssel: 8 digits;
/// Regionalschlüssel: 12 digits; shorter prefixes for a state (2), a Regierungsbezirk (3)
/// or a district (5)); returns the digits, or a German sentence saying what is wrong.
/// The first two digits must be a federal state's key.
pub fn check_ags(text: &str) -> Result<String, String> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let shape_ok =
        digits.chars().all(|c| c.is_ascii_digit()) && matches!(digits.len(), 2 | 3 | 5 | 8 | 12);
    if !shape_ok {
        return Err(format!(
            "„{text}“ ist kein amtlicher Schlüssel. Der Gemeindeschlüssel hat 8 Ziffern (Beispiel: 11000000 für Berlin), der Regionalschlüssel 12, der eines Landkreises 5."
        ));
    }
    if crate::states::by_key(&digits[..2]).is_none() {
        return Err(format!(
            "„{text}“ beginnt nicht mit dem Schlüssel eines Bundeslandes (01 bis 16)."
        ));
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_keys_are_checked() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(check_ags("11 000 000").as_deref(), Ok("11000000"));
        assert_eq!(check_ags("08212").as_deref(), Ok("08212"));
        assert!(check_ags("1100000").is_err());
        assert!(check_ags("17000000").is_err());
        assert!(check_ags("abc").is_err());
    }
}
