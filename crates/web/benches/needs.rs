//! Needs at network scale: the need list (`/beduerfnisse/`) with its sorts, filters and
//! a deep page, need pages with a long discussion and 100,000+ supports or a typical
//! one, for anonymous visitors and for a signed-in supporter, the lab page with its
//! "Bedürfnisse in eurer Gegend", and the feed — rendered anew (the page cache cannot
//! answer) over 100,000 needs, 1,000,000 comments and 10,000,000 supports. In-process:
//! requests go through the whole router (`codefor_web::app`, every layer) with
//! `tower::ServiceExt::oneshot`, no socket; the storage calls are also timed on their
//! own, to tell SQL from rendering.
//!
//! ```text
//! cargo bench -p codefor-web --bench needs                   # SQLite file in $TMPDIR
//! CODEFOR_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:54333/postgres \
//!     cargo bench -p codefor-web --bench needs               # a scratch database there
//! cargo bench -p codefor-web --bench needs -- beduerfnis-sql # only benchmarks matching
//! ```
//!
//! Settings: `BENCH_NEEDS` (100000), `BENCH_COMMENTS` (1000000), `BENCH_SUPPORTS`
//! (10000000), `BENCH_ACCOUNTS` (200000), `BENCH_LABS` (500), `BENCH_PROJECTS` (3000),
//! `BENCH_SEED` (1); under `cargo test` (a smoke run, once each) 300 needs, 3,000
//! comments, 30,000 supports, 2,000 accounts, 20 labs, 60 projects. Needs are written
//! with multi-row `INSERT`s of literal values; accounts, supports, comments, events,
//! follows and project links with `INSERT … SELECT` over a series (PostgreSQL's
//! `generate_series`, a helper table on SQLite) from the needs' rows, so 10,000,000
//! supports take no round trip each. Supports of a need go to consecutive accounts from
//! an offset derived from the need's id; threads are built from four shapes of eight
//! comments (lively, flat, a chain to the deepest level, mostly top level). The support
//! index by account is dropped for the load and built again afterwards (a sort instead
//! of 10,000,000 random inserts), and on PostgreSQL the load of supports and follows
//! runs with `session_replication_role = replica` (no foreign-key trigger per row: the
//! rows refer to needs read in the same statement and to accounts in `1..=A` by
//! construction). After the load, every need's `support_count` is checked against its
//! rows, every comment's parent and depth, and `comment_count` is set to the need's
//! public comments; PostgreSQL gets a `VACUUM ANALYZE`, as its autovacuum would
//! give it soon after such a load, SQLite no `ANALYZE`, as the application never runs
//! one. The scratch database is removed at the end unless `BENCH_KEEP` is set;
//! `BENCH_EXPLAIN` prints the plans of the list's statements at the end. Besides
//! criterion's estimates, a table with the median and p95 of every timed call
//! (criterion's warm-up calls included) is printed at the end.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use codefor_domain::{Lab, Link};
use codefor_storage::needs::{self, Filters, Order};
use codefor_storage::{Backend, Db, Tx};
use criterion::Criterion;
use jiff::Timestamp;
use support::{BoxError, Rng, Row, get, get_as, group, measure, print_table, setting};

mod support;

fn main() {
    support::main_of("needs", bench_all);
}

/// Needs per list page, as `codefor_web::needs::PER_PAGE`.
const PER_PAGE: i64 = 20;

struct Sizes {
    needs: u64,
    comments: u64,
    supports: u64,
    accounts: u64,
    labs: u64,
    projects: u64,
}

fn bench_all(rt: &tokio::runtime::Runtime, db: &Db, label: &str) -> Result<(), BoxError> {
    // `cargo test --all-targets` runs benches once each as a smoke test: small data
    // keeps that quick; `cargo bench` (which passes `--bench`) gets the full size.
    let measuring = support::measuring();
    let full = |n: u64, small: u64| if measuring { n } else { small };
    let sizes = Sizes {
        needs: setting("BENCH_NEEDS", full(100_000, 300)).max(10),
        comments: setting("BENCH_COMMENTS", full(1_000_000, 3000)),
        supports: setting("BENCH_SUPPORTS", full(10_000_000, 30_000)),
        accounts: setting("BENCH_ACCOUNTS", full(200_000, 2000)).max(10),
        labs: setting("BENCH_LABS", full(500, 20)).max(1),
        projects: setting("BENCH_PROJECTS", full(3000, 60)).max(1),
    };
    let started = Instant::now();
    let data = rt.block_on(generate(db, &sizes, setting("BENCH_SEED", 1)))?;
    let setup = started.elapsed();
    println!(
        "needs bench: {label}; generated in {:.1} s ({}): {}",
        setup.as_secs_f64(),
        data.phases,
        data.summary
    );
    let app = codefor_web::app(codefor_web::AppState::new(
        db.clone(),
        codefor_web::Config::default(),
    ));

    let lists: Vec<(String, String)> = [
        String::new(),
        "sortierung=unterstuetzung".to_owned(),
        "sortierung=aktiv".to_owned(),
        format!("land={}&thema=umwelt", data.land_slug),
        "ohne_lab=1&land=bayern".to_owned(),
        "stand=discussion&sortierung=unterstuetzung".to_owned(),
        format!("seite={}", data.deep_page),
        format!("lab={}", data.lab_slug),
    ]
    .into_iter()
    .map(|q| {
        let name = if q.is_empty() {
            "GET /beduerfnisse/".to_owned()
        } else {
            format!("GET /beduerfnisse/?{q}")
        };
        (q, name)
    })
    .collect();
    let big = &data.big;
    let typical = &data.typical;
    let longest = &data.longest;
    // First requests pay for one-time work (templates): not measured.
    for (q, _) in &lists {
        rt.block_on(get(&app, format!("/beduerfnisse/?{q}&messung=0")));
    }
    for (id, session) in [
        (big.id, &big.session),
        (typical.id, &typical.session),
        (longest.id, &longest.session),
    ] {
        rt.block_on(get(&app, format!("/beduerfnisse/{id}/?messung=0")));
        rt.block_on(get_as(&app, format!("/beduerfnisse/{id}/"), Some(session)));
    }
    // The last page of the longest discussion (its top-level threads, 50 a page), and
    // its newest comment.
    let (last_page, newest) = rt.block_on(async {
        let reader = codefor_storage::need_comments::Reader::default();
        let threads = codefor_storage::need_comments::threads(db, longest.id, reader).await?;
        let newest: i64 =
            sqlx::query_scalar("SELECT MAX(id) FROM need_comments WHERE need_id = $1")
                .bind(longest.id)
                .fetch_one(db.pool())
                .await?;
        Ok::<_, BoxError>((((threads + 49) / 50).max(1), newest))
    })?;
    rt.block_on(get(&app, format!("/{}/?messung=0", data.lab_slug)));
    rt.block_on(get(&app, "/beduerfnisse/index.xml?messung=0"));

    let mut criterion = Criterion::default().configure_from_args();
    let mut rows: Vec<Row> = Vec::new();
    let n = AtomicU64::new(1);
    // A query parameter no page knows keeps every anonymous request out of the page
    // cache (`cache::layer` only serves queries made of the catalog's keys); requests
    // with a session cookie never touch it.
    let fresh = || n.fetch_add(1, Ordering::Relaxed);

    {
        let mut g = group(&mut criterion, "beduerfnisse", 10);
        for (q, name) in &lists {
            let sep = if q.is_empty() { "" } else { "&" };
            measure(&mut g, rt, &mut rows, name, || {
                get(&app, format!("/beduerfnisse/?{q}{sep}messung={}", fresh()))
            });
        }
        g.finish();
    }
    {
        let mut g = group(&mut criterion, "beduerfnis", 10);
        for (what, need) in [("most supported", big), ("typical", typical)] {
            let id = need.id;
            measure(
                &mut g,
                rt,
                &mut rows,
                &format!(
                    "GET /beduerfnisse/{id}/ ({what}: {} supports, {} comments), anonymous",
                    need.supports, need.comments
                ),
                || get(&app, format!("/beduerfnisse/{id}/?messung={}", fresh())),
            );
            let session = need.session.as_str();
            measure(
                &mut g,
                rt,
                &mut rows,
                &format!("GET /beduerfnisse/{id}/ ({what}), signed in as a supporter"),
                || get_as(&app, format!("/beduerfnisse/{id}/"), Some(session)),
            );
        }
        let id = longest.id;
        measure(
            &mut g,
            rt,
            &mut rows,
            &format!(
                "GET /beduerfnisse/{id}/ (longest discussion: {} supports, {} comments), \
                 anonymous",
                longest.supports, longest.comments
            ),
            || get(&app, format!("/beduerfnisse/{id}/?messung={}", fresh())),
        );
        let session = longest.session.as_str();
        measure(
            &mut g,
            rt,
            &mut rows,
            &format!("GET /beduerfnisse/{id}/ (longest discussion), signed in as a supporter"),
            || get_as(&app, format!("/beduerfnisse/{id}/"), Some(session)),
        );
        measure(
            &mut g,
            rt,
            &mut rows,
            &format!(
                "GET /beduerfnisse/{id}/kommentare?seite={last_page} (longest discussion, \
                 last page), anonymous"
            ),
            || {
                get(
                    &app,
                    format!(
                        "/beduerfnisse/{id}/kommentare?seite={last_page}&messung={}",
                        fresh()
                    ),
                )
            },
        );
        g.finish();
    }
    {
        let mut g = group(&mut criterion, "lab-feed", 10);
        let slug = &data.lab_slug;
        measure(
            &mut g,
            rt,
            &mut rows,
            &format!("GET /{slug}/ (lab page with its needs nearby)"),
            || get(&app, format!("/{slug}/?messung={}", fresh())),
        );
        measure(&mut g, rt, &mut rows, "GET /beduerfnisse/index.xml", || {
            get(&app, format!("/beduerfnisse/index.xml?messung={}", fresh()))
        });
        g.finish();
    }
    {
        // The storage calls of those pages on their own: SQL and decoding.
        let mut g = group(&mut criterion, "beduerfnis-sql", 10);
        let land = Filters {
            state: Some(data.land_key.clone()),
            topic: Some("umwelt".to_owned()),
            ..Filters::default()
        };
        let discussion = Filters {
            status: Some("discussion".to_owned()),
            ..Filters::default()
        };
        let lab = Filters {
            lab: Some(data.lab_id),
            ..Filters::default()
        };
        let deep = (i64::from(data.deep_page) - 1) * PER_PAGE;
        let all = Filters::default();
        let calls: Vec<(String, &Filters, Order, i64)> = vec![
            (
                "needs::list (no filter, newest), page 1".to_owned(),
                &all,
                Order::Newest,
                0,
            ),
            (
                "needs::list (no filter, support), page 1".to_owned(),
                &all,
                Order::Support,
                0,
            ),
            (
                format!(
                    "needs::list (land={}, thema=umwelt), page 1",
                    data.land_slug
                ),
                &land,
                Order::Newest,
                0,
            ),
            (
                "needs::list (stand=discussion, support), page 1".to_owned(),
                &discussion,
                Order::Support,
                0,
            ),
            (
                format!("needs::list (no filter, newest), page {}", data.deep_page),
                &all,
                Order::Newest,
                deep,
            ),
            (
                format!("needs::list (lab={}), page 1", data.lab_slug),
                &lab,
                Order::Newest,
                0,
            ),
        ];
        for (name, filters, order, offset) in calls {
            measure(&mut g, rt, &mut rows, &name, || async move {
                match needs::list(db, filters, order, PER_PAGE, offset).await {
                    Ok((cards, _)) => cards.len(),
                    Err(e) => panic!("needs::list: {e}"),
                }
            });
        }
        // The count `needs::list` makes besides its page, alone.
        measure(
            &mut g,
            rt,
            &mut rows,
            "↳ its count alone (no filter)",
            || async move { count_listed(db, "").await },
        );
        measure(
            &mut g,
            rt,
            &mut rows,
            "↳ its count alone (stand=discussion)",
            || async move { count_listed(db, " AND n.status = 'discussion'").await },
        );
        let (lab_id, land_key) = (data.lab_id, data.lab_state.as_str());
        measure(
            &mut g,
            rt,
            &mut rows,
            "needs::open_near (the lab page's needs nearby)",
            || async move {
                match needs::open_near(db, lab_id, Some(land_key), 5).await {
                    Ok((cards, _)) => cards.len(),
                    Err(e) => panic!("needs::open_near: {e}"),
                }
            },
        );
        measure(
            &mut g,
            rt,
            &mut rows,
            "needs::newest (the feed)",
            || async move {
                match needs::newest(db, None, 20).await {
                    Ok(cards) => cards.len(),
                    Err(e) => panic!("needs::newest: {e}"),
                }
            },
        );
        let (id, account) = (big.id, big.account);
        measure(
            &mut g,
            rt,
            &mut rows,
            "needs::get + events + projects_of (most supported)",
            || async move {
                let need = match needs::get(db, id).await {
                    Ok(Some(n)) => n,
                    other => panic!("needs::get: {other:?}"),
                };
                let events = match needs::events(db, id).await {
                    Ok(e) => e.len(),
                    Err(e) => panic!("needs::events: {e}"),
                };
                match needs::projects_of(db, id).await {
                    Ok(p) => p.len() + events + need.title.len(),
                    Err(e) => panic!("needs::projects_of: {e}"),
                }
            },
        );
        measure(
            &mut g,
            rt,
            &mut rows,
            "needs::supports + follows (most supported, a supporter)",
            || async move {
                match (
                    needs::supports(db, id, account).await,
                    needs::follows(db, id, account).await,
                ) {
                    (Ok(s), Ok(f)) => usize::from(s) + usize::from(f),
                    (Err(e), _) | (_, Err(e)) => panic!("supports/follows: {e}"),
                }
            },
        );
        for (what, need) in [("most supported", big), ("longest discussion", longest)] {
            let id = need.id;
            measure(
                &mut g,
                rt,
                &mut rows,
                &format!("need_comments::of_need ({what})"),
                || async move {
                    match codefor_storage::need_comments::of_need(db, id).await {
                        Ok(c) => c.len(),
                        Err(e) => panic!("need_comments::of_need: {e}"),
                    }
                },
            );
        }
        // What the discussion reads now: its number of threads and one page of them.
        let id = longest.id;
        let reader = codefor_storage::need_comments::Reader::default();
        let mut pages = vec![1, last_page];
        pages.dedup();
        for page in pages {
            measure(
                &mut g,
                rt,
                &mut rows,
                &format!(
                    "need_comments::threads + page (longest discussion, page {page} of \
                     {last_page})"
                ),
                || async move {
                    use codefor_storage::need_comments::{page as one_page, threads};
                    match (
                        threads(db, id, reader).await,
                        one_page(db, id, reader, 50, page).await,
                    ) {
                        (Ok(_), Ok(c)) => c.len(),
                        (Err(e), _) | (_, Err(e)) => panic!("need_comments::page: {e}"),
                    }
                },
            );
        }
        measure(
            &mut g,
            rt,
            &mut rows,
            "need_comments::page_of (longest discussion, its newest comment)",
            || async move {
                match codefor_storage::need_comments::page_of(db, id, newest, reader, 50).await {
                    Ok(p) => p.unwrap_or_default() as usize,
                    Err(e) => panic!("need_comments::page_of: {e}"),
                }
            },
        );
        g.finish();
    }
    criterion.final_summary();
    print_table(label, &rows);
    if std::env::var_os("BENCH_EXPLAIN").is_some() {
        rt.block_on(explain(db, &data))?;
    }
    Ok(())
}

/// The public needs `needs::list` counts, with `extra` conditions.
async fn count_listed(db: &Db, extra: &str) -> usize {
    let sql = format!(
        "SELECT COUNT(*) FROM needs n WHERE {}{extra}",
        codefor_storage::needs::LISTED
    );
    match sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
        .fetch_one(db.pool())
        .await
    {
        Ok(n) => n as usize,
        Err(e) => panic!("count: {e}"),
    }
}

/// `BENCH_EXPLAIN=1`: the plans of the list's statements (PostgreSQL: `EXPLAIN
/// (ANALYZE, BUFFERS)`; SQLite: `EXPLAIN QUERY PLAN`), for the record.
async fn explain(db: &Db, data: &Generated) -> Result<(), BoxError> {
    let listed = codefor_storage::needs::LISTED;
    let statements = [
        format!("SELECT COUNT(*) FROM needs n WHERE {listed}"),
        format!("SELECT COUNT(*) FROM needs n WHERE {listed} AND n.status = 'discussion'"),
        format!(
            "SELECT COUNT(*) FROM needs n WHERE {listed} AND n.topic = 'umwelt' \
             AND n.state_key = '{}'",
            data.land_key
        ),
        format!(
            "SELECT COUNT(*) FROM needs n WHERE {listed} AND n.state_key = '09' \
             AND n.adopted_lab_id IS NULL AND n.status IN ('submitted', 'discussion')"
        ),
        format!(
            "SELECT n.id FROM needs n WHERE {listed} ORDER BY n.submitted_at DESC, n.id DESC \
             LIMIT 20 OFFSET {}",
            (i64::from(data.deep_page) - 1) * PER_PAGE
        ),
        format!(
            "SELECT n.id FROM needs n WHERE {listed} AND n.status = 'discussion' \
             ORDER BY n.support_count DESC, n.id DESC LIMIT 20"
        ),
        format!(
            "SELECT COUNT(*) FROM needs n WHERE {listed} AND n.adopted_lab_id IS NULL \
             AND n.status IN ('submitted', 'discussion') AND (n.lab_id = {} OR n.state_key = '{}')",
            data.lab_id, data.lab_state
        ),
    ];
    let pg = db.backend() == Backend::Postgres;
    for sql in statements {
        let explain = if pg {
            format!("EXPLAIN (ANALYZE, BUFFERS) {sql}")
        } else {
            format!("EXPLAIN QUERY PLAN {sql}")
        };
        println!("\n{sql}");
        let rows = sqlx::query(sqlx::AssertSqlSafe(explain))
            .fetch_all(db.pool())
            .await?;
        for row in rows {
            use sqlx::Row as _;
            let line: String = if pg { row.try_get(0)? } else { row.try_get(3)? };
            println!("  {line}");
        }
    }
    Ok(())
}

// ---- the generated needs -----------------------------------------------------------

/// A need the benchmarks open, and a person signed in who supports it.
struct Chosen {
    id: i64,
    supports: i64,
    comments: i64,
    /// The supporter's account and session cookie value.
    account: i64,
    session: String,
}

/// What the benchmarks need to know about the data.
struct Generated {
    summary: String,
    /// How long each part of the load took.
    phases: String,
    /// The need with the most supports (its discussion has 500 comments).
    big: Chosen,
    /// A need with the median number of supports and about as many comments as most.
    typical: Chosen,
    /// The need with the most comments.
    longest: Chosen,
    /// The state with the most needs.
    land_slug: String,
    land_key: String,
    /// The lab named by or adopting the most needs, in that state.
    lab_slug: String,
    lab_id: i64,
    lab_state: String,
    /// A page deep in the unfiltered list (200 at full size).
    deep_page: u32,
}

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

/// Need statuses, by weight (per mille).
const STATUSES: [(&str, u64); 8] = [
    ("draft", 30),
    ("submitted", 300),
    ("discussion", 430),
    ("adopted", 80),
    ("in_progress", 60),
    ("solved", 50),
    ("not_pursued", 30),
    ("merged", 20),
];

/// Theme keys of `codefor_domain::projects::THEMES`, by weight.
const THEME_WEIGHTS: [(&str, u64); 8] = [
    ("stadt", 20),
    ("mobilitaet", 18),
    ("umwelt", 15),
    ("daten", 13),
    ("gesellschaft", 12),
    ("politik", 10),
    ("gesundheit", 7),
    ("kultur", 5),
];

#[rustfmt::skip]
const TITLES: [&str; 16] = [
    "Wo gibt es freie Kita-Plätze", "Baustellen auf einen Blick", "Sichere Schulwege",
    "Freie Termine im Bürgeramt", "Wie voll ist der Wertstoffhof", "Barrierefreie Haltestellen",
    "Wann kommt der Bus wirklich", "Wo sind öffentliche Toiletten", "Luftqualität im Viertel",
    "Offene Sitzungen des Stadtrats", "Trinkbrunnen im Sommer", "Leerstand sichtbar machen",
    "Radwege, die enden", "Hitzeschutz für Ältere", "Sperrmüll-Termine finden",
    "Wohin mit dem Hochwasser",
];

#[rustfmt::skip]
const SENTENCES: [&str; 24] = [
    "Wir suchen seit Monaten eine Übersicht, die es so nicht gibt.",
    "Die Verwaltung veröffentlicht die Daten nur als PDF, und das einmal im Jahr.",
    "Viele Eltern rufen jede Woche bei allen Einrichtungen einzeln an.",
    "Für Menschen im Rollstuhl ist nicht erkennbar, welche Wege frei sind.",
    "Es wäre schon viel gewonnen, wenn man die Termine auf einer Karte sähe.",
    "Im Ratsinformationssystem steht es, aber niemand findet es dort.",
    "Die Messwerte gibt es, nur nicht für unseren Stadtteil.",
    "Ältere Menschen ohne Smartphone sollten es ebenfalls erfahren, etwa per Aushang.",
    "Eine offene Schnittstelle würde reichen, den Rest bauen wir gern selbst.",
    "Wir haben in der Nachbarschaft schon eine Liste angefangen.",
    "Das Thema kam bei der letzten Bürgerversammlung mehrfach auf.",
    "Andere Städte haben dafür bereits eine Lösung, die man übernehmen könnte.",
    "Besonders am Wochenende ist die Lage unklar.",
    "Die Angaben auf der Website der Stadt sind oft veraltet.",
    "Es geht nicht um eine App, sondern um verlässliche Informationen.",
    "Schulen und Kitas im Viertel würden die Übersicht sofort nutzen.",
    "Wir können Daten beisteuern, die wir selbst gesammelt haben.",
    "Wichtig ist, dass es auch ohne JavaScript und in leichter Sprache funktioniert.",
    "Der Landkreis hat angeboten, die Daten regelmäßig zu liefern.",
    "Bisher hilft nur, jemanden zu kennen, der jemanden kennt.",
    "Bei Starkregen wissen wir nie, welche Unterführungen gesperrt sind.",
    "Die Zahlen gibt es beim Statistikamt, aber nur für den ganzen Kreis.",
    "Ein monatlicher Export als CSV wäre schon ein großer Schritt.",
    "Wer pflegt das später? Das sollten wir früh klären.",
];

#[rustfmt::skip]
const AFFECTED: [&str; 8] = [
    "Eltern kleiner Kinder", "Pendlerinnen und Pendler", "Menschen mit Behinderung",
    "Ältere Menschen im Viertel", "Radfahrende", "Vereine und Initiativen",
    "Anwohnende", "Schülerinnen und Schüler",
];

#[rustfmt::skip]
const MISSING: [&str; 6] = [
    "Ein offener Datensatz mit Adressen und Öffnungszeiten.",
    "Eine Schnittstelle zum Fachverfahren der Verwaltung.",
    "Eine Karte, die täglich aktualisiert wird.",
    "Die Daten als CSV unter offener Lizenz.",
    "Eine einfache Website, die auch mobil funktioniert.",
    "Ein Kalender-Feed zum Abonnieren.",
];

#[rustfmt::skip]
const COMMENT_SENTENCES: [&str; 32] = [
    "Das kenne ich, bei uns ist es genauso.", "Gute Idee, ich unterstütze das.",
    "Gibt es dazu schon Daten von der Stadt?", "Ich habe beim Amt nachgefragt und warte auf Antwort.",
    "In Köln gibt es so etwas schon, siehe deren Open-Data-Portal.",
    "Wir könnten beim nächsten Lab-Abend daran arbeiten.", "Wer hat Lust, einen Prototyp zu bauen?",
    "Die Daten sind leider nicht aktuell.", "Danke für die Zusammenfassung!",
    "Ich würde die Karte auch mit Fahrradwegen verbinden.",
    "Wichtig wäre, dass es barrierefrei ist.", "Ich kann beim Design helfen.",
    "Hat jemand Kontakt zur zuständigen Stelle?", "Das betrifft auch die Nachbargemeinden.",
    "Bitte auch an Menschen ohne Internet denken.", "Die Lizenz der Daten ist unklar.",
    "Ich habe eine Tabelle mit ersten Zahlen angelegt.", "Klingt machbar, wenn die Schnittstelle offen ist.",
    "Das wurde im Stadtrat schon einmal abgelehnt.", "Vielleicht reicht am Anfang eine einfache Liste.",
    "Ich bin dabei.", "Gibt es Neuigkeiten?", "Wir sollten die Anforderungen genauer beschreiben.",
    "Der Datensatz liegt inzwischen beim Land.", "Ich teste gern eine erste Version.",
    "Super, dass ihr das aufgreift!", "Bei uns im Viertel fehlt das besonders.",
    "Das Amt hat Gesprächsbereitschaft signalisiert.", "Können wir das mit dem Schulweg-Projekt verbinden?",
    "Meine Erfahrung: die Daten ändern sich wöchentlich.",
    "Wer übernimmt die Pflege, wenn es fertig ist?", "Ein Feed wäre praktisch.",
];

/// Thread shapes of eight comments: the position each one answers (`None`: top level)
/// and its depth; the chain goes down to `need_comments::MAX_DEPTH` (6).
#[rustfmt::skip]
const SHAPES: [[(Option<i64>, i64); 8]; 4] = [
    // lively
    [(None, 0), (Some(0), 1), (Some(1), 2), (Some(0), 1), (Some(3), 2), (Some(4), 3), (Some(0), 1), (Some(6), 2)],
    // flat: everyone answers the first
    [(None, 0), (Some(0), 1), (Some(0), 1), (Some(0), 1), (Some(0), 1), (Some(0), 1), (Some(0), 1), (Some(0), 1)],
    // a chain to the deepest level
    [(None, 0), (Some(0), 1), (Some(1), 2), (Some(2), 3), (Some(3), 4), (Some(4), 5), (Some(5), 6), (Some(5), 6)],
    // mostly top level
    [(None, 0), (None, 0), (Some(1), 1), (None, 0), (Some(3), 1), (None, 0), (None, 0), (Some(6), 1)],
];

/// A literal SQL string.
fn text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|v| v.to_string())
        .unwrap_or_else(|| "NULL".to_owned())
}

fn opt_text(s: Option<&str>) -> String {
    s.map(text).unwrap_or_else(|| "NULL".to_owned())
}

/// RFC 3339 in UTC, seconds, as the application writes times.
fn iso(secs: i64) -> String {
    Timestamp::from_second(secs)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// Runs literal SQL (only generated literals and numbers make it up).
async fn exec(conn: &mut codefor_storage::Connection, sql: String) -> Result<u64, BoxError> {
    Ok(sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

/// What differs between the two dialects for generating rows.
struct Dialect {
    pg: bool,
}

impl Dialect {
    /// A join adding `s.i` in `1..=upper` to each row before it, and the condition
    /// that goes with it into the `WHERE` clause. SQLite keeps the order of a `CROSS
    /// JOIN`: the series is probed by its key for each row.
    fn series(&self, upper: &str) -> (String, String) {
        if self.pg {
            (
                format!("CROSS JOIN LATERAL generate_series(CAST(1 AS BIGINT), {upper}) AS s(i)"),
                "TRUE".to_owned(),
            )
        } else {
            (
                "CROSS JOIN bench_series s".to_owned(),
                format!("s.i <= {upper}"),
            )
        }
    }

    /// A series `s.i` in `1..=upper` on its own, for `FROM`, and its `WHERE` condition.
    fn rows(&self, upper: &str) -> (String, String) {
        if self.pg {
            (
                format!("generate_series(CAST(1 AS BIGINT), {upper}) AS s(i)"),
                "TRUE".to_owned(),
            )
        } else {
            ("bench_series s".to_owned(), format!("s.i <= {upper}"))
        }
    }

    /// RFC 3339 text of a Unix time in seconds.
    fn iso(&self, secs: &str) -> String {
        if self.pg {
            format!(
                "to_char(to_timestamp({secs}) AT TIME ZONE 'UTC', \
                 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
            )
        } else {
            format!("strftime('%Y-%m-%dT%H:%M:%SZ', {secs}, 'unixepoch')")
        }
    }
}

/// A number in `0..m` (m ≤ 32,768) from an integer expression: the upper bits of
/// a multiplicative hash modulo 2³¹ (both dialects, 64-bit integers, no overflow for
/// `x` below 8·10⁹).
fn hash(x: &str, multiplier: u64, m: u64) -> String {
    format!("(((({x}) * {multiplier}) % 2147483648) / 65536 % {m})")
}

/// `CASE <key> WHEN 0 THEN 'a' … END` over literal strings.
fn case_of(key: &str, items: &[&str]) -> String {
    let mut s = format!("CASE {key}");
    for (i, item) in items.iter().enumerate() {
        s.push_str(&format!(" WHEN {i} THEN {}", text(item)));
    }
    s.push_str(" END");
    s
}

/// Multi-row `INSERT`s of literal values, flushed by the caller.
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

    async fn flush(&mut self, tx: &mut Tx) -> Result<(), BoxError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        exec(tx, format!("{} VALUES {}", self.head, self.rows.join(","))).await?;
        self.written += self.rows.len() as u64;
        self.rows.clear();
        Ok(())
    }
}

/// One need as generated, before it is written.
struct Plan {
    status: &'static str,
    state: Option<usize>,
    lab: Option<i64>,
    adopted: Option<i64>,
    held: bool,
    hidden: bool,
    supports: i64,
    comments: i64,
}

/// Scales Pareto draws (`shape`) over the eligible needs to `total`, each at most
/// `cap`; `fixed` gives some needs their count beforehand (taken from the total).
fn spread(
    rng: &mut Rng,
    eligible: &[bool],
    shape: f64,
    total: u64,
    cap: i64,
    fixed: &[(usize, i64)],
) -> Vec<i64> {
    let mut counts = vec![0i64; eligible.len()];
    let mut raw = vec![0f64; eligible.len()];
    for (i, e) in eligible.iter().enumerate() {
        if *e {
            raw[i] = rng.unit().powf(-1.0 / shape);
        }
    }
    let mut left = total as i64;
    for &(i, n) in fixed {
        raw[i] = 0.0;
        counts[i] = n.min(cap).min(left.max(0));
        left -= counts[i];
    }
    let sum: f64 = raw.iter().sum();
    if sum > 0.0 && left > 0 {
        for (i, r) in raw.iter().enumerate() {
            if *r > 0.0 {
                counts[i] = ((r / sum * left as f64) as i64).min(cap);
            }
        }
        // What flooring and the cap left over, one by one over the eligible needs.
        let mut missing = total as i64 - counts.iter().sum::<i64>();
        let open: Vec<usize> = (0..counts.len()).filter(|&i| raw[i] > 0.0).collect();
        let mut k = 0;
        let mut idle = 0;
        while missing > 0 && !open.is_empty() && idle < open.len() {
            let i = open[k % open.len()];
            if counts[i] < cap {
                counts[i] += 1;
                missing -= 1;
                idle = 0;
            } else {
                idle += 1;
            }
            k += 1;
        }
    }
    counts
}

fn median(mut v: Vec<i64>) -> i64 {
    if v.is_empty() {
        return 0;
    }
    v.sort_unstable();
    v[v.len() / 2]
}

/// The first supporter of a need, as the supports are generated: accounts
/// `((id · 7919 + k) mod A) + 1` for k in `1..=support_count`.
fn first_supporter(id: i64, accounts: i64) -> i64 {
    (id * 7919 + 1) % accounts + 1
}

async fn generate(db: &Db, sizes: &Sizes, seed: u64) -> Result<Generated, BoxError> {
    let mut rng = Rng(seed);
    let sql = Dialect {
        pg: db.backend() == Backend::Postgres,
    };
    let mut phases: Vec<String> = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |what: &str, clock: &mut Instant| {
        phases.push(format!("{what} {:.1} s", clock.elapsed().as_secs_f64()));
        *clock = Instant::now();
    };
    let n_needs = sizes.needs as i64;
    let n_accounts = sizes.accounts as i64;
    let n_projects = sizes.projects as i64;
    let now = Timestamp::now().as_second();
    let span = 3 * 365 * 86_400;
    let t0 = now - span;
    // Needs come in evenly over three years: need `id` at `t0 + id · step`.
    let step = (span / n_needs).max(1);

    // Labs: spread over the 16 states by weight.
    let state_weights: Vec<(usize, u64)> =
        STATES.iter().enumerate().map(|(i, s)| (i, s.1)).collect();
    let mut labs: Vec<(i64, String, usize)> = Vec::new();
    let mut tx = db.begin().await?;
    for i in 1..=sizes.labs {
        let st = *rng.weighted(&state_weights);
        let (city, city_slug) = *rng.pick(STATES[st].2);
        let slug = format!("{city_slug}-{i}");
        let body = format!("Das OK Lab {city}: offene Daten für {city} und Umgebung.");
        let lab = Lab {
            slug: slug.clone(),
            name: format!("OK Lab {city} {i}"),
            city: city.to_owned(),
            state_key: Some(STATES[st].0.to_owned()),
            latitude: None,
            longitude: None,
            body_html: codefor_content::markdown::render_plain(&body),
            body_md: body,
            active: true,
            hidden: false,
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
        labs.push((id, slug, st));
    }
    codefor_storage::commit(tx).await?;
    let mut labs_of_state: Vec<Vec<usize>> = vec![Vec::new(); STATES.len()];
    for (i, (_, _, st)) in labs.iter().enumerate() {
        labs_of_state[*st].push(i);
    }

    let mut tx = db.begin().await?;
    if !sql.pg {
        // The series the inserts join: up to the largest count any of them needs.
        let upper = sizes
            .accounts
            .max(sizes.projects)
            .max(sizes.needs)
            .max(3000);
        exec(
            &mut tx,
            "CREATE TABLE bench_series (i INTEGER PRIMARY KEY)".to_owned(),
        )
        .await?;
        exec(
            &mut tx,
            format!(
                "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < \
                 {upper}) INSERT INTO bench_series (i) SELECT i FROM r"
            ),
        )
        .await?;
    }
    // Accounts: people; a tenth want no mail, a tenth every notification at once.
    let created = iso(t0 - 86_400 * 30);
    let (join, cond) = sql.rows(&n_accounts.to_string());
    exec(
        &mut tx,
        format!(
            "INSERT INTO accounts (id, email, password_hash, display_name, confirmed_at, \
             created_at, updated_at, notify_mail) \
             SELECT s.i, 'person-' || s.i || '@example.org', '$argon2id$bench$none', \
             {} || ' ' || {} || '.', '{created}', '{created}', '{created}', \
             CASE s.i % 10 WHEN 0 THEN 'off' WHEN 1 THEN 'immediate' ELSE 'daily' END \
             FROM {join} WHERE {cond}",
            case_of(
                &hash("s.i", 1_103_515_245, 16),
                &[
                    "Anna", "Ben", "Clara", "Deniz", "Emil", "Fatma", "Greta", "Hannes", "Ida",
                    "Jonas", "Kemal", "Lea", "Mia", "Noah", "Olga", "Paul"
                ]
            ),
            case_of(
                &hash("s.i", 22_695_477, 8),
                &["A", "B", "K", "M", "S", "T", "W", "Z"]
            ),
        ),
    )
    .await?;
    // Organizations some needs are submitted for.
    let n_orgs = 200.min(sizes.needs as i64);
    let mut orgs = Batch::new(
        "INSERT INTO organizations (id, slug, name, kind, state_key, verified, created_at, \
         updated_at)",
    );
    for i in 1..=n_orgs {
        let st = *rng.weighted(&state_weights);
        let (city, _) = *rng.pick(STATES[st].2);
        orgs.rows.push(format!(
            "({i}, 'org-{i}', {}, 'municipality', '{}', {}, '{created}', '{created}')",
            text(&format!("Stadtverwaltung {city} {i}")),
            STATES[st].0,
            i64::from(rng.chance(60))
        ));
    }
    orgs.flush(&mut tx).await?;
    // Projects that answer needs, each in a lab.
    let (join, cond) = sql.rows(&n_projects.to_string());
    exec(
        &mut tx,
        format!(
            "INSERT INTO projects (id, slug, title, summary, body_md, body_html, draft, date, \
             content_hash, created_at, updated_at, development_status, last_activity) \
             SELECT s.i, 'projekt-' || s.i, 'Projekt ' || s.i, 'Eine Antwort auf ein Bedürfnis.', \
             'Ein Projekt aus dem Netzwerk.', '<p>Ein Projekt aus dem Netzwerk.</p>', 0, \
             '2025-01-01', 'bench', '{created}', '{created}', \
             CASE s.i % 3 WHEN 0 THEN 'stable' WHEN 1 THEN 'development' ELSE 'beta' END, \
             '2026-01-01' FROM {join} WHERE {cond}"
        ),
    )
    .await?;
    let first_lab = labs.first().map(|l| l.0).unwrap_or(1);
    if labs
        .iter()
        .enumerate()
        .any(|(i, l)| l.0 != first_lab + i as i64)
    {
        return Err("lab ids are not consecutive".into());
    }
    exec(
        &mut tx,
        format!(
            "INSERT INTO project_labs (project_id, lab_id) SELECT id, {first_lab} + \
             (id * 13) % {} FROM projects",
            labs.len()
        ),
    )
    .await?;
    codefor_storage::commit(tx).await?;
    lap("labs, accounts, organizations, projects", &mut clock);

    // The needs, planned in memory: status, place, lab, moderation state, counts.
    let mut plans: Vec<Plan> = Vec::with_capacity(n_needs as usize);
    for _ in 0..n_needs {
        let status = *rng.weighted(&STATUSES);
        let state = (!rng.chance(5)).then(|| *rng.weighted(&state_weights));
        let in_state = |rng: &mut Rng| -> Option<i64> {
            let pool = state.map(|s| &labs_of_state[s]).filter(|p| !p.is_empty());
            match pool {
                Some(p) => Some(labs[*rng.pick(p)].0),
                None => Some(labs[rng.range(0, labs.len() as i64 - 1) as usize].0),
            }
        };
        let lab = if rng.chance(25) {
            in_state(&mut rng)
        } else {
            None
        };
        let adopted = match status {
            "adopted" | "in_progress" | "solved" => in_state(&mut rng),
            "not_pursued" if rng.chance(30) => in_state(&mut rng),
            _ => None,
        };
        let held = status == "submitted" && rng.next() % 1000 < 20;
        let hidden = status != "draft" && !held && rng.next() % 1000 < 4;
        plans.push(Plan {
            status,
            state,
            lab,
            adopted,
            held,
            hidden,
            supports: 0,
            comments: 0,
        });
    }
    // Supports: a few needs with 100,000 and more (when there are accounts enough),
    // most with tens. Comments: a lighter tail; the most supported need has 500.
    let can_support: Vec<bool> = plans
        .iter()
        .map(|p| p.status != "draft" && !p.held)
        .collect();
    let can_comment: Vec<bool> = plans
        .iter()
        .map(|p| p.status != "draft" && !p.held)
        .collect();
    let top: Vec<usize> = (0..plans.len())
        .filter(|&i| can_support[i])
        .take(3)
        .collect();
    let tops: Vec<(usize, i64)> = top
        .iter()
        .zip([90, 70, 55])
        .map(|(&i, pct)| {
            // Spread over the ids: the first three eligible are moved to a random one.
            (i, n_accounts * pct / 100)
        })
        .collect();
    let supports = spread(
        &mut rng,
        &can_support,
        1.27,
        sizes.supports,
        n_accounts,
        &tops,
    );
    let big_index = (0..plans.len())
        .max_by_key(|&i| (supports[i], std::cmp::Reverse(i)))
        .ok_or("no needs")?;
    let big_comments = 500.min(sizes.comments as i64 / 10);
    let comments = spread(
        &mut rng,
        &can_comment,
        1.8,
        sizes.comments,
        3000,
        &[(big_index, big_comments)],
    );
    for (i, p) in plans.iter_mut().enumerate() {
        p.supports = supports[i];
        p.comments = comments[i];
    }
    // The most supported needs were planned first: move them to later places in time,
    // so the newest page is not made of them.
    for &(i, _) in &tops {
        let j = rng.range(i as i64, n_needs - 1) as usize;
        plans.swap(i, j);
    }
    // The most supported need is under discussion, listed and open.
    let big_index = (0..plans.len())
        .max_by_key(|&i| (plans[i].supports, std::cmp::Reverse(i)))
        .ok_or("no needs")?;
    {
        let p = &mut plans[big_index];
        p.status = "discussion";
        p.adopted = None;
        p.hidden = false;
    }

    // Write the needs.
    let mut batch = Batch::new(
        "INSERT INTO needs (id, title, body, body_html, affected, state_key, municipality, \
         lab_id, topic, missing, author_id, organization_id, status, adopted_lab_id, \
         contact_id, merged_into, support_count, comment_count, locked, hidden_reason, held, \
         submitted_at, last_activity, created_at, updated_at)",
    );
    let mut tx = db.begin().await?;
    let mut by_status: HashMap<&str, u64> = HashMap::new();
    let mut per_state = vec![0u64; STATES.len()];
    let mut per_lab: HashMap<i64, u64> = HashMap::new();
    for (k, p) in plans.iter().enumerate() {
        let id = k as i64 + 1;
        if id % 400 == 0 {
            batch.flush(&mut tx).await?;
        }
        if id % 20_000 == 0 {
            codefor_storage::commit(tx).await?;
            tx = db.begin().await?;
        }
        *by_status.entry(p.status).or_default() += 1;
        let listed = p.status != "draft" && !p.held && !p.hidden;
        if let Some(st) = p.state
            && listed
        {
            per_state[st] += 1;
        }
        let adopted = p.adopted.filter(|a| Some(*a) != p.lab);
        for lab in [p.lab, adopted].into_iter().flatten() {
            *per_lab.entry(lab).or_default() += u64::from(listed);
        }
        let (city, _) = match p.state {
            Some(st) => *rng.pick(STATES[st].2),
            None => ("", ""),
        };
        let title = if city.is_empty() {
            format!("{}? ({id})", rng.pick(&TITLES))
        } else {
            format!("{} in {city}? ({id})", rng.pick(&TITLES))
        };
        let mut md = String::new();
        let mut html = String::new();
        for _ in 0..rng.range(1, 3) {
            let mut para = String::new();
            for _ in 0..rng.range(2, 5) {
                if !para.is_empty() {
                    para.push(' ');
                }
                para.push_str(rng.pick::<&str>(&SENTENCES));
            }
            if !md.is_empty() {
                md.push_str("\n\n");
                html.push('\n');
            }
            md.push_str(&para);
            html.push_str(&format!("<p>{para}</p>"));
        }
        let submitted = t0 + id * step;
        let last = submitted + ((now - submitted) as f64 * rng.unit().sqrt()) as i64;
        let draft = p.status == "draft";
        let merged_into = (p.status == "merged" && id > 1).then(|| rng.range(1, id - 1));
        let row = format!(
            "({id}, {}, {}, {}, {}, {}, {}, {}, '{}', {}, {}, {}, '{}', {}, {}, {}, {}, {}, {}, \
             {}, {}, {}, '{}', '{}', '{}')",
            text(&title),
            text(&md),
            text(&html),
            text(rng.pick::<&str>(&AFFECTED)),
            opt_text(p.state.map(|s| STATES[s].0)),
            text(city),
            opt(p.lab),
            rng.weighted(&THEME_WEIGHTS),
            if rng.chance(50) {
                text(rng.pick::<&str>(&MISSING))
            } else {
                "''".to_owned()
            },
            rng.range(1, n_accounts),
            opt((n_orgs > 0 && rng.chance(5)).then(|| rng.range(1, n_orgs))),
            p.status,
            opt(p.adopted),
            opt(p.adopted.map(|_| rng.range(1, n_accounts))),
            opt(merged_into),
            p.supports,
            // The total for now: the comments are generated from it, then it becomes
            // the count of public ones.
            p.comments,
            i64::from(listed && rng.next().is_multiple_of(100)),
            opt_text(p.hidden.then_some("Verstößt gegen den Verhaltenskodex.")),
            i64::from(p.held),
            if draft {
                "NULL".to_owned()
            } else {
                text(&iso(submitted))
            },
            iso(if draft { submitted } else { last }),
            iso(submitted - 3600),
            iso(last),
        );
        batch.rows.push(row);
    }
    batch.flush(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    lap(&format!("{} needs", batch.written), &mut clock);

    // Supports: consecutive accounts from an offset per need. The index by account is
    // built after the load, by sorting.
    let mut tx = db.begin().await?;
    if sql.pg {
        exec(
            &mut tx,
            "SET LOCAL session_replication_role = replica; \
             SET LOCAL maintenance_work_mem = '1GB'"
                .to_owned(),
        )
        .await?;
    }
    exec(&mut tx, "DROP INDEX need_supports_account".to_owned()).await?;
    let (join, cond) = sql.series("n.support_count");
    let chunk = 10_000;
    let mut written_supports = 0;
    for from in (1..=n_needs).step_by(chunk) {
        let to = from + chunk as i64 - 1;
        written_supports += exec(
            &mut tx,
            format!(
                "INSERT INTO need_supports (need_id, account_id, created_at) \
                 SELECT n.id, (n.id * 7919 + s.i) % {n_accounts} + 1, n.submitted_at \
                 FROM needs n {join} WHERE {cond} AND n.id BETWEEN {from} AND {to} \
                 AND n.support_count > 0"
            ),
        )
        .await?;
    }
    exec(
        &mut tx,
        "CREATE INDEX need_supports_account ON need_supports (account_id)".to_owned(),
    )
    .await?;
    codefor_storage::commit(tx).await?;
    lap(&format!("{written_supports} supports"), &mut clock);

    // Comments: threads of the shapes above, times spread from the need's submission
    // to now, about 1 % hidden by moderators and 0.2 % held for review.
    let mut parent = String::from("CASE x.shape * 8 + x.t");
    let mut depth = String::from("CASE x.shape * 8 + x.t");
    for (s, shape) in SHAPES.iter().enumerate() {
        for (t, (p, d)) in shape.iter().enumerate() {
            let key = s * 8 + t;
            if let Some(p) = p {
                parent.push_str(&format!(" WHEN {key} THEN x.block + {p}"));
            }
            depth.push_str(&format!(" WHEN {key} THEN {d}"));
        }
    }
    parent.push_str(" END");
    depth.push_str(" END");
    let sentence = |salt: u64| case_of(&hash("y.g", salt, 32), &COMMENT_SENTENCES);
    let (join, cond) = sql.series("b.cnt");
    let mut tx = db.begin().await?;
    let written_comments = exec(
        &mut tx,
        format!(
            "INSERT INTO need_comments (id, need_id, parent_id, depth, author_id, body, \
             body_html, hidden_reason, held, created_at) \
             SELECT x.g, x.need, {parent}, {depth}, x.author, x.body, \
             '<p>' || x.body || '</p>', \
             CASE WHEN x.r < 10 THEN 'Beleidigend; von der Moderation ausgeblendet.' END, \
             CASE WHEN x.r >= 10 AND x.r < 12 THEN 1 ELSE 0 END, {} \
             FROM (SELECT y.*, {} || CASE WHEN y.len > 1 THEN ' ' || {} ELSE '' END \
                   || CASE WHEN y.len > 2 THEN ' ' || {} ELSE '' END \
                   || CASE WHEN y.len > 3 THEN ' ' || {} ELSE '' END AS body \
                   FROM (SELECT b.base + s.i AS g, b.id AS need, b.cnt, s.i AS k, \
                         (s.i - 1) % 8 AS t, b.base + s.i - (s.i - 1) % 8 AS block, \
                         {} AS shape, {} AS r, 1 + {} AS len, \
                         ((b.base + s.i) * 2654435761) % {n_accounts} + 1 AS author, \
                         {t0} + b.id * {step} AS at \
                         FROM (SELECT id, comment_count AS cnt, \
                               CAST(SUM(comment_count) OVER (ORDER BY id) AS BIGINT) - comment_count AS base \
                               FROM needs WHERE comment_count > 0) b \
                         {join} WHERE {cond}) y) x",
            sql.iso(&format!("x.at + x.k * (({now} - x.at) / (x.cnt + 1))")),
            sentence(1_103_515_245),
            sentence(22_695_477),
            sentence(134_775_813),
            sentence(214_013),
            hash("(b.base + s.i - (s.i - 1) % 8)", 69_069, 4),
            hash("(b.base + s.i)", 1_664_525, 1000),
            hash("(b.base + s.i)", 48_271, 4),
        ),
    )
    .await?;
    // Each need's count of public comments.
    exec(
        &mut tx,
        "UPDATE needs SET comment_count = (SELECT COUNT(*) FROM need_comments c \
         WHERE c.need_id = needs.id AND c.held = 0 AND c.hidden_reason IS NULL) \
         WHERE comment_count > 0"
            .to_owned(),
    )
    .await?;
    codefor_storage::commit(tx).await?;
    lap(&format!("{written_comments} comments"), &mut clock);

    // The status history, follows, project links, reports.
    let mut tx = db.begin().await?;
    if sql.pg {
        exec(
            &mut tx,
            "SET LOCAL session_replication_role = replica".to_owned(),
        )
        .await?;
    }
    let steps: [(&str, &str, &str); 7] = [
        (
            "submitted",
            "status <> 'draft'",
            "Eingereicht und öffentlich.",
        ),
        (
            "discussion",
            "status IN ('discussion', 'adopted', 'in_progress', 'solved') \
             OR (status IN ('not_pursued', 'merged') AND id % 2 = 0)",
            "Wir sammeln Hinweise und Ideen.",
        ),
        (
            "adopted",
            "adopted_lab_id IS NOT NULL",
            "Das Lab nimmt sich des Bedürfnisses an und sucht Mitstreitende.",
        ),
        (
            "in_progress",
            "status IN ('in_progress', 'solved')",
            "Ein Projekt ist entstanden, die Arbeit hat begonnen.",
        ),
        (
            "solved",
            "status = 'solved'",
            "Gelöst: das Projekt ist online.",
        ),
        (
            "not_pursued",
            "status = 'not_pursued'",
            "Wir verfolgen das nicht weiter: die Daten sind nicht zu bekommen.",
        ),
        (
            "merged",
            "status = 'merged'",
            "Zusammengeführt mit einem gleichartigen Bedürfnis.",
        ),
    ];
    let mut events = 0;
    for (status, which, reason) in steps {
        let (lab, actor, at) = match status {
            "submitted" => ("NULL", "author_id", "submitted_at"),
            "discussion" => ("NULL", "contact_id", "submitted_at"),
            _ => ("adopted_lab_id", "contact_id", "last_activity"),
        };
        events += exec(
            &mut tx,
            format!(
                "INSERT INTO need_events (need_id, status, reason, lab_id, actor_id, actor_name, \
                 created_at) SELECT id, '{status}', {}, {lab}, {actor}, \
                 COALESCE((SELECT display_name FROM accounts a WHERE a.id = {actor}), \
                 'Moderation'), {at} FROM needs WHERE ({which}) AND submitted_at IS NOT NULL \
                 ORDER BY id",
                text(reason)
            ),
        )
        .await?;
    }
    let mut follows = exec(
        &mut tx,
        "INSERT INTO need_follows (need_id, account_id, created_at) \
         SELECT id, author_id, created_at FROM needs WHERE author_id IS NOT NULL"
            .to_owned(),
    )
    .await?;
    follows += exec(
        &mut tx,
        "INSERT INTO need_follows (need_id, account_id, created_at) \
         SELECT need_id, account_id, created_at FROM need_supports \
         WHERE (account_id * 7 + need_id) % 10 = 0 ON CONFLICT DO NOTHING"
            .to_owned(),
    )
    .await?;
    let mut links = exec(
        &mut tx,
        format!(
            "INSERT INTO need_projects (need_id, project_id, created_at) \
             SELECT id, (id * 7919) % {n_projects} + 1, last_activity FROM needs \
             WHERE status IN ('in_progress', 'solved')"
        ),
    )
    .await?;
    links += exec(
        &mut tx,
        format!(
            "INSERT INTO need_projects (need_id, project_id, created_at) \
             SELECT id, (id * 104729) % {n_projects} + 1, last_activity FROM needs \
             WHERE status IN ('in_progress', 'solved') AND id % 3 = 0 ON CONFLICT DO NOTHING"
        ),
    )
    .await?;
    let reports = exec(
        &mut tx,
        format!(
            "INSERT INTO reports (need_id, comment_id, reporter_id, reason, created_at, \
         resolved_at, outcome) SELECT need_id, id, author_id % {n_accounts} + 1, 'Beleidigend.', created_at, \
         created_at, 'hidden' FROM need_comments WHERE hidden_reason IS NOT NULL"
        ),
    )
    .await?;
    codefor_storage::commit(tx).await?;
    lap(
        &format!("{events} events, {follows} follows, {links} project links, {reports} reports"),
        &mut clock,
    );

    // The needs the benchmarks open, and a supporter of each, signed in.
    let listed = |p: &Plan| p.status != "draft" && !p.held && !p.hidden;
    let big = big_index;
    let longest = (0..plans.len())
        .filter(|&i| i != big && listed(&plans[i]))
        .max_by_key(|&i| (plans[i].comments, std::cmp::Reverse(i)))
        .ok_or("no listed need")?;
    let med_s = median(
        plans
            .iter()
            .filter(|p| listed(p))
            .map(|p| p.supports)
            .collect(),
    );
    let med_c = median(
        plans
            .iter()
            .filter(|p| listed(p))
            .map(|p| p.comments)
            .collect(),
    );
    let typical = (0..plans.len())
        .filter(|&i| plans[i].status == "discussion" && listed(&plans[i]) && i != big)
        .min_by_key(|&i| {
            (
                (plans[i].supports - med_s).abs() + 10 * (plans[i].comments - med_c).abs(),
                i,
            )
        })
        .ok_or("no typical need")?;
    let mut chosen = Vec::new();
    let mut tx = db.begin().await?;
    for (n, index) in [big, typical, longest].into_iter().enumerate() {
        let id = index as i64 + 1;
        let (supports, comments): (i64, i64) =
            sqlx::query_as("SELECT support_count, comment_count FROM needs WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        let account = first_supporter(id, n_accounts);
        let token = format!("{:02x}", 0xb0 + n).repeat(32);
        let hash = codefor_core::secrets::token_hash(&token);
        let unix = now;
        exec(
            &mut tx,
            format!(
                "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, \
                 expires_at, last_seen_at) VALUES ('{hash}', {account}, '{}', {unix}, {}, \
                 {unix})",
                "ab".repeat(16),
                unix + 7 * 86_400
            ),
        )
        .await?;
        // A supporter follows, and has notifications (a fifth of them unread).
        exec(
            &mut tx,
            format!(
                "INSERT INTO need_follows (need_id, account_id, created_at) VALUES \
                 ({id}, {account}, '{created}') ON CONFLICT DO NOTHING"
            ),
        )
        .await?;
        let (join, cond) = sql.rows("300");
        exec(
            &mut tx,
            format!(
                "INSERT INTO notifications (account_id, need_id, kind, actor_name, summary, \
                 path, created_at, read_at, mailed_at) \
                 SELECT {account}, {id}, 'comment', 'Anna K.', 'hat kommentiert', \
                 '/beduerfnisse/{id}/#kommentar-' || s.i, '{created}', \
                 CASE WHEN s.i % 5 = 0 THEN NULL ELSE '{created}' END, '{created}' \
                 FROM {join} WHERE {cond}"
            ),
        )
        .await?;
        chosen.push(Chosen {
            id,
            supports,
            comments,
            account,
            session: token,
        });
    }
    codefor_storage::bump_content_version(&mut tx).await?;
    if !sql.pg {
        exec(&mut tx, "DROP TABLE bench_series".to_owned()).await?;
    }
    codefor_storage::commit(tx).await?;

    // Every count on the needs' rows equals its rows.
    let wrong: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM needs n WHERE n.support_count <> \
         (SELECT COUNT(*) FROM need_supports s WHERE s.need_id = n.id)",
    )
    .fetch_one(db.pool())
    .await?;
    let threads: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM need_comments c LEFT JOIN need_comments p ON p.id = c.parent_id \
         WHERE (c.parent_id IS NULL AND c.depth <> 0) OR (c.parent_id IS NOT NULL AND \
         (p.id IS NULL OR p.need_id <> c.need_id OR c.depth <> p.depth + 1 OR c.depth > 6))",
    )
    .fetch_one(db.pool())
    .await?;
    if wrong != 0 || threads != 0 {
        return Err(format!(
            "{wrong} needs count their supports wrong, {threads} comments are misplaced"
        )
        .into());
    }
    lap("checks", &mut clock);

    if sql.pg {
        for table in [
            "accounts",
            "organizations",
            "projects",
            "needs",
            "need_comments",
        ] {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            );
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(db.pool())
                .await?;
        }
        // What autovacuum does within a minute or two of a load like this one.
        sqlx::raw_sql("VACUUM ANALYZE").execute(db.pool()).await?;
        lap("VACUUM ANALYZE", &mut clock);
    }

    // What was generated.
    let (land, land_count) = per_state
        .iter()
        .enumerate()
        .max_by_key(|(i, n)| (**n, std::cmp::Reverse(*i)))
        .map(|(i, n)| (i, *n))
        .unwrap_or((4, 0));
    let state = codefor_domain::states::by_key(STATES[land].0).ok_or("unknown state key")?;
    let (lab_id, lab_count) = per_lab
        .iter()
        .filter(|(id, _)| labs[(**id - first_lab) as usize].2 == land)
        .max_by_key(|(id, n)| (**n, std::cmp::Reverse(**id)))
        .map(|(id, n)| (*id, *n))
        .unwrap_or((first_lab, 0));
    let lab = &labs[(lab_id - first_lab) as usize];
    let listed_total = plans.iter().filter(|p| listed(p)).count() as u64;
    let deep_page = (listed_total / PER_PAGE as u64).clamp(1, 200) as u32;
    let mut s: Vec<i64> = plans.iter().map(|p| p.supports).collect();
    s.sort_unstable_by(|a, b| b.cmp(a));
    let hundred_k = s.iter().filter(|&&n| n >= 100_000).count();
    let mut c: Vec<i64> = plans.iter().map(|p| p.comments).collect();
    c.sort_unstable_by(|a, b| b.cmp(a));
    let mut statuses: Vec<String> = STATUSES
        .iter()
        .map(|(k, _)| format!("{} {k}", by_status.get(k).copied().unwrap_or(0)))
        .collect();
    statuses.push(format!(
        "{} held, {} hidden",
        plans.iter().filter(|p| p.held).count(),
        plans.iter().filter(|p| p.hidden).count()
    ));
    let sizes_note = if sql.pg {
        let mut parts = Vec::new();
        for table in ["needs", "need_supports", "need_comments"] {
            let (heap, total): (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT pg_relation_size('{table}'), pg_total_relation_size('{table}')"
            )))
            .fetch_one(db.pool())
            .await?;
            parts.push(format!(
                "{table} {} MB ({} MB with indexes)",
                heap >> 20,
                total >> 20
            ));
        }
        parts.join(", ")
    } else {
        let (pages, size): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT page_count FROM pragma_page_count()), \
             (SELECT page_size FROM pragma_page_size())",
        )
        .fetch_one(db.pool())
        .await?;
        format!("database file {} MB", (pages * size) >> 20)
    };
    let summary = format!(
        "{} labs, {} accounts, {} organizations, {} projects; {} needs ({}), {} listed; \
         supports: {} in all, most {:?}, {} with 100,000 or more, median of the listed {}; \
         comments: {} in all, most {:?}, median of the listed {}; {}; ?land={} has {} listed \
         needs, lab {} is named by or adopted {} of them",
        labs.len(),
        n_accounts,
        n_orgs,
        n_projects,
        plans.len(),
        statuses.join(", "),
        listed_total,
        written_supports,
        &s[..s.len().min(5)],
        hundred_k,
        med_s,
        written_comments,
        &c[..c.len().min(5)],
        med_c,
        sizes_note,
        state.slug,
        land_count,
        lab.1,
        lab_count,
    );
    let mut chosen = chosen.into_iter();
    let (Some(big), Some(typical), Some(longest)) = (chosen.next(), chosen.next(), chosen.next())
    else {
        return Err("no chosen needs".into());
    };
    Ok(Generated {
        summary,
        phases: phases.join(", "),
        big,
        typical,
        longest,
        land_slug: state.slug.to_owned(),
        land_key: state.key.to_owned(),
        lab_slug: lab.1.clone(),
        lab_id,
        lab_state: STATES[lab.2].0.to_owned(),
        deep_page,
    })
}
