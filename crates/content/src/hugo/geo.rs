//! Which federal state a point lies in: ray casting against the shipped outlines of the
//! 16 states (`assets/geo/de-states.geojson`, Natural Earth, simplified).

use std::sync::OnceLock;

use codefor_domain::states::{self, FederalState};

const GEOJSON: &str = include_str!("../../../../assets/geo/de-states.geojson");

/// A ring of (longitude, latitude) points.
type Ring = Vec<(f64, f64)>;

struct Shape {
    state: &'static FederalState,
    /// Every ring of every polygon (outer rings and holes alike: even-odd rule).
    rings: Vec<Ring>,
}

fn shapes() -> &'static [Shape] {
    static SHAPES: OnceLock<Vec<Shape>> = OnceLock::new();
    SHAPES.get_or_init(|| parse(GEOJSON))
}

fn parse(geojson: &str) -> Vec<Shape> {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(geojson) else {
        return Vec::new();
    };
    let Some(features) = doc["features"].as_array() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for f in features {
        let code = f["id"]
            .as_str()
            .or_else(|| f["properties"]["iso_3166_2"].as_str())
            .unwrap_or("");
        let Some(state) = states::by_name_or_iso(code) else {
            continue;
        };
        let geometry = &f["geometry"];
        let polygons: Vec<&serde_json::Value> = match geometry["type"].as_str() {
            Some("Polygon") => vec![&geometry["coordinates"]],
            Some("MultiPolygon") => geometry["coordinates"]
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let mut rings = Vec::new();
        for polygon in polygons {
            for ring in polygon.as_array().into_iter().flatten() {
                let points: Ring = ring
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                    .collect();
                if points.len() >= 3 {
                    rings.push(points);
                }
            }
        }
        out.push(Shape { state, rings });
    }
    out
}

/// Where a point was placed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Placement {
    /// Inside the outline of this state.
    Inside(&'static FederalState),
    /// Outside every outline but this close (in km) to this state's: the outlines are
    /// simplified, so points on coasts and borders can fall just outside.
    Near(&'static FederalState, f64),
    /// Farther than [`NEAR_KM`] from every state.
    Outside,
}

/// How far outside the outlines a point may be and still count as in the nearest state.
pub const NEAR_KM: f64 = 15.0;

/// The state containing the point at `lat`/`lon` (WGS 84 degrees).
pub fn state_of(lat: f64, lon: f64) -> Placement {
    let shapes = shapes();
    if let Some(s) = shapes.iter().find(|s| inside(&s.rings, lon, lat)) {
        return Placement::Inside(s.state);
    }
    let nearest = shapes
        .iter()
        .map(|s| {
            (
                s.state,
                s.rings
                    .iter()
                    .map(|r| ring_distance_km(r, lon, lat))
                    .fold(f64::INFINITY, f64::min),
            )
        })
        .min_by(|a, b| a.1.total_cmp(&b.1));
    match nearest {
        Some((state, km)) if km <= NEAR_KM => Placement::Near(state, km),
        _ => Placement::Outside,
    }
}

/// Even-odd ray casting over all rings.
fn inside(rings: &[Ring], x: f64, y: f64) -> bool {
    let mut odd = false;
    for ring in rings {
        let n = ring.len();
        let mut j = n - 1;
        for i in 0..n {
            let (xi, yi) = ring[i];
            let (xj, yj) = ring[j];
            if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
                odd = !odd;
            }
            j = i;
        }
    }
    odd
}

/// Shortest distance from the point to the ring's edges, in km (equirectangular: fine at
/// these distances).
fn ring_distance_km(ring: &Ring, lon: f64, lat: f64) -> f64 {
    let kx = 111.32 * lat.to_radians().cos();
    let ky = 110.57;
    let p = (lon * kx, lat * ky);
    let mut best = f64::INFINITY;
    for w in ring.windows(2) {
        let a = (w[0].0 * kx, w[0].1 * ky);
        let b = (w[1].0 * kx, w[1].1 * ky);
        best = best.min(segment_distance(p, a, b));
    }
    best
}

fn segment_distance(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    };
    let (cx, cy) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - cx).powi(2) + (p.1 - cy).powi(2)).sqrt()
}

/// City centres (facts, WGS 84) for labs whose front matter has no coordinates.
pub const CITY_CENTRES: &[(&str, f64, f64)] = &[
    ("Erlangen", 49.5897, 11.0040),
    ("Freiburg", 47.9990, 7.8421),
    ("Freiburg im Breisgau", 47.9990, 7.8421),
    ("Paderborn", 51.7189, 8.7575),
    ("Darmstadt", 49.8728, 8.6512),
    ("Bremen", 53.0793, 8.8017),
];

/// The centre of a city from [`CITY_CENTRES`], by name (ignoring case).
pub fn city_centre(city: &str) -> Option<(f64, f64)> {
    let c = city.trim();
    CITY_CENTRES
        .iter()
        .find(|(name, _, _)| name.eq_ignore_ascii_case(c))
        .map(|&(_, lat, lon)| (lat, lon))
}

/// The outlines of the 16 states: each state with its rings of (longitude, latitude).
pub fn outlines() -> impl Iterator<Item = (&'static FederalState, &'static [Vec<(f64, f64)>])> {
    shapes().iter().map(|s| (s.state, s.rings.as_slice()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(lat: f64, lon: f64) -> &'static str {
        match state_of(lat, lon) {
            Placement::Inside(s) | Placement::Near(s, _) => s.iso,
            Placement::Outside => "outside",
        }
    }

    #[test]
    fn all_sixteen_states_load() {
        assert_eq!(shapes().len(), 16);
        assert!(shapes().iter().all(|s| !s.rings.is_empty()));
    }

    #[test]
    fn cities_land_in_their_states() {
        assert_eq!(iso(52.52, 13.405), "DE-BE"); // Berlin, a hole in Brandenburg
        assert_eq!(iso(52.39, 13.065), "DE-BB"); // Potsdam
        assert_eq!(iso(53.55, 9.99), "DE-HH");
        assert_eq!(iso(53.0793, 8.8017), "DE-HB"); // Bremen (MultiPolygon with Bremerhaven)
        assert_eq!(iso(53.54, 8.58), "DE-HB"); // Bremerhaven
        assert_eq!(iso(48.137, 11.575), "DE-BY");
        assert_eq!(iso(48.7758, 9.1829), "DE-BW");
        assert_eq!(iso(54.0924, 12.0991), "DE-MV"); // Rostock
        assert_eq!(iso(51.45, 7.01), "DE-NW");
        assert_eq!(iso(49.24, 6.99), "DE-SL");
        assert_eq!(iso(50.98, 11.03), "DE-TH");
        assert_eq!(iso(51.05, 13.74), "DE-SN");
        assert_eq!(iso(52.12, 11.63), "DE-ST");
        assert_eq!(iso(50.11, 8.68), "DE-HE");
        assert_eq!(iso(49.99, 8.27), "DE-RP");
        assert_eq!(iso(52.37, 9.73), "DE-NI");
        assert_eq!(iso(54.32, 10.13), "DE-SH");
    }

    #[test]
    fn far_away_is_outside() {
        assert_eq!(state_of(48.8566, 2.3522), Placement::Outside); // Paris
        assert_eq!(state_of(0.0, 0.0), Placement::Outside);
    }

    #[test]
    fn ray_casting_on_a_square_with_a_hole() {
        let outer = vec![
            (0.0, 0.0),
            (10.0, 0.0),
            (10.0, 10.0),
            (0.0, 10.0),
            (0.0, 0.0),
        ];
        let hole = vec![(4.0, 4.0), (6.0, 4.0), (6.0, 6.0), (4.0, 6.0), (4.0, 4.0)];
        let rings = vec![outer, hole];
        assert!(inside(&rings, 1.0, 1.0));
        assert!(!inside(&rings, 5.0, 5.0));
        assert!(!inside(&rings, 11.0, 5.0));
    }

    #[test]
    fn city_table() {
        assert_eq!(city_centre("paderborn"), Some((51.7189, 8.7575)));
        assert_eq!(city_centre("Atlantis"), None);
        for (name, lat, lon) in CITY_CENTRES {
            assert!(
                matches!(state_of(*lat, *lon), Placement::Inside(_)),
                "{name}"
            );
        }
    }
}
