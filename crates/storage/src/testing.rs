//! Fresh databases for tests, on the backend the test run asks for.
//!
//! `CODEFOR_TEST_DATABASE_URL` unset or `sqlite:` → a new SQLite file per database;
//! `postgres://…` → a new database on that server per call (named
//! `codefor_test_<pid>_<n>`), so tests run in parallel without sharing state.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{Backend, Db, DbError};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The environment variable that selects the backend of a test run.
pub const ENV: &str = "CODEFOR_TEST_DATABASE_URL";

/// A database for one test. Dropping it removes the SQLite file, or drops the
/// PostgreSQL database, so a long test run leaves nothing behind.
#[derive(Debug)]
pub struct TestDb {
    pub db: Db,
    pub url: String,
    file: Option<PathBuf>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(file) = &self.file {
            for suffix in ["", "-wal", "-shm"] {
                let mut p = file.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(p);
            }
        } else if let (Ok(server), Some((_, name))) =
            (std::env::var(ENV), self.url.rsplit_once('/'))
        {
            // Drop runs inside the test's runtime, which cannot be blocked on: a thread of
            // its own does the asynchronous work. Best effort; the cluster is thrown away
            // at the end of a run anyway.
            let name = name.to_owned();
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async {
                    if let Ok(mut admin) =
                        <sqlx::AnyConnection as sqlx::Connection>::connect(&server).await
                    {
                        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
                            .execute(&mut admin)
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// Which backend this test run uses, for messages.
pub fn backend() -> Backend {
    match std::env::var(ENV) {
        Ok(url) if url.starts_with("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

/// A URL for a brand-new, empty database (not yet migrated).
pub async fn fresh_url() -> Result<(String, Option<PathBuf>), DbError> {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let pid = std::process::id();
    match std::env::var(ENV) {
        Ok(server) if server.starts_with("postgres") => {
            sqlx::any::install_default_drivers();
            let name = format!("codefor_test_{pid}_{n}");
            let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&server)
                .await
                .map_err(|e| DbError::Connect(format!("{}: {e}", crate::redact(&server))))?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name}"
            )))
            .execute(&mut admin)
            .await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut admin)
                .await?;
            let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(&server);
            Ok((format!("{base}/{name}"), None))
        }
        _ => {
            let file = std::env::temp_dir().join(format!("codefor-test-{pid}-{n}.db"));
            let _ = std::fs::remove_file(&file);
            Ok((format!("sqlite://{}", file.display()), Some(file)))
        }
    }
}

/// A fresh, migrated database.
pub async fn fresh() -> Result<TestDb, DbError> {
    let (url, file) = fresh_url().await?;
    let db = Db::connect(&url).await?;
    Ok(TestDb { db, url, file })
}

/// Makes every session of an account expired (for tests of session expiry).
pub async fn expire_sessions(conn: &mut crate::Connection, account_id: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE sessions SET expires_at = 0 WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
