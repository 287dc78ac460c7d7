//! The map of Germany: an SVG drawn by the server from the shipped outlines of the 16
//! federal states (Natural Earth, public domain), with a marker per lab. No tiles, no
//! requests elsewhere, no JavaScript: every state and every marker is a link.
//!
//! Active labs are filled circles, inactive ones hollow squares, so the two differ by
//! shape, not by colour alone.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::LazyLock;

use codefor_domain::states::FederalState;
use codefor_storage::labs::LabSummary;

/// Degrees of latitude that Germany spans, with a margin (the map's frame).
const NORTH: f64 = 55.2;
const SOUTH: f64 = 47.1;
const WEST: f64 = 5.7;
const EAST: f64 = 15.2;
/// Longitude shrinks towards the pole; at Germany's middle a degree of longitude is this
/// share of a degree of latitude (equirectangular projection around 51° N).
const LON_SCALE: f64 = 0.6293;
/// Units of the SVG per degree of latitude.
const SCALE: f64 = 80.0;
/// Outline points closer than this (SVG units) to a simplified edge are dropped.
const TOLERANCE: f64 = 0.5;

pub fn width() -> f64 {
    (EAST - WEST) * LON_SCALE * SCALE
}

pub fn height() -> f64 {
    (NORTH - SOUTH) * SCALE
}

/// Where a point (WGS 84 degrees) lies on the map.
pub fn project(lat: f64, lon: f64) -> (f64, f64) {
    ((lon - WEST) * LON_SCALE * SCALE, (NORTH - lat) * SCALE)
}

/// Each state's outline as SVG path data, simplified once.
static OUTLINES: LazyLock<Vec<(&'static FederalState, String)>> = LazyLock::new(|| {
    codefor_content::hugo::geo::outlines()
        .map(|(state, rings)| {
            let mut d = String::new();
            for ring in rings {
                let points: Vec<(f64, f64)> =
                    ring.iter().map(|(lon, lat)| project(*lat, *lon)).collect();
                let simple = simplify(&points, TOLERANCE);
                if simple.len() < 4 {
                    continue;
                }
                for (i, (x, y)) in simple.iter().enumerate() {
                    let _ = write!(d, "{}{x:.1} {y:.1}", if i == 0 { "M" } else { "L" });
                }
                d.push('Z');
            }
            (state, d)
        })
        .collect()
});

/// Douglas–Peucker: keeps the points that matter for the shape at this tolerance.
fn simplify(points: &[(f64, f64)], tolerance: f64) -> Vec<(f64, f64)> {
    if points.len() < 3 {
        return points.to_vec();
    }
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let mut stack = vec![(0, points.len() - 1)];
    while let Some((first, last)) = stack.pop() {
        let (a, b) = (points[first], points[last]);
        let mut worst = (0.0, first);
        for (i, p) in points.iter().enumerate().take(last).skip(first + 1) {
            let d = distance_to_segment(*p, a, b);
            if d > worst.0 {
                worst = (d, i);
            }
        }
        if worst.0 > tolerance {
            keep[worst.1] = true;
            stack.push((first, worst.1));
            stack.push((worst.1, last));
        }
    }
    points
        .iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(*p))
        .collect()
}

fn distance_to_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    };
    ((p.0 - a.0 - t * dx).powi(2) + (p.1 - a.1 - t * dy).powi(2)).sqrt()
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn labs_word(n: usize) -> &'static str {
    if n == 1 { "Lab" } else { "Labs" }
}

/// The map with these labs. `focus`: the key of a state to highlight (its page).
pub fn svg(labs: &[LabSummary], focus: Option<&str>) -> String {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for lab in labs {
        if let Some(key) = lab.state_key.as_deref() {
            *counts.entry(key).or_default() += 1;
        }
    }
    let (w, h) = (width(), height());
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<svg class=\"map-svg\" viewBox=\"0 0 {w:.0} {h:.0}\" width=\"{w:.0}\" height=\"{h:.0}\" \
         aria-labelledby=\"karte-titel\"><title id=\"karte-titel\">Karte der Labs in Deutschland</title>\
         <g class=\"map-states\">"
    );
    for (state, d) in OUTLINES.iter() {
        let n = counts.get(state.key).copied().unwrap_or(0);
        let class = if focus == Some(state.key) {
            "state focus"
        } else {
            "state"
        };
        let _ = write!(
            out,
            "<a href=\"/labs/{slug}/\" aria-label=\"{name}: {n} {word}\"><path class=\"{class}\" d=\"{d}\"/></a>",
            slug = state.slug,
            name = escape(state.name),
            word = labs_word(n),
        );
    }
    out.push_str("</g><g class=\"map-labs\">");
    for lab in labs {
        let (Some(lat), Some(lon)) = (lab.latitude, lab.longitude) else {
            continue;
        };
        let (x, y) = project(lat, lon);
        let active = lab.active != 0;
        let label = format!(
            "{} in {}{}",
            lab.name,
            lab.city,
            if active { "" } else { " (inaktiv)" }
        );
        let shape = if active {
            format!("<circle class=\"lab-active\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5.5\"/>")
        } else {
            format!(
                "<rect class=\"lab-inactive\" x=\"{:.1}\" y=\"{:.1}\" width=\"9\" height=\"9\"/>",
                x - 4.5,
                y - 4.5
            )
        };
        let _ = write!(
            out,
            "<a class=\"lab-marker\" href=\"/{slug}/\" aria-label=\"{label}\">{shape}</a>",
            slug = escape(&lab.slug),
            label = escape(&label),
        );
    }
    out.push_str("</g></svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab(slug: &str, lat: f64, lon: f64, key: &str, active: i64) -> LabSummary {
        LabSummary {
            id: 1,
            slug: slug.into(),
            name: format!("OK Lab {slug}"),
            city: slug.into(),
            state_key: Some(key.into()),
            latitude: Some(lat),
            longitude: Some(lon),
            active,
            hidden: 0,
            project_count: 0,
        }
    }

    #[test]
    fn projects_north_up_and_west_left() {
        let (kiel_x, kiel_y) = project(54.32, 10.13);
        let (munich_x, munich_y) = project(48.14, 11.58);
        assert!(kiel_y < munich_y && kiel_x < munich_x);
        assert!(kiel_x > 0.0 && munich_y < height() && munich_x < width());
    }

    #[test]
    fn draws_sixteen_light_states_and_a_marker_per_lab() {
        let labs = [
            lab("kiel", 54.32, 10.13, "01", 1),
            lab("alt", 48.14, 11.58, "09", 0),
        ];
        let svg = svg(&labs, Some("01"));
        assert_eq!(svg.matches("<path class=\"state").count(), 16);
        assert!(svg.contains("aria-label=\"Schleswig-Holstein: 1 Lab\""));
        assert!(svg.contains("aria-label=\"Bayern: 1 Lab\""));
        assert!(svg.contains("aria-label=\"Hessen: 0 Labs\""));
        assert_eq!(svg.matches("class=\"lab-marker\"").count(), 2);
        assert!(
            svg.contains("aria-label=\"OK Lab alt in alt (inaktiv)\"><rect"),
            "inactive: a square"
        );
        assert!(
            svg.contains("aria-label=\"OK Lab kiel in kiel\"><circle"),
            "active: a circle"
        );
        assert!(svg.contains("class=\"state focus\""));
        // Simplified, the whole map stays light.
        assert!(svg.len() < 60_000, "{} bytes", svg.len());
    }

    #[test]
    fn simplification_keeps_the_ends_and_drops_straight_runs() {
        let line: Vec<(f64, f64)> = (0..10).map(|i| (f64::from(i), 0.0)).collect();
        assert_eq!(simplify(&line, 0.5), vec![(0.0, 0.0), (9.0, 0.0)]);
        let corner = vec![(0.0, 0.0), (5.0, 5.0), (10.0, 0.0)];
        assert_eq!(simplify(&corner, 0.5).len(), 3);
    }
}
