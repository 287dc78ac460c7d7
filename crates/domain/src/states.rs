//! The 16 federal states (Länder) with their official keys.
//!
//! The key is the two-digit Länderschlüssel that prefixes every official municipality key
//! (AGS / ARS) of the state, as published by Destatis.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FederalState {
    /// Official two-digit key (AGS/ARS prefix), e.g. `"11"` for Berlin.
    pub key: &'static str,
    /// URL slug, e.g. `baden-wuerttemberg`.
    pub slug: &'static str,
    /// German name.
    pub name: &'static str,
    /// ISO 3166-2 code, e.g. `DE-BW`.
    pub iso: &'static str,
}

pub const ALL: [FederalState; 16] = [
    FederalState {
        key: "01",
        slug: "schleswig-holstein",
        name: "Schleswig-Holstein",
        iso: "DE-SH",
    },
    FederalState {
        key: "02",
        slug: "hamburg",
        name: "Hamburg",
        iso: "DE-HH",
    },
    FederalState {
        key: "03",
        slug: "niedersachsen",
        name: "Niedersachsen",
        iso: "DE-NI",
    },
    FederalState {
        key: "04",
        slug: "bremen",
        name: "Bremen",
        iso: "DE-HB",
    },
    FederalState {
        key: "05",
        slug: "nordrhein-westfalen",
        name: "Nordrhein-Westfalen",
        iso: "DE-NW",
    },
    FederalState {
        key: "06",
        slug: "hessen",
        name: "Hessen",
        iso: "DE-HE",
    },
    FederalState {
        key: "07",
        slug: "rheinland-pfalz",
        name: "Rheinland-Pfalz",
        iso: "DE-RP",
    },
    FederalState {
        key: "08",
        slug: "baden-wuerttemberg",
        name: "Baden-Württemberg",
        iso: "DE-BW",
    },
    FederalState {
        key: "09",
        slug: "bayern",
        name: "Bayern",
        iso: "DE-BY",
    },
    FederalState {
        key: "10",
        slug: "saarland",
        name: "Saarland",
        iso: "DE-SL",
    },
    FederalState {
        key: "11",
        slug: "berlin",
        name: "Berlin",
        iso: "DE-BE",
    },
    FederalState {
        key: "12",
        slug: "brandenburg",
        name: "Brandenburg",
        iso: "DE-BB",
    },
    FederalState {
        key: "13",
        slug: "mecklenburg-vorpommern",
        name: "Mecklenburg-Vorpommern",
        iso: "DE-MV",
    },
    FederalState {
        key: "14",
        slug: "sachsen",
        name: "Sachsen",
        iso: "DE-SN",
    },
    FederalState {
        key: "15",
        slug: "sachsen-anhalt",
        name: "Sachsen-Anhalt",
        iso: "DE-ST",
    },
    FederalState {
        key: "16",
        slug: "thueringen",
        name: "Thüringen",
        iso: "DE-TH",
    },
];

pub fn by_key(key: &str) -> Option<&'static FederalState> {
    ALL.iter().find(|s| s.key == key)
}

pub fn by_slug(slug: &str) -> Option<&'static FederalState> {
    ALL.iter().find(|s| s.slug == slug)
}

/// Finds a state by its ISO code (`DE-BY`) or its German name, ignoring case.
pub fn by_name_or_iso(text: &str) -> Option<&'static FederalState> {
    let t = text.trim();
    ALL.iter()
        .find(|s| s.iso.eq_ignore_ascii_case(t) || s.name.to_lowercase() == t.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_unique_keys() {
        let mut keys: Vec<_> = ALL.iter().map(|s| s.key).collect();
        keys.dedup();
        assert_eq!(keys.len(), 16);
        assert_eq!(by_key("09").map(|s| s.name), Some("Bayern"));
        assert_eq!(by_slug("thueringen").map(|s| s.key), Some("16"));
        assert_eq!(by_name_or_iso("de-nw").map(|s| s.key), Some("05"));
    }
}
