//! The project catalog at scale: `/projekte/` with its faceted search rendered anew (the
//! page cache cannot answer), over a generated catalog of 100,000 projects in 500 labs,
//! with 2,000 organizations using some of them. In-process: requests go through the whole
//! router (`codefor_web::app`, every layer) with `tower::ServiceExt::oneshot`, no socket;
//! `storage::catalog::search` is also timed on its own, to tell SQL from rendering.
//!
//! ```text
//! cargo bench -p codefor-web --bench catalog                 # SQLite file in $TMPDIR
//! CODEFOR_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:54333/postgres \
//!     cargo bench -p codefor-web --bench catalog             # a scratch database there
//! cargo bench -p codefor-web --bench catalog -- katalog-sql  # only benchmarks matching
//! ```
//!
//! Settings: `BENCH_PROJECTS` (100000), `BENCH_LABS` (500), `BENCH_ORGANIZATIONS` (2000),
//! `BENCH_SEED` (1); under `cargo test` (a smoke run, once each) 300 projects, 20 labs and
//! 40 organizations, and every facet count of five searches is checked against the total
//! a click on it shows. Projects and their themes, labs, users, roles and pictures are
//! written with multi-row `INSERT`s of literal values in a few large transactions (not
//! through the per-project upsert, which would take minutes for 100,000). PostgreSQL gets
//! a `VACUUM ANALYZE` afterwards, as its autovacuum would give it soon after such a load;
//! SQLite no `ANALYZE`, as the application never runs one. The scratch database (SQLite
//! file, or PostgreSQL database `codefor_bench_<pid>`) is removed at the end, unless
//! `BENCH_KEEP` is set (to look at it, or profile its queries). Besides criterion's
//! estimates, a table with the median and p95 of every timed call (criterion's warm-up
//! calls included) is printed at the end.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use codefor_domain::{Lab, Link};
use codefor_storage::catalog::{self, Filters, Sort};
use codefor_storage::{Backend, Db, Tx};
use criterion::Criterion;
use support::{BoxError, Rng, Row, get, group, measure, print_table, setting};

mod support;

fn main() {
    support::main_of("catalog", bench_all);
}

/// Projects per catalog page, as `codefor_web::projects::PER_PAGE`.
const PER_PAGE: u32 = 24;

fn bench_all(rt: &tokio::runtime::Runtime, db: &Db, label: &str) -> Result<(), BoxError> {
    // `cargo test --all-targets` runs benches once each as a smoke test: a small catalog
    // keeps that quick; `cargo bench` (which passes `--bench`) gets the full one.
    let measuring = support::measuring();
    let sizes = Sizes {
        projects: setting("BENCH_PROJECTS", if measuring { 100_000 } else { 300 }),
        labs: setting("BENCH_LABS", if measuring { 500 } else { 20 }),
        organizations: setting("BENCH_ORGANIZATIONS", if measuring { 2000 } else { 40 }),
    };
    let started = Instant::now();
    let data = rt.block_on(generate(db, &sizes, setting("BENCH_SEED", 1)))?;
    let setup = started.elapsed();
    let app = codefor_web::app(codefor_web::AppState::new(
        db.clone(),
        codefor_web::Config::default(),
    ));
    println!(
        "catalog bench: {label}; generated in {:.1} s: {}",
        setup.as_secs_f64(),
        data.summary
    );
    let admin = Filters {
        state: Some(data.land_key.clone()),
        status: Some(codefor_domain::DevelopmentStatus::Stable),
        ..Filters::default()
    };
    let queries = [
        (String::new(), "/projekte/ (no filter)".to_owned()),
        (
            format!("stand=stable&land={}", data.land_slug),
            format!("/projekte/?stand=stable&land={}", data.land_slug),
        ),
        (
            "thema=umwelt&lizenz=MIT&genutzt=1".to_owned(),
            "/projekte/?thema=umwelt&lizenz=MIT&genutzt=1".to_owned(),
        ),
        (
            "mitmachen=1&sortierung=aktiv".to_owned(),
            "/projekte/?mitmachen=1&sortierung=aktiv".to_owned(),
        ),
        (
            format!("seite={}", data.deep_page),
            format!("/projekte/?seite={}", data.deep_page),
        ),
    ];
    println!("{}", rt.block_on(facts(db, &admin))?);
    if !measuring {
        // The smoke run also checks what the counts promise: each is the total a click
        // on its value shows.
        rt.block_on(check_counts(db, &admin))?;
    }
    // First requests pay for one-time work (templates): not measured.
    for (query, _) in &queries {
        rt.block_on(get(&app, format!("/projekte/?{query}&messung=0")));
    }

    let mut criterion = Criterion::default().configure_from_args();
    let mut rows: Vec<Row> = Vec::new();
    let n = AtomicU64::new(1);
    // A query parameter the catalog does not know keeps every request out of the page
    // cache (`cache::layer` only serves queries made of the catalog's keys), as
    // `bench/requests` does.
    let fresh = || n.fetch_add(1, Ordering::Relaxed);

    {
        let mut g = group(&mut criterion, "katalog", 10);
        for (query, name) in &queries {
            let sep = if query.is_empty() { "" } else { "&" };
            measure(&mut g, rt, &mut rows, &format!("GET {name}"), || {
                get(&app, format!("/projekte/?{query}{sep}messung={}", fresh()))
            });
        }
        g.finish();
    }
    {
        // The administration's query without the page around it: the SQL alone (and the
        // decoding of its rows), then the same for the catalog without a filter.
        let mut g = group(&mut criterion, "katalog-sql", 10);
        let admin = &admin;
        measure(
            &mut g,
            rt,
            &mut rows,
            &format!(
                "storage::catalog::search (stand=stable, land={}), page 1",
                data.land_slug
            ),
            || async move { search(db, admin, Sort::Newest, 1).await },
        );
        measure(
            &mut g,
            rt,
            &mut rows,
            "storage::catalog::search (no filter), page 1",
            || async move { search(db, &Filters::default(), Sort::Newest, 1).await },
        );
        // The page also reads every lab (for the names in the lab facet) with its number
        // of published projects.
        measure(
            &mut g,
            rt,
            &mut rows,
            "storage::labs::list (read by the page for the lab facet's names)",
            || async move {
                match codefor_storage::labs::list(db).await {
                    Ok(l) => l.len(),
                    Err(e) => panic!("labs::list: {e}"),
                }
            },
        );
        g.finish();
    }
    criterion.final_summary();
    print_table(label, &rows);
    Ok(())
}

/// A search's item count (a page or less), as `measure` wants it.
async fn search(db: &Db, filters: &Filters, sort: Sort, page: u32) -> usize {
    match catalog::search(db, filters, sort, page, PER_PAGE).await {
        Ok(p) => p.items.len(),
        Err(e) => panic!("catalog::search: {e}"),
    }
}

/// What the measured queries find.
async fn facts(db: &Db, admin: &Filters) -> Result<String, BoxError> {
    let all = catalog::search(db, &Filters::default(), Sort::Newest, 1, PER_PAGE).await?;
    let chosen = catalog::search(db, admin, Sort::Newest, 1, PER_PAGE).await?;
    let mixed = Filters {
        theme: Some("umwelt".to_owned()),
        license: Some("MIT".to_owned()),
        in_use: true,
        ..Filters::default()
    };
    let mixed = catalog::search(db, &mixed, Sort::Newest, 1, PER_PAGE).await?;
    let looking = Filters {
        looking: true,
        ..Filters::default()
    };
    let looking = catalog::search(db, &looking, Sort::Activity, 1, PER_PAGE).await?;
    let state_total: i64 = chosen.facets.statuses.iter().map(|c| c.count).sum::<i64>();
    Ok(format!(
        "the catalog shows {} projects ({} pages); stand=stable&land= finds {} (the state has \
         {state_total} with a status, {} labs in the facet); thema=umwelt&lizenz=MIT&genutzt=1 \
         finds {}; mitmachen=1 finds {}; facets without a filter: {} themes, {} labs, {} \
         states, {} statuses, {} licences, {} in use, {} looking",
        all.total,
        (all.total + i64::from(PER_PAGE) - 1) / i64::from(PER_PAGE),
        chosen.total,
        chosen.facets.labs.len(),
        mixed.total,
        looking.total,
        all.facets.themes.len(),
        all.facets.labs.len(),
        all.facets.states.len(),
        all.facets.statuses.len(),
        all.facets.licenses.len(),
        all.facets.in_use,
        all.facets.looking,
    ))
}

/// Every facet count of some searches equals the total of the search with that value
/// chosen: the disjunctive counts of `catalog::search`.
async fn check_counts(db: &Db, admin: &Filters) -> Result<(), BoxError> {
    let some_lab = catalog::search(db, &Filters::default(), Sort::Newest, 1, PER_PAGE)
        .await?
        .facets
        .labs
        .first()
        .map(|c| c.value.clone());
    let searches = [
        Filters::default(),
        admin.clone(),
        Filters {
            theme: Some("umwelt".to_owned()),
            license: Some("MIT".to_owned()),
            in_use: true,
            ..Filters::default()
        },
        Filters {
            looking: true,
            theme: Some("daten".to_owned()),
            ..admin.clone()
        },
        Filters {
            lab: some_lab,
            status: Some(codefor_domain::DevelopmentStatus::Development),
            ..Filters::default()
        },
    ];
    let mut checked = 0;
    for base in &searches {
        let page = catalog::search(db, base, Sort::Newest, 1, PER_PAGE).await?;
        let f = &page.facets;
        let mut clicks: Vec<(String, i64, Filters)> = Vec::new();
        for c in &f.themes {
            let theme = Some(c.value.clone());
            clicks.push((
                format!("thema {}", c.value),
                c.count,
                Filters {
                    theme,
                    ..base.clone()
                },
            ));
        }
        for c in &f.labs {
            let lab = Some(c.value.clone());
            clicks.push((
                format!("lab {}", c.value),
                c.count,
                Filters {
                    lab,
                    ..base.clone()
                },
            ));
        }
        for c in &f.states {
            let state = Some(c.value.clone());
            clicks.push((
                format!("land {}", c.value),
                c.count,
                Filters {
                    state,
                    ..base.clone()
                },
            ));
        }
        for c in &f.statuses {
            let status = codefor_domain::DevelopmentStatus::parse(&c.value);
            clicks.push((
                format!("stand {}", c.value),
                c.count,
                Filters {
                    status,
                    ..base.clone()
                },
            ));
        }
        for c in &f.licenses {
            let license = Some(c.value.clone());
            clicks.push((
                format!("lizenz {}", c.value),
                c.count,
                Filters {
                    license,
                    ..base.clone()
                },
            ));
        }
        clicks.push((
            "genutzt".to_owned(),
            f.in_use,
            Filters {
                in_use: true,
                ..base.clone()
            },
        ));
        clicks.push((
            "mitmachen".to_owned(),
            f.looking,
            Filters {
                looking: true,
                ..base.clone()
            },
        ));
        for (what, count, filters) in clicks {
            let shown = catalog::search(db, &filters, Sort::Title, 1, 1)
                .await?
                .total;
            if shown != count {
                return Err(
                    format!("{base:?}: {what} counts {count}, a click shows {shown}").into(),
                );
            }
            checked += 1;
        }
        let expected = (page.total as usize).min(PER_PAGE as usize);
        if page.items.len() != expected {
            return Err(format!(
                "{base:?}: {} items for a total of {}",
                page.items.len(),
                page.total
            )
            .into());
        }
    }
    println!("checked {checked} facet counts against the totals their clicks show");
    Ok(())
}

// ---- the generated catalog ----------------------------------------------------------

/// Key, weight (roughly by population), cities (name, slug).
type StateRow = (&'static str, u64, &'static [(&'static str, &'static str)]);

#[rustfmt::skip]
const STATES: [StateRow; 16] = [
    ("01", 3, &[("Kiel", "kiel"), ("Lübeck", "luebeck"), ("Flensburg", "flensburg")]),
    ("02", 2, &[("Hamburg", "hamburg")]),
    ("03", 8, &[("Hannover", "hannover"), ("Braunschweig", "braunschweig"), ("Osnabrück", "osnabrueck"), ("Göttingen", "goettingen")]),
    ("04", 1, &[("Bremen", "bremen"), ("Bremerhaven", "bremerhaven")]),
    ("05", 18, &[("Köln", "koeln"), ("Düsseldorf", "duesseldorf"), ("Dortmund", "dortmund"), ("Münster", "muenster"), ("Aachen", "aachen"), ("Bonn", "bonn")]),
    ("06", 7, &[("Frankfurt am Main", "frankfurt"), ("Darmstadt", "darmstadt"), ("Kassel", "kassel"), ("Gießen", "giessen")]),
    ("07", 4, &[("Mainz", "mainz"), ("Trier", "trier"), ("Koblenz", "koblenz")]),
    ("08", 11, &[("Stuttgart", "stuttgart"), ("Karlsruhe", "karlsruhe"), ("Freiburg im Breisgau", "freiburg"), ("Heilbronn", "heilbronn"), ("Ulm", "ulm")]),
    ("09", 13, &[("München", "muenchen"), ("Nürnberg", "nuernberg"), ("Augsburg", "augsburg"), ("Regensburg", "regensburg"), ("Würzburg", "wuerzburg")]),
    ("10", 1, &[("Saarbrücken", "saarbruecken")]),
    ("11", 4, &[("Berlin", "berlin")]),
    ("12", 3, &[("Potsdam", "potsdam"), ("Cottbus", "cottbus")]),
    ("13", 2, &[("Rostock", "rostock"), ("Schwerin", "schwerin"), ("Greifswald", "greifswald")]),
    ("14", 4, &[("Leipzig", "leipzig"), ("Dresden", "dresden"), ("Chemnitz", "chemnitz")]),
    ("15", 2, &[("Magdeburg", "magdeburg"), ("Halle (Saale)", "halle")]),
    ("16", 2, &[("Erfurt", "erfurt"), ("Jena", "jena"), ("Weimar", "weimar")]),
];

/// Development status (`None`: not given), by weight.
const STATUSES: [(Option<&str>, u64); 6] = [
    (Some("stable"), 34),
    (Some("development"), 30),
    (Some("beta"), 9),
    (Some("concept"), 8),
    (Some("obsolete"), 7),
    (None, 12),
];

/// SPDX licences of the projects that name one (70 %), by weight.
const LICENSES: [(&str, u64); 15] = [
    ("MIT", 30),
    ("EUPL-1.2", 12),
    ("GPL-3.0-or-later", 12),
    ("AGPL-3.0-or-later", 9),
    ("Apache-2.0", 9),
    ("GPL-2.0-or-later", 4),
    ("BSD-3-Clause", 4),
    ("MPL-2.0", 3),
    ("LGPL-3.0-or-later", 3),
    ("CC0-1.0", 3),
    ("ISC", 2),
    ("BSD-2-Clause", 2),
    ("EUPL-1.1", 1),
    ("Unlicense", 1),
    ("AGPL-3.0-only", 1),
];

/// Theme keys of `codefor_domain::projects::THEMES`, by weight.
const THEME_WEIGHTS: [(&str, u64); 8] = [
    ("daten", 24),
    ("politik", 18),
    ("mobilitaet", 15),
    ("umwelt", 13),
    ("stadt", 12),
    ("gesellschaft", 9),
    ("gesundheit", 5),
    ("kultur", 4),
];

/// Organization kinds, by weight.
const KINDS: [(&str, u64); 7] = [
    ("municipality", 62),
    ("district", 18),
    ("state", 3),
    ("federal", 1),
    ("public_body", 10),
    ("civil_society", 4),
    ("business", 2),
];

#[rustfmt::skip]
const TITLE_WORDS: [&str; 20] = [
    "Baustellen", "Kita", "Schul", "Haushalts", "Rats", "Radweg", "Baum", "Wahl", "Luft",
    "Lärm", "Park", "Bus", "Wasser", "Energie", "Müll", "Spielplatz", "Trinkbrunnen",
    "Leerstands", "Sperrmüll", "Bürgerhaushalts",
];

#[rustfmt::skip]
const TITLE_ENDS: [&str; 10] = [
    "radar", "karte", "finder", "monitor", "atlas", "check", "planer", "kompass", "App",
    "Dashboard",
];

const SUMMARIES: [&str; 5] = [
    "Zeigt offene Daten der Stadtverwaltung übersichtlich auf einer Karte.",
    "Eine Web-App, mit der Bürgerinnen und Bürger Mängel melden und verfolgen können.",
    "Macht den kommunalen Haushalt verständlich: woher das Geld kommt und wohin es geht.",
    "Sammelt Messwerte aus Sensoren im Stadtgebiet und bereitet sie für alle auf.",
    "Ein Werkzeug für Verwaltungen, das Daten im Format des Open-Data-Portals veröffentlicht.",
];

/// Words for the bodies: random sequences of them compress about as well as prose does
/// (PostgreSQL compresses long rows; a repeated paragraph would shrink to nothing).
#[rustfmt::skip]
const WORDS: [&str; 96] = [
    "Daten", "offene", "Stadt", "Verwaltung", "Karte", "Projekt", "Lab", "Bürgerinnen",
    "Bürger", "zeigt", "sammelt", "veröffentlicht", "Schnittstelle", "Portal", "Haushalt",
    "Verkehr", "Radwege", "Bäume", "Luftqualität", "Sensoren", "Messwerte",
    "Wahlergebnisse", "Ratsinformationssystem", "Beschlüsse", "Anfragen", "Kommune",
    "Landkreis", "Gemeinde", "freie", "Software", "Lizenz", "Quellcode", "Repository",
    "Mitmachen", "Abend", "Treffen", "Hinweise", "Fehlerberichte", "Übersicht", "Statistik",
    "Einwohner", "Stadtteil", "Haltestellen", "Fahrpläne", "Echtzeit", "Baustellen",
    "Umleitungen", "Kita-Plätze", "Schulen", "Spielplätze", "Trinkwasser", "Pegelstände",
    "Hochwasser", "Lärm", "Energie", "Solaranlagen", "Dächer", "Potenzial", "Förderung",
    "Anträge", "Formulare", "digital", "einfach", "verständlich", "barrierefrei", "mobil",
    "nutzbar", "aktuell", "täglich", "automatisch", "importiert", "aufbereitet",
    "visualisiert", "verknüpft", "geprüft", "mit", "und", "für", "die", "der", "das", "aus",
    "von", "wir", "alle", "neue", "weitere", "seit", "jetzt", "auch", "noch", "mehr",
    "ohne", "über", "im", "am",
];

struct Sizes {
    projects: u64,
    labs: u64,
    organizations: u64,
}

/// What the benchmarks need to know about the data.
struct Generated {
    summary: String,
    /// The state with the most labs.
    land_slug: String,
    land_key: String,
    /// A page deep in the unfiltered catalog (200 at full size).
    deep_page: u32,
}

/// A literal SQL string.
fn text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn opt(s: Option<&str>) -> String {
    s.map(text).unwrap_or_else(|| "NULL".to_owned())
}

/// Multi-row `INSERT`s of literal values (no placeholders: SQLite finds each `$n` by a
/// scan, so thousands of them cost more than the values), flushed by the caller:
/// projects before the rows that refer to them.
struct Batch {
    head: &'static str,
    rows: Vec<String>,
    written: u64,
}

impl Batch {
    fn new(head: &'static str) -> Batch {
        Batch {
            head,
            rows: Vec::new(),
            written: 0,
        }
    }

    /// Adds a row, written by the next `flush`.
    fn push(&mut self, row: String) {
        self.rows.push(row);
    }

    async fn flush(&mut self, tx: &mut Tx) -> Result<(), BoxError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let sql = format!("{} VALUES {}", self.head, self.rows.join(","));
        // Only generated literals, quoted by `text`, make up `sql`.
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut **tx)
            .await?;
        self.written += self.rows.len() as u64;
        self.rows.clear();
        Ok(())
    }
}

/// A body of 40 to 300 words in paragraphs, as Markdown and as HTML.
fn body(rng: &mut Rng) -> (String, String) {
    let mut md = String::new();
    let mut html = String::from("<p>");
    for _ in 0..rng.range(40, 300) {
        let word = *rng.pick(&WORDS);
        let end = if rng.chance(8) { "." } else { "" };
        md.push_str(word);
        md.push_str(end);
        html.push_str(word);
        html.push_str(end);
        if !end.is_empty() && rng.chance(20) {
            md.push_str("\n\n");
            html.push_str("</p>\n<p>");
        } else {
            md.push(' ');
            html.push(' ');
        }
    }
    html.push_str("</p>");
    (md, html)
}

/// `YYYY-MM-DD`, `days` after 2012-01-01.
fn day(days: i64) -> String {
    let start = jiff::civil::date(2012, 1, 1);
    start
        .checked_add(jiff::Span::new().days(days))
        .unwrap_or(start)
        .to_string()
}

async fn generate(db: &Db, sizes: &Sizes, seed: u64) -> Result<Generated, BoxError> {
    let mut rng = Rng(seed);
    let state_weights: Vec<(&StateRow, u64)> = STATES.iter().map(|s| (s, s.1)).collect();

    // Labs: spread over the 16 states by weight; a few hidden. Some labs have many
    // projects, most a few: each lab gets a weight from 1 to 82.
    let mut labs: Vec<(i64, u64)> = Vec::new();
    let mut labs_per_state: HashMap<&str, u64> = HashMap::new();
    let mut tx = db.begin().await?;
    for i in 1..=sizes.labs {
        let state = *rng.weighted(&state_weights);
        let (city, city_slug) = *rng.pick(state.2);
        let slug = format!("{city_slug}-{i}");
        let body = format!("Das OK Lab {city}: offene Daten für {city} und Umgebung.");
        let lab = Lab {
            slug: slug.clone(),
            name: format!("OK Lab {city} {i}"),
            city: city.to_owned(),
            state_key: Some(state.0.to_owned()),
            latitude: None,
            longitude: None,
            body_html: codefor_content::markdown::render_plain(&body),
            body_md: body,
            active: true,
            hidden: rng.chance(2),
            meeting: None,
            links: vec![],
            contacts: vec![Link {
                name: "E-Mail".to_owned(),
                url: format!("mailto:{slug}@example.org"),
            }],
            feeds: vec![],
            source: serde_json::json!({ "bench": true }),
        };
        let (id, _) = codefor_storage::labs::upsert(&mut tx, &lab).await?;
        let k = rng.range(0, 8) as u64;
        labs.push((id, 1 + k * k));
        *labs_per_state.entry(state.0).or_default() += 1;
    }
    codefor_storage::commit(tx).await?;
    if labs.is_empty() {
        return Err("no lab generated".into());
    }

    // Organizations: mostly municipalities and districts, in the states by weight; the
    // federal ones in none.
    let now = "2026-11-27T00:00:00Z";
    let mut tx = db.begin().await?;
    let mut orgs = Batch::new(
        "INSERT INTO organizations (id, slug, name, kind, state_key, verified, created_at, \
         updated_at)",
    );
    for i in 1..=sizes.organizations {
        let kind = *rng.weighted(&KINDS);
        let state = *rng.weighted(&state_weights);
        let (city, _) = *rng.pick(state.2);
        let state_key = (kind != "federal").then_some(state.0);
        let row = format!(
            "({i}, 'org-{i}', {}, '{kind}', {}, {}, '{now}', '{now}')",
            text(&format!("Verwaltung {city} {i}")),
            opt(state_key),
            i64::from(rng.chance(60))
        );
        orgs.push(row);
    }
    orgs.flush(&mut tx).await?;
    codefor_storage::commit(tx).await?;

    // Projects, with their labs, themes, users, roles and pictures.
    let mut lab_cumulative = Vec::with_capacity(labs.len());
    let mut sum = 0;
    for (_, w) in &labs {
        sum += w;
        lab_cumulative.push(sum);
    }
    let pick_lab = |rng: &mut Rng| {
        let w = rng.next() % sum;
        let i = lab_cumulative.partition_point(|&c| c <= w);
        labs[i.min(labs.len() - 1)].0
    };
    let mut projects = Batch::new(
        "INSERT INTO projects (id, slug, title, summary, body_md, body_html, showcase, draft, \
         date, content_hash, created_at, updated_at, deleted_at, development_status, \
         looking_for_people, license, last_activity)",
    );
    let mut project_labs = Batch::new("INSERT INTO project_labs (project_id, lab_id)");
    let mut themes = Batch::new("INSERT INTO project_themes (project_id, theme)");
    let mut users =
        Batch::new("INSERT INTO project_users (project_id, organization_id, since, created_at)");
    let mut roles = Batch::new(
        "INSERT INTO project_roles (project_id, title, commitment, place, open, created_at, \
         updated_at)",
    );
    let mut images = Batch::new("INSERT INTO project_images (project_id, position, media_path)");
    let mut counts: HashMap<&str, u64> = HashMap::new();
    let mut tx = db.begin().await?;
    for i in 1..=sizes.projects {
        // 400 projects (and their rows) per statement, 20,000 per transaction; projects
        // first, for the foreign keys.
        if i % 400 == 0 {
            for b in [
                &mut projects,
                &mut project_labs,
                &mut themes,
                &mut users,
                &mut roles,
                &mut images,
            ] {
                b.flush(&mut tx).await?;
            }
        }
        if i % 20_000 == 0 {
            codefor_storage::commit(tx).await?;
            tx = db.begin().await?;
        }
        let title = format!("{}{} {i}", rng.pick(&TITLE_WORDS), rng.pick(&TITLE_ENDS));
        let summary = rng.chance(92).then(|| *rng.pick(&SUMMARIES));
        // Bodies of 0.3 to 2.5 KB (40 to 300 words), as Markdown and as HTML.
        let (body, html) = body(&mut rng);
        let born = rng.range(0, 5400);
        let date = rng.chance(95).then(|| day(born));
        let last_activity = rng
            .chance(90)
            .then(|| day((born + rng.range(0, 3000)).min(5440)));
        let status = *rng.weighted(&STATUSES);
        let license = rng.chance(70).then(|| *rng.weighted(&LICENSES));
        let looking = rng.chance(4);
        let draft = rng.chance(1);
        let deleted = rng.chance(1).then_some(now);
        let row = format!(
            "({i}, 'projekt-{i}', {}, {}, {}, {}, {}, {}, {}, 'bench', '{now}', '{now}', {}, {}, \
             {}, {}, {})",
            text(&title),
            opt(summary),
            text(&body),
            text(&html),
            i64::from(rng.chance(2)),
            i64::from(draft),
            opt(date.as_deref()),
            opt(deleted),
            opt(status),
            i64::from(looking),
            opt(license),
            opt(last_activity.as_deref()),
        );
        projects.push(row);
        if draft || deleted.is_some() {
            *counts.entry("hidden (draft or deleted)").or_default() += 1;
        }
        // Labs: one mostly, two for some, none for a few network projects.
        let n_labs = match rng.next() % 100 {
            0..3 => 0,
            3..95 => 1,
            _ => 2,
        };
        let mut mine: Vec<i64> = Vec::new();
        for _ in 0..n_labs {
            let lab = pick_lab(&mut rng);
            if !mine.contains(&lab) {
                mine.push(lab);
                project_labs.push(format!("({i}, {lab})"));
            }
        }
        // Themes: 0 to 3 of the eight.
        let n_themes = match rng.next() % 100 {
            0..20 => 0,
            20..65 => 1,
            65..90 => 2,
            _ => 3,
        };
        let mut chosen: Vec<&str> = Vec::new();
        for _ in 0..n_themes {
            let t = *rng.weighted(&THEME_WEIGHTS);
            if !chosen.contains(&t) {
                chosen.push(t);
                themes.push(format!("({i}, '{t}')"));
            }
        }
        // In use by administrations: ~3 %, most by one, a few by many.
        if sizes.organizations > 0 && rng.chance(3) {
            *counts.entry("in use").or_default() += 1;
            let n = match rng.next() % 100 {
                0..60 => 1,
                60..85 => rng.range(2, 3),
                _ => rng.range(4, 12),
            };
            let mut by: Vec<i64> = Vec::new();
            for _ in 0..n {
                let org = rng.range(1, sizes.organizations as i64);
                if !by.contains(&org) {
                    by.push(org);
                    let since = day(born + rng.range(100, 1500));
                    let since = since.get(..7).unwrap_or("2020-01");
                    users.push(format!("({i}, {org}, '{since}', '{now}')"));
                }
            }
        }
        // Roles: ~5 % with open ones, ~2 % with only filled ones.
        let open = rng.chance(5);
        if open || rng.chance(2) {
            if open {
                *counts.entry("with open roles").or_default() += 1;
            }
            for k in 0..rng.range(1, 3) {
                let title = *rng.pick(&[
                    "Frontend-Entwicklung",
                    "Datenaufbereitung",
                    "Gestaltung",
                    "Texte und Übersetzung",
                    "Kontakt zur Verwaltung",
                ]);
                let commitment = *rng.pick(&["occasional", "weekly", "regular"]);
                let place = *rng.pick(&["on_site", "remote", "either"]);
                let is_open = i64::from(open && (k == 0 || rng.chance(50)));
                roles.push(format!(
                    "({i}, {}, '{commitment}', '{place}', {is_open}, '{now}', '{now}')",
                    text(title)
                ));
            }
        }
        if looking {
            *counts.entry("looking for people").or_default() += 1;
        }
        if rng.chance(35) {
            images.push(format!("({i}, 0, 'projects/bench/{i}.png')"));
        }
    }
    for b in [
        &mut projects,
        &mut project_labs,
        &mut themes,
        &mut users,
        &mut roles,
        &mut images,
    ] {
        b.flush(&mut tx).await?;
    }
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    if db.backend() == Backend::Postgres {
        // The ids were given: move the identity sequences past them.
        for table in ["projects", "organizations"] {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            );
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(db.pool())
                .await?;
        }
        // What autovacuum does within a minute or two of a load like this one (statistics
        // for the planner, the visibility map for index-only scans); measuring before it
        // would time other plans, and its run in the middle of a measurement.
        sqlx::raw_sql("VACUUM ANALYZE").execute(db.pool()).await?;
    }

    let top = labs_per_state
        .iter()
        .max_by_key(|(k, n)| (**n, std::cmp::Reverse(**k)))
        .map(|(k, _)| *k)
        .unwrap_or("05");
    let land = codefor_domain::states::by_key(top).ok_or("unknown state key")?;
    let visible = sizes.projects
        - counts
            .get("hidden (draft or deleted)")
            .copied()
            .unwrap_or(0);
    let deep_page = (visible / u64::from(PER_PAGE)).clamp(1, 200) as u32;
    let mut kinds: Vec<_> = counts.into_iter().collect();
    kinds.sort();
    let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
    Ok(Generated {
        summary: format!(
            "{} labs, {} organizations, {} projects ({}), {} lab links, {} themes, {} users, \
             {} roles, {} pictures; ?land={} has {} labs",
            sizes.labs,
            orgs.written,
            projects.written,
            kinds.join(", "),
            project_labs.written,
            themes.written,
            users.written,
            roles.written,
            images.written,
            land.slug,
            labs_per_state.get(top).copied().unwrap_or(0),
        ),
        land_slug: land.slug.to_owned(),
        land_key: land.key.to_owned(),
        deep_page,
    })
}
