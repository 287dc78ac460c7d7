//! What the benches share: the scratch database, requests through the whole router,
//! criterion groups that keep every timed call, the median/p95 table, and a seeded
//! random number generator. Each bench includes this module (`mod support;`) and uses
//! a part of it.
#![allow(dead_code)]

use std::future::Future;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use codefor_storage::Db;
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode};
use tower::ServiceExt;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Runs `bench` on a fresh scratch database (see [`Scratch`]) and removes it afterwards;
/// a failure ends the process with status 1. `name` names the bench in messages and
/// the SQLite file.
pub fn main_of(
    name: &str,
    bench: impl FnOnce(&tokio::runtime::Runtime, &Db, &str) -> Result<(), BoxError>,
) {
    let outcome = (|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let scratch = rt.block_on(Scratch::create(name))?;
        let outcome = bench(&rt, &scratch.db, &scratch.label);
        rt.block_on(scratch.remove());
        outcome
    })();
    if let Err(e) = outcome {
        eprintln!("{name} bench failed: {e}");
        std::process::exit(1);
    }
}

/// Whether criterion measures (`cargo bench` passes `--bench`), or this is the smoke
/// run of `cargo test --all-targets`, which runs every benchmark once.
pub fn measuring() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// An integer setting from the environment, or `default`.
pub fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A criterion group with `samples` flat samples, 1 s of warm-up and 4 s of measuring.
pub fn group<'a>(c: &'a mut Criterion, name: &str, samples: usize) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(samples)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    g
}

/// One benchmark's calls, for the median/p95 table.
pub struct Row {
    pub name: String,
    pub times: Vec<Duration>,
    /// What the last call returned: response bytes, or a count.
    pub size: usize,
}

/// Benchmarks `call` in `g` and keeps the time of every call (criterion's warm-up
/// included) in `rows`.
pub fn measure<F, Fut>(
    g: &mut BenchmarkGroup<'_, WallTime>,
    rt: &tokio::runtime::Runtime,
    rows: &mut Vec<Row>,
    name: &str,
    mut call: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = usize>,
{
    let mut times = Vec::new();
    let mut size = 0;
    g.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let started = Instant::now();
                size = std::hint::black_box(rt.block_on(call()));
                let took = started.elapsed();
                total += took;
                times.push(took);
            }
            total
        });
    });
    if !times.is_empty() {
        rows.push(Row {
            name: name.to_owned(),
            times,
            size,
        });
    }
}

/// Prints the median, p95 and fastest call of every row as a Markdown table.
pub fn print_table(label: &str, rows: &[Row]) {
    if rows.is_empty() {
        return;
    }
    println!("\nEvery timed call ({label}), criterion's warm-up included:\n");
    println!("| what | calls | median [ms] | p95 [ms] | fastest [ms] | bytes or count |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for row in rows {
        let mut t = row.times.clone();
        t.sort();
        let at = |q: f64| {
            let i = ((t.len() as f64 * q).ceil() as usize).clamp(1, t.len()) - 1;
            t[i].as_secs_f64() * 1000.0
        };
        println!(
            "| {} | {} | {:.1} | {:.1} | {:.1} | {} |",
            row.name,
            t.len(),
            at(0.5),
            at(0.95),
            t[0].as_secs_f64() * 1000.0,
            row.size
        );
    }
}

/// A GET through the whole router, as an anonymous visitor; returns the body's size.
pub async fn get(app: &Router, uri: impl AsRef<str>) -> usize {
    get_as(app, uri, None).await
}

/// A GET through the whole router with this session cookie (a signed-in person), or
/// none; returns the body's size. Anything but a 200 with a body of 1,000 bytes or
/// more panics: the benchmark would time an error page.
pub async fn get_as(app: &Router, uri: impl AsRef<str>, session: Option<&str>) -> usize {
    let uri = uri.as_ref();
    let mut request = Request::builder()
        .uri(uri)
        .header(header::HOST, "codefor.bench");
    if let Some(token) = session {
        request = request.header(header::COOKIE, format!("codefor_session={token}"));
    }
    let request = match request.body(Body::empty()) {
        Ok(r) => r,
        Err(e) => panic!("{uri}: {e}"),
    };
    let response = match app.clone().oneshot(request).await {
        Ok(r) => r,
        Err(e) => match e {},
    };
    let status = response.status();
    let body = match axum::body::to_bytes(response.into_body(), usize::MAX).await {
        Ok(b) => b,
        Err(e) => panic!("{uri}: {e}"),
    };
    if status != StatusCode::OK || body.len() < 1000 {
        panic!(
            "{uri}: {status}, {} bytes: {}",
            body.len(),
            String::from_utf8_lossy(&body[..body.len().min(500)])
        );
    }
    body.len()
}

/// The scratch database: an SQLite file in `$TMPDIR`, or a database
/// `codefor_bench_<pid>` on the PostgreSQL server `CODEFOR_BENCH_DATABASE_URL` names.
/// Removed at the end unless `BENCH_KEEP` is set.
pub struct Scratch {
    pub db: Db,
    pub label: String,
    file: Option<std::path::PathBuf>,
    server: Option<(String, String)>,
}

impl Scratch {
    pub async fn create(bench: &str) -> Result<Scratch, BoxError> {
        let pid = std::process::id();
        match std::env::var("CODEFOR_BENCH_DATABASE_URL") {
            Ok(server) if server.starts_with("postgres") => {
                sqlx::any::install_default_drivers();
                let name = format!("codefor_bench_{pid}");
                let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&server).await?;
                for sql in [
                    format!("DROP DATABASE IF EXISTS {name}"),
                    format!("CREATE DATABASE {name}"),
                ] {
                    sqlx::query(sqlx::AssertSqlSafe(sql))
                        .execute(&mut admin)
                        .await?;
                }
                let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(&server);
                let db = Db::connect(&format!("{base}/{name}")).await?;
                Ok(Scratch {
                    db,
                    label: format!("PostgreSQL, database {name}"),
                    file: None,
                    server: Some((server.clone(), name)),
                })
            }
            _ => {
                let file = std::env::temp_dir().join(format!("codefor-bench-{bench}-{pid}.db"));
                remove_sqlite(&file);
                let db = Db::connect(&format!("sqlite://{}", file.display())).await?;
                Ok(Scratch {
                    db,
                    label: format!("SQLite file {}", file.display()),
                    file: Some(file),
                    server: None,
                })
            }
        }
    }

    pub async fn remove(self) {
        self.db.close().await;
        if std::env::var_os("BENCH_KEEP").is_some() {
            println!("BENCH_KEEP: the database stays ({})", self.label);
            return;
        }
        if let Some(file) = &self.file {
            remove_sqlite(file);
        }
        if let Some((server, name)) = &self.server
            && let Ok(mut admin) = <sqlx::AnyConnection as sqlx::Connection>::connect(server).await
        {
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut admin)
                .await
            {
                eprintln!("could not drop the scratch database {name}: {e}");
            }
        }
    }
}

fn remove_sqlite(file: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = file.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}

/// SplitMix64: the same data for the same seed, without a dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// In `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo + 1) as u64)) as i64
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }

    /// One of `items`, by the weights beside them.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u64)]) -> &'a T {
        let total: u64 = items.iter().map(|i| i.1).sum();
        let mut w = self.next() % total.max(1);
        for (item, weight) in items {
            if w < *weight {
                return item;
            }
            w -= weight;
        }
        &items[0].0
    }

    /// In `(0, 1]`.
    pub fn unit(&mut self) -> f64 {
        ((self.next() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }
}
