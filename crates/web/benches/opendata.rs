//! The open-data files that are built whole: the dump (`core::dump::write`, the zip that
//! `codefor export opendata` and `/daten/opendata.zip` deliver) of the codefor.de fixture,
//! and the DCAT catalog (`core::dcat`) of 1,000 datasets — read and built, written as
//! Turtle, written as JSON-LD.
//!
//! ```text
//! cargo bench -p codefor-web --bench opendata                 # SQLite file in $TMPDIR
//! CODEFOR_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:54341/postgres \
//!     cargo bench -p codefor-web --bench opendata             # a scratch database there
//! ```
//!
//! The content is the fixture `../shared/fixtures/codefor.de` beside the checkout,
//! imported as `codefor import hugo` does; without it, the demo network (the label says
//! which). Then `BENCH_DATASETS` (1000; 20 under `cargo test`, the smoke run, once each)
//! datasets with every field and two distributions are added to its first lab.

use std::io::Cursor;
use std::path::PathBuf;
use std::time::Instant;

use codefor_domain::datasets::{Distribution, Fields, licence_uri};
use codefor_storage::Db;
use criterion::Criterion;
use support::{BoxError, Row, group, measure, print_table, setting};

mod support;

fn main() {
    support::main_of("opendata", bench_all);
}

const ORIGIN: &str = "https://codefor.bench";

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/codefor.de")
}

fn bench_all(rt: &tokio::runtime::Runtime, db: &Db, label: &str) -> Result<(), BoxError> {
    let measuring = support::measuring();
    let datasets = setting("BENCH_DATASETS", if measuring { 1000 } else { 20 });
    let fixture = fixture_dir();
    let content = if fixture.join("content").is_dir() {
        rt.block_on(codefor_core::import::import_hugo(
            db,
            &fixture,
            false,
            &codefor_core::import::Quiet,
        ))?;
        "the codefor.de fixture"
    } else {
        rt.block_on(codefor_core::demo::seed(db))?;
        "the demo network (no fixture beside the checkout)"
    };
    println!("opendata bench: {label}; {content}");

    let mut criterion = Criterion::default().configure_from_args();
    let mut rows: Vec<Row> = Vec::new();
    {
        let mut g = group(&mut criterion, "opendata-dump", 10);
        measure(
            &mut g,
            rt,
            &mut rows,
            &format!("dump::write ({content}), zip bytes"),
            || async {
                let mut zip = Cursor::new(Vec::new());
                let written = codefor_core::dump::write(db, ORIGIN, &mut zip).await;
                if let Err(e) = written {
                    panic!("the dump failed: {e}");
                }
                zip.into_inner().len()
            },
        );
        g.finish();
    }

    let started = Instant::now();
    rt.block_on(add_datasets(db, datasets))?;
    println!(
        "opendata bench: {datasets} datasets added in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let triples = rt.block_on(codefor_core::dcat::catalog(db, ORIGIN))?;
    let turtle = codefor_core::dcat::to_turtle(&triples)?;
    let jsonld = codefor_core::dcat::to_jsonld(&triples)?;
    println!(
        "opendata bench: the catalog has {} triples; Turtle {} bytes, JSON-LD {} bytes",
        triples.len(),
        turtle.len(),
        jsonld.len()
    );
    {
        let mut g = group(&mut criterion, "opendata-catalog", 10);
        measure(
            &mut g,
            rt,
            &mut rows,
            &format!("dcat::catalog, {datasets} datasets read and built, triples"),
            || async {
                match codefor_core::dcat::catalog(db, ORIGIN).await {
                    Ok(t) => t.len(),
                    Err(e) => panic!("the catalog failed: {e}"),
                }
            },
        );
        let triples = &triples;
        measure(
            &mut g,
            rt,
            &mut rows,
            "dcat::to_turtle of those triples, bytes",
            || async move {
                match codefor_core::dcat::to_turtle(triples) {
                    Ok(t) => t.len(),
                    Err(e) => panic!("Turtle failed: {e}"),
                }
            },
        );
        measure(
            &mut g,
            rt,
            &mut rows,
            "dcat::to_jsonld of those triples, bytes",
            || async move {
                match codefor_core::dcat::to_jsonld(triples) {
                    Ok(t) => t.len(),
                    Err(e) => panic!("JSON-LD failed: {e}"),
                }
            },
        );
        g.finish();
    }
    criterion.final_summary();
    print_table(label, &rows);
    Ok(())
}

/// `n` datasets with every field and two distributions, in the first lab.
async fn add_datasets(db: &Db, n: u64) -> Result<(), BoxError> {
    let labs = codefor_storage::labs::ids(db).await?;
    let lab = labs.first().ok_or("no lab to add datasets to")?.0;
    let mut tx = db.begin().await?;
    for i in 0..n {
        let fields = Fields {
            relation: "publishes".into(),
            title: format!("Messdatensatz {i}: Haltestellen „Nord“ & <Süd>"),
            description: format!(
                "Lage, Linien und Barrierefreiheit aller Haltestellen, Stand {i}.\nZweite Zeile."
            ),
            licence: licence_uri("dl-by-de/2.0"),
            themes: vec!["TRAN".into(), "REGI".into()],
            keywords: vec!["ÖPNV".into(), "Haltestellen".into(), format!("Satz {i}")],
            state_key: Some("01".into()),
            ags: Some("01002000".into()),
            temporal_start: Some("2024-01-01".into()),
            temporal_end: Some("2024-12-31".into()),
            contact_name: "Daten-Team".into(),
            contact_email: Some("daten@example.org".into()),
            contact_url: Some("https://example.org/kontakt".into()),
            landing_page: Some(format!("https://example.org/daten/{i}")),
            frequency: Some("MONTHLY".into()),
            issued: Some("2024-02-03".into()),
            modified: Some("2025-03-04T05:06:07Z".into()),
            distributions: vec![
                Distribution {
                    title: "CSV".into(),
                    access_url: format!("https://example.org/daten/{i}.csv"),
                    download_url: Some(format!("https://example.org/daten/{i}.csv")),
                    format: Some("CSV".into()),
                    media_type: Some("text/csv".into()),
                    licence: None,
                },
                Distribution {
                    title: "Schnittstelle".into(),
                    access_url: format!("https://example.org/api/{i}"),
                    download_url: None,
                    format: Some("JSON".into()),
                    media_type: Some("application/json".into()),
                    licence: Some(licence_uri("cc-zero")),
                },
            ],
            ..Fields::default()
        };
        codefor_storage::datasets::create(
            &mut tx,
            lab,
            &format!("messung-{i}"),
            &fields,
            "<p>Lage, Linien und Barrierefreiheit.</p>",
            None,
        )
        .await?;
    }
    codefor_storage::commit(tx).await?;
    Ok(())
}
