//! Storage: the schema, its forward-only migrations, and every query, per area.
//!
//! One code path serves SQLite (the embedded default) and PostgreSQL (the scale-out
//! path): the backend is chosen by the URL scheme and reached through sqlx's `Any`
//! driver. SQL here therefore sticks to what both dialects share (`$1` parameters,
//! `ON CONFLICT`, `RETURNING`, integers for booleans); the two migration folders hold
//! the same schema in each dialect.
//!
//! Reads take a [`Db`]; writes take a connection inside a transaction ([`Db::begin`]),
//! so a use-case decides what is all-or-nothing.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub mod accounts;
pub mod attempts;
pub mod audit;
pub mod calendars;
pub mod catalog;
pub mod data_files;
pub mod datasets;
pub mod imports;
pub mod labs;
pub mod link_checks;
pub mod manifest;
pub mod media;
pub mod meetups;
pub mod memberships;
pub mod need_comments;
pub mod needs;
pub mod notifications;
pub mod open_data;
pub mod organizations;
pub mod pages;
pub mod people;
pub mod posts;
pub mod project_roles;
pub mod projects;
pub mod proposals;
pub mod redirects;
pub mod reports;
pub mod revisions;
pub mod sessions;
pub mod site;
pub mod states;
pub mod stats;
pub mod trash;
pub mod uploads;

pub mod testing;

mod batch;
mod error;
mod util;

pub use error::DbError;
pub use sqlx::AnyConnection as Connection;
pub use util::{Change, Tally};

/// A transaction; commit it with `tx.commit().await`, or drop it to roll back.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend named by a database URL's scheme.
    pub fn of_url(url: &str) -> Result<Backend, DbError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(DbError::Config(format!(
                "unsupported database URL `{}`: use sqlite://FILE or postgres://…",
                redact(url)
            )))
        }
    }
}

/// The database: a connection pool plus which backend it is.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl Db {
    /// Connects, creating an SQLite file when it does not exist, and applies pending
    /// migrations.
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let url = match backend {
            // `mode=rwc` creates the file on first start.
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)
            .map_err(|e| DbError::Config(format!("database URL `{}`: {e}", redact(&url))))?;
        let pool_options = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(8)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // A 16 KiB page (set before the file's first table; ignored after)
                        // means a quarter of the write calls for an import's blobs.
                        // Foreign keys are per connection in SQLite; WAL lets readers run
                            // beside the one writer; the busy timeout queues writers instead
                            // of failing them.
                            conn.execute(
                                "PRAGMA page_size = 16384; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                             PRAGMA synchronous = NORMAL;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
            }
            Backend::Postgres => AnyPoolOptions::new().max_connections(16),
        };
        let pool = pool_options
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| DbError::Connect(format!("{}: {e}", redact(&url))))?;
        if backend == Backend::Sqlite {
            // WAL is a property of the file: set once, it stays.
            pool.execute("PRAGMA journal_mode = WAL;").await?;
        }
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&pool)
            .await
            .map_err(|e| DbError::Migrate(e.to_string()))?;
        Ok(Db { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a transaction: every write of a use-case goes through one.
    ///
    /// On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`): a transaction that
    /// reads first and writes later would otherwise fail with "database is locked" when
    /// another writer committed in between, instead of waiting its turn.
    pub async fn begin(&self) -> Result<Tx, DbError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Liveness: the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// True when the database holds no content yet (no lab, project, post or page).
    pub async fn is_empty(&self) -> Result<bool, DbError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM labs) + (SELECT COUNT(*) FROM projects) \
             + (SELECT COUNT(*) FROM posts) + (SELECT COUNT(*) FROM pages)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(n == 0)
    }

    /// A counter that every content write bumps (see [`bump_content_version`]); page
    /// caches of all instances compare it to know when to drop what they hold.
    pub async fn content_version(&self) -> Result<i64, DbError> {
        let v: Option<String> =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'content_version'")
                .fetch_optional(&self.pool)
                .await?;
        Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Commits a transaction, with the error mapped like every other storage error.
pub async fn commit(tx: Tx) -> Result<(), DbError> {
    Ok(tx.commit().await?)
}

/// Marks that content changed, inside the writing transaction.
pub async fn bump_content_version(conn: &mut Connection) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ('content_version', '1') \
         ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT)",
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Hides the password of a database URL for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => {
                    format!(
                        "{}{}:***{}",
                        &url[..scheme + 3],
                        &userinfo[..colon],
                        &url[at..]
                    )
                }
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("sqlite://codefor.db"), "sqlite://codefor.db");
    }

    #[test]
    fn backend_by_scheme() {
        assert_eq!(Backend::of_url("sqlite://x.db").ok(), Some(Backend::Sqlite));
        assert_eq!(
            Backend::of_url("postgresql://h/db").ok(),
            Some(Backend::Postgres)
        );
        assert!(Backend::of_url("mysql://h/db").is_err());
    }
}
