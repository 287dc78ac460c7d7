//! The open-data API at scale: `/api/v1/projects` over 100,000 projects in 200 labs —
//! the first page, a deep page through its cursor, a filtered page — and the whole
//! projects CSV. In-process through the whole router (`codefor_web::app`, every layer)
//! with `tower::ServiceExt::oneshot`, as `catalog.rs` does.
//!
//! ```text
//! cargo bench -p codefor-web --bench api                  # SQLite file in $TMPDIR
//! CODEFOR_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:54341/postgres \
//!     cargo bench -p codefor-web --bench api              # a scratch database there
//! ```
//!
//! Settings: `BENCH_PROJECTS` (100000), `BENCH_LABS` (200); under `cargo test` (a smoke
//! run, once each) 300 projects and 10 labs, and the pages are checked to walk the whole
//! list. Rows are written with multi-row `INSERT`s of literal values.

use std::time::Instant;

use codefor_storage::{Backend, Db, Tx};
use criterion::Criterion;
use support::{BoxError, Row, get, group, measure, print_table, setting};

mod support;

fn main() {
    support::main_of("api", bench_all);
}

const THEMES: [&str; 4] = ["umwelt", "mobilitaet", "daten", "bildung"];
const STATUSES: [&str; 4] = ["concept", "development", "beta", "stable"];

fn bench_all(rt: &tokio::runtime::Runtime, db: &Db, label: &str) -> Result<(), BoxError> {
    let measuring = support::measuring();
    let projects = setting("BENCH_PROJECTS", if measuring { 100_000 } else { 300 });
    let labs = setting("BENCH_LABS", if measuring { 200 } else { 10 });
    let started = Instant::now();
    rt.block_on(generate(db, projects, labs))?;
    println!(
        "api bench: {label}; {projects} projects in {labs} labs generated in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let app = codefor_web::app(codefor_web::AppState::new(
        db.clone(),
        codefor_web::Config::default(),
    ));
    // The cursor of a page deep in the list: after the project in the middle.
    let middle = format!("projekt-{:07}", projects / 2);
    let deep = format!(
        "/api/v1/projects?after={}",
        codefor_core::open_data::encode_cursor(&middle)
    );
    if !measuring {
        rt.block_on(check_walk(&app, projects))?;
    }
    let mut criterion = Criterion::default().configure_from_args();
    let mut rows: Vec<Row> = Vec::new();
    {
        let mut g = group(&mut criterion, "api", 10);
        let app = &app;
        measure(
            &mut g,
            rt,
            &mut rows,
            "GET /api/v1/projects (first page of 50)",
            || get(app, "/api/v1/projects"),
        );
        measure(
            &mut g,
            rt,
            &mut rows,
            "GET /api/v1/projects?after=<middle>",
            || get(app, deep.clone()),
        );
        measure(
            &mut g,
            rt,
            &mut rows,
            "GET /api/v1/projects?theme=umwelt&status=stable&limit=200",
            || get(app, "/api/v1/projects?theme=umwelt&status=stable&limit=200"),
        );
        g.finish();
    }
    {
        let mut g = group(&mut criterion, "api-csv", 10);
        let app = &app;
        measure(
            &mut g,
            rt,
            &mut rows,
            "GET /api/v1/projects.csv (all)",
            || get(app, "/api/v1/projects.csv"),
        );
        g.finish();
    }
    criterion.final_summary();
    print_table(label, &rows);
    Ok(())
}

/// The smoke run walks the whole list through `links.next` and finds every project.
async fn check_walk(app: &axum::Router, projects: u64) -> Result<(), BoxError> {
    use tower::ServiceExt;
    let mut uri = "/api/v1/projects?limit=7".to_owned();
    let mut seen = 0;
    loop {
        let request = axum::http::Request::builder()
            .uri(&uri)
            .header("host", "codefor.bench")
            .body(axum::body::Body::empty())?;
        let response = app.clone().oneshot(request).await?;
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
        let page: serde_json::Value = serde_json::from_slice(&body)?;
        seen += page["data"].as_array().map_or(0, Vec::len) as u64;
        match page["links"]["next"].as_str() {
            Some(next) => uri = next.trim_start_matches("http://codefor.bench").to_owned(),
            None => break,
        }
    }
    if seen != projects {
        return Err(format!("walked {seen} projects of {projects}").into());
    }
    Ok(())
}

async fn flush(tx: &mut Tx, head: &str, rows: &mut Vec<String>) -> Result<(), BoxError> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = format!("{head} VALUES {}", rows.join(","));
    // Only generated literals make up `sql`.
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut **tx)
        .await?;
    rows.clear();
    Ok(())
}

async fn generate(db: &Db, projects: u64, labs: u64) -> Result<(), BoxError> {
    let now = "2026-11-27T00:00:00Z";
    let mut tx = db.begin().await?;
    let mut rows = Vec::new();
    for i in 1..=labs {
        rows.push(format!(
            "({i}, 'lab-{i}', 'OK Lab {i}', 'Stadt {i}', '{:02}', '', '', 1, 0, '{{}}', 'bench', \
             '{now}', '{now}')",
            i % 16 + 1
        ));
    }
    flush(
        &mut tx,
        "INSERT INTO labs (id, slug, name, city, state_key, body_md, body_html, active, hidden, \
         source_json, content_hash, created_at, updated_at)",
        &mut rows,
    )
    .await?;
    codefor_storage::commit(tx).await?;
    let mut tx = db.begin().await?;
    let (mut p, mut pl, mut pt) = (Vec::new(), Vec::new(), Vec::new());
    for i in 1..=projects {
        p.push(format!(
            "({i}, 'projekt-{i:07}', 'Projekt {i}', 'Worum es geht', 'Text', '<p>Text</p>', 0, \
             '2025-01-01', 'bench', '{now}', '{now}', '{}', 'MIT', '2025-06-01')",
            STATUSES[(i % 4) as usize]
        ));
        pl.push(format!("({i}, {})", i % labs + 1));
        pt.push(format!("({i}, '{}')", THEMES[(i / 4 % 4) as usize]));
        if i % 400 == 0 || i == projects {
            flush(
                &mut tx,
                "INSERT INTO projects (id, slug, title, summary, body_md, body_html, draft, \
                 date, content_hash, created_at, updated_at, development_status, license, \
                 last_activity)",
                &mut p,
            )
            .await?;
            flush(
                &mut tx,
                "INSERT INTO project_labs (project_id, lab_id)",
                &mut pl,
            )
            .await?;
            flush(
                &mut tx,
                "INSERT INTO project_themes (project_id, theme)",
                &mut pt,
            )
            .await?;
        }
        if i % 20_000 == 0 {
            codefor_storage::commit(tx).await?;
            tx = db.begin().await?;
        }
    }
    codefor_storage::commit(tx).await?;
    if db.backend() == Backend::Postgres {
        sqlx::raw_sql("VACUUM ANALYZE").execute(db.pool()).await?;
    }
    Ok(())
}
