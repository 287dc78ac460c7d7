//! Fresh databases for tests, on the backend the test run asks for.
//!
//! `CODEFOR_TEST_DATABASE_URL` unset or `sqlite:` → a new SQLite file per database, in a
//! folder of the test process (`$TMPDIR/codefor-test-<pid>/`); `postgres://…` → a new
//! database on that server per call (named `codefor_test_<pid>_<n>`), so tests run in
//! parallel without sharing state.
//!
//! Databases a test keeps for the whole process (a shared server in a `static`) are never
//! dropped, so their files would outlive the run: the first database a process makes
//! therefore removes the folders of test processes that are no longer running.

use std::path::{Path, PathBuf};
use std::sync::Once;
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
            static SWEEP: Once = Once::new();
            let tmp = std::env::temp_dir();
            let dir = tmp.join(format!("{DIR_PREFIX}{pid}"));
            SWEEP.call_once(|| {
                sweep_finished_runs(&tmp);
                // An ended process with this number may have left its folder: nothing of
                // this process is in it yet.
                let _ = std::fs::remove_dir_all(&dir);
            });
            std::fs::create_dir_all(&dir)
                .map_err(|e| DbError::Connect(format!("{}: {e}", dir.display())))?;
            let file = dir.join(format!("{n}.db"));
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(dir.join(format!("{n}.db{suffix}")));
            }
            Ok((format!("sqlite://{}", file.display()), Some(file)))
        }
    }
}

/// The start of the name of a test process's folder of SQLite files.
const DIR_PREFIX: &str = "codefor-test-";

/// Removes the SQLite folders (and the loose files of earlier versions) of test processes
/// that have ended. Where a process cannot be asked after (no `/proc`), nothing is removed.
/// (Test runs in separate PID namespaces must not share one `$TMPDIR`: `scripts/test` gives
/// each run a folder of its own.)
fn sweep_finished_runs(tmp: &Path) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(DIR_PREFIX)) else {
            continue;
        };
        let pid: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let loose_file = rest.len() > pid.len() && rest[pid.len()..].starts_with('-');
        if pid.is_empty() || !(rest.len() == pid.len() || loose_file) {
            continue;
        }
        if proc.join(&pid).exists() {
            continue;
        }
        let path = entry.path();
        let _ = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_of_ended_runs_are_swept_and_running_ones_kept() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let own = tmp
            .path()
            .join(format!("{DIR_PREFIX}{}", std::process::id()));
        // No process has a number this large (Linux caps them at 2^22).
        let ended = tmp.path().join(format!("{DIR_PREFIX}999999999"));
        let loose = tmp.path().join(format!("{DIR_PREFIX}999999998-3.db-wal"));
        let other = tmp.path().join(format!("{DIR_PREFIX}boundary"));
        for dir in [&own, &ended, &other] {
            std::fs::create_dir_all(dir).expect("folder");
            std::fs::write(dir.join("1.db"), b"x").expect("file");
        }
        std::fs::write(&loose, b"x").expect("file");

        sweep_finished_runs(tmp.path());

        if Path::new("/proc/self").exists() {
            assert!(!ended.exists() && !loose.exists(), "ended runs are swept");
        }
        assert!(own.join("1.db").exists(), "this run keeps its files");
        assert!(other.exists(), "names that are not a run's are left alone");
    }
}
