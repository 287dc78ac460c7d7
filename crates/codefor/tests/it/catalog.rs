//! The project catalog on the imported codefor.de content: facet counts, and every
//! project's publiccode.yml accepted by an independent validator.

use std::process::Command;

use codefor_storage::catalog::{self, Filters, Sort};

use crate::support::{block_on, fixture};

/// Every facet value's count is exactly the number of projects a click on it shows.
#[test]
#[cfg_attr(
    not(has_fixture),
    ignore = "needs ../shared/fixtures/codefor.de beside the checkout"
)]
fn facet_counts_match_what_a_click_shows() {
    block_on(async {
        let db = &fixture().await.db.db;
        let all = catalog::search(db, &Filters::default(), Sort::Title, 1, 24)
            .await
            .unwrap();
        assert!(all.total > 200, "published projects: {}", all.total);
        assert!(!all.facets.themes.is_empty() && !all.facets.states.is_empty());
        let statuses: i64 = all.facets.statuses.iter().map(|c| c.count).sum();
        assert!(statuses > 100 && statuses <= all.total, "{statuses}");
        for c in &all.facets.themes {
            let f = Filters {
                theme: Some(c.value.clone()),
                ..Filters::default()
            };
            let n = catalog::search(db, &f, Sort::Title, 1, 1)
                .await
                .unwrap()
                .total;
            assert_eq!(n, c.count, "theme {}", c.value);
        }
        for c in &all.facets.states {
            let f = Filters {
                state: Some(c.value.clone()),
                ..Filters::default()
            };
            let n = catalog::search(db, &f, Sort::Title, 1, 1)
                .await
                .unwrap()
                .total;
            assert_eq!(n, c.count, "state {}", c.value);
        }
        // Counted again from the source files, without the database: published projects
        // per theme (from their tags) and per federal state (from their labs' states).
        let source = codefor_content::hugo::read(&crate::support::fixture_dir()).unwrap();
        let lab_state: std::collections::HashMap<&str, &str> = source
            .labs
            .iter()
            .filter_map(|l| Some((l.record.slug.as_str(), l.record.state_key.as_deref()?)))
            .collect();
        let published: Vec<_> = source.projects.iter().filter(|p| !p.record.draft).collect();
        assert_eq!(all.total, published.len() as i64);
        let mut themes: std::collections::BTreeMap<String, i64> = Default::default();
        let mut states: std::collections::BTreeMap<String, i64> = Default::default();
        for p in &published {
            for t in &p.record.themes {
                *themes.entry(t.clone()).or_default() += 1;
            }
            let mut seen: Vec<&str> = p
                .record
                .labs
                .iter()
                .filter_map(|l| lab_state.get(l.as_str()).copied())
                .collect();
            seen.sort_unstable();
            seen.dedup();
            for s in seen {
                *states.entry(s.to_owned()).or_default() += 1;
            }
        }
        let facet = |v: &[catalog::Count]| -> std::collections::BTreeMap<String, i64> {
            v.iter().map(|c| (c.value.clone(), c.count)).collect()
        };
        assert_eq!(facet(&all.facets.themes), themes);
        assert_eq!(facet(&all.facets.states), states);
        // Combined: stable projects in Berlin about society, counted both ways.
        let berlin = Filters {
            state: Some("11".into()),
            ..Filters::default()
        };
        let page = catalog::search(db, &berlin, Sort::Newest, 1, 24)
            .await
            .unwrap();
        for c in &page.facets.statuses {
            let f = Filters {
                status: codefor_domain::DevelopmentStatus::parse(&c.value),
                ..berlin.clone()
            };
            let n = catalog::search(db, &f, Sort::Title, 1, 1)
                .await
                .unwrap()
                .total;
            assert_eq!(n, c.count, "Berlin, status {}", c.value);
        }
        // The page shows the same numbers.
        let (status, html) = crate::support::get(fixture().await, "/projekte/?land=berlin").await;
        assert_eq!(status, 200);
        assert!(
            html.contains(&format!("{} Projekte gefunden", page.total)),
            "the page names the total"
        );
    });
}

/// Every imported project exports a publiccode.yml that `scripts/publiccode-check.py`
/// (PyYAML + jsonschema against the standard's schema + SPDX) accepts; what is missing
/// is marked, and the page lists it.
#[test]
#[cfg_attr(
    not(has_fixture),
    ignore = "needs ../shared/fixtures/codefor.de beside the checkout"
)]
fn every_imported_project_exports_a_valid_publiccode_yml() {
    block_on(async {
        let server = fixture().await;
        let docs =
            codefor_core::projects::document::export_all(&server.db.db, "https://codefor.de")
                .await
                .unwrap();
        assert!(docs.len() > 200);
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for (slug, doc) in &docs {
            let file = dir.path().join(format!("{slug}.yml"));
            std::fs::write(&file, codefor_core::publiccode::to_yaml(doc)).unwrap();
            files.push(file);
        }
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/publiccode-check.py"
        );
        let out = Command::new("python3")
            .arg(script)
            .args(&files)
            .output()
            .expect("python3 runs; packages from scripts/requirements-test.txt");
        assert!(
            out.status.success(),
            "the independent validator refused exports:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // Placeholders are marked in the file and listed on the page.
        let (slug, doc) = docs
            .iter()
            .find(|(_, d)| d.placeholders.iter().any(|p| p.key == "legal.license"))
            .expect("an imported project without a licence");
        let yaml = codefor_core::publiccode::to_yaml(doc);
        assert!(yaml.contains("LicenseRef-codefor-unbekannt"));
        // Served with the links of the site it is served from.
        let served = codefor_core::publiccode::to_yaml(
            &codefor_core::projects::document::export_all(&server.db.db, &server.base)
                .await
                .unwrap()
                .into_iter()
                .find(|(s, _)| s == slug)
                .unwrap()
                .1,
        );
        assert!(yaml.contains("# Platzhalter"), "{yaml}");
        let (status, body) =
            crate::support::get(server, &format!("/projekte/{slug}/publiccode.yml")).await;
        assert_eq!(status, 200);
        assert_eq!(body, served);
        let (_, page) = crate::support::get(server, &format!("/projekte/{slug}/")).await;
        assert!(
            page.contains("<code>legal.license</code>"),
            "the page lists what is missing"
        );
    });
}
