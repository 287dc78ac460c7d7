//! The open-data manifest: every column of every table, classified as public, private
//! or public per person (`open-data-manifest.toml` beside this crate's `Cargo.toml`).
//!
//! What open data may emit is decided here once: the API, the CSV files and the dump
//! only ever show public columns of public rows, and per-person columns where the
//! person's profile setting makes them public. [`unclassified`] and [`stale`] compare
//! the manifest with the live schema of a database (SQLite or PostgreSQL), so a test
//! fails as soon as a migration adds a column that nobody classified.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::{Backend, Db, DbError};

/// The manifest as written in the repository.
pub const SOURCE: &str = include_str!("../open-data-manifest.toml");

/// How a column may be used in open data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// May appear in open data (for rows that are public).
    Public,
    /// Never appears in open data.
    Private,
    /// Public only where the person's visibility setting for that part of their profile
    /// is public (see [`Manifest::visibility_field`]).
    PerPerson,
}

/// A manifest that cannot be read, or contradicts itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    #[error("open-data manifest: {0}")]
    Parse(String),
    #[error("open-data manifest: {0}")]
    Invalid(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    private_rows: BTreeMap<String, String>,
    #[serde(default)]
    public_rows: BTreeMap<String, String>,
    #[serde(default)]
    visibility: BTreeMap<String, String>,
    tables: BTreeMap<String, BTreeMap<String, Class>>,
}

/// The classification of every column, the rows that are never public, and which part
/// of a profile decides each per-person column.
#[derive(Debug, Clone)]
pub struct Manifest {
    tables: BTreeMap<String, BTreeMap<String, Class>>,
    private_rows: BTreeMap<String, String>,
    public_rows: BTreeMap<String, String>,
    visibility: BTreeMap<(String, String), String>,
}

static MANIFEST: LazyLock<Result<Manifest, ManifestError>> =
    LazyLock::new(|| Manifest::parse(SOURCE));

/// The manifest compiled into this binary.
pub fn manifest() -> Result<&'static Manifest, ManifestError> {
    MANIFEST.as_ref().map_err(Clone::clone)
}

impl Manifest {
    /// Reads a manifest and checks that it is consistent: every per-person column names
    /// a part of the profile, and row conditions name classified tables.
    pub fn parse(text: &str) -> Result<Manifest, ManifestError> {
        let raw: Raw = toml::from_str(text).map_err(|e| ManifestError::Parse(e.to_string()))?;
        let mut visibility = BTreeMap::new();
        for (key, field) in raw.visibility {
            let Some((table, column)) = key.split_once('.') else {
                return Err(ManifestError::Invalid(format!(
                    "[visibility] key `{key}` is not `table.column`"
                )));
            };
            if !codefor_domain::profiles::FIELDS.contains(&field.as_str()) {
                return Err(ManifestError::Invalid(format!(
                    "[visibility] `{key}` names `{field}`, which is no part of a profile ({})",
                    codefor_domain::profiles::FIELDS.join(", ")
                )));
            }
            let class = raw.tables.get(table).and_then(|t| t.get(column));
            if class != Some(&Class::PerPerson) {
                return Err(ManifestError::Invalid(format!(
                    "[visibility] `{key}` is not a per_person column"
                )));
            }
            visibility.insert((table.to_owned(), column.to_owned()), field);
        }
        for (table, columns) in &raw.tables {
            for (column, class) in columns {
                if *class == Class::PerPerson
                    && !visibility.contains_key(&(table.clone(), column.clone()))
                {
                    return Err(ManifestError::Invalid(format!(
                        "{table}.{column} is per_person but [visibility] does not say which \
                         part of the profile decides it"
                    )));
                }
            }
        }
        if let Some(table) = raw
            .private_rows
            .keys()
            .find(|t| !raw.tables.contains_key(*t))
        {
            return Err(ManifestError::Invalid(format!(
                "[private_rows] names `{table}`, which has no [tables.{table}]"
            )));
        }
        for table in raw.public_rows.keys() {
            let per_person = raw
                .tables
                .get(table)
                .is_some_and(|cols| cols.values().any(|c| *c == Class::PerPerson));
            if !per_person {
                return Err(ManifestError::Invalid(format!(
                    "[public_rows] names `{table}`, which has no per_person column"
                )));
            }
        }
        Ok(Manifest {
            tables: raw.tables,
            private_rows: raw.private_rows,
            public_rows: raw.public_rows,
            visibility,
        })
    }

    /// The class of a column; `None` when the manifest does not know it.
    pub fn class(&self, table: &str, column: &str) -> Option<Class> {
        self.tables.get(table)?.get(column).copied()
    }

    /// Whether a column may appear in open data for public rows (per-person columns are
    /// not: they need the person's setting).
    pub fn is_public(&self, table: &str, column: &str) -> bool {
        self.class(table, column) == Some(Class::Public)
    }

    /// Every classified (table, column) with its class, ordered by table and column.
    pub fn columns(&self) -> impl Iterator<Item = (&str, &str, Class)> {
        self.tables.iter().flat_map(|(t, cols)| {
            cols.iter()
                .map(move |(c, class)| (t.as_str(), c.as_str(), *class))
        })
    }

    /// The classified tables.
    pub fn tables(&self) -> impl Iterator<Item = &str> {
        self.tables.keys().map(String::as_str)
    }

    /// The SQL condition (over the table's own columns) that selects the rows of `table`
    /// that are never public, such as drafts or hidden records.
    pub fn private_rows(&self, table: &str) -> Option<&str> {
        self.private_rows.get(table).map(String::as_str)
    }

    /// The SQL condition selecting the rows of `table` whose per-person columns are public
    /// whatever their person's setting says (a lab's active leads: the lab's public contact).
    pub fn public_rows(&self, table: &str) -> Option<&str> {
        self.public_rows.get(table).map(String::as_str)
    }

    /// The part of the profile (`domain::profiles::FIELDS`) whose visibility decides a
    /// per-person column.
    pub fn visibility_field(&self, table: &str, column: &str) -> Option<&str> {
        self.visibility
            .get(&(table.to_owned(), column.to_owned()))
            .map(String::as_str)
    }

    /// Columns of `live` the manifest does not classify.
    pub fn unclassified_in(&self, live: &[(String, String)]) -> Vec<(String, String)> {
        live.iter()
            .filter(|(t, c)| self.class(t, c).is_none())
            .cloned()
            .collect()
    }

    /// Entries of the manifest that name no column of `live` (a table or column that was
    /// dropped or renamed).
    pub fn stale_in(&self, live: &[(String, String)]) -> Vec<(String, String)> {
        let live: std::collections::BTreeSet<(&str, &str)> =
            live.iter().map(|(t, c)| (t.as_str(), c.as_str())).collect();
        self.columns()
            .filter(|(t, c, _)| !live.contains(&(*t, *c)))
            .map(|(t, c, _)| (t.to_owned(), c.to_owned()))
            .collect()
    }
}

/// Every (table, column) of the database's schema, ordered by table and column position:
/// on SQLite from `sqlite_master` and `pragma_table_info`, on PostgreSQL from
/// `information_schema.columns` of the current schema (base tables only).
pub async fn live_columns(db: &Db) -> Result<Vec<(String, String)>, DbError> {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
             ORDER BY m.name, p.cid"
        }
        // Identifiers are of type `name`/`sql_identifier`, which the Any driver cannot
        // decode: cast to text.
        Backend::Postgres => {
            "SELECT CAST(c.table_name AS TEXT), CAST(c.column_name AS TEXT) \
             FROM information_schema.columns c \
             JOIN information_schema.tables t \
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
             ORDER BY c.table_name, c.ordinal_position"
        }
    };
    Ok(sqlx::query_as(sql).fetch_all(db.pool()).await?)
}

/// Columns of the database that the compiled-in manifest does not classify.
pub async fn unclassified(db: &Db) -> Result<Vec<(String, String)>, DbError> {
    let manifest = manifest().map_err(|e| DbError::Config(e.to_string()))?;
    Ok(manifest.unclassified_in(&live_columns(db).await?))
}

/// Entries of the compiled-in manifest that the database's schema no longer has.
pub async fn stale(db: &Db) -> Result<Vec<(String, String)>, DbError> {
    let manifest = manifest().map_err(|e| DbError::Config(e.to_string()))?;
    Ok(manifest.stale_in(&live_columns(db).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repository_manifest_reads() {
        let m = manifest().expect("manifest parses");
        assert_eq!(m.class("accounts", "email"), Some(Class::Private));
        assert_eq!(m.class("labs", "name"), Some(Class::Public));
        assert_eq!(m.class("accounts", "bio"), Some(Class::PerPerson));
        assert_eq!(
            m.visibility_field("accounts", "skills_json"),
            Some("skills")
        );
        assert_eq!(m.class("accounts", "no_such_column"), None);
        assert!(m.private_rows("needs").is_some_and(|c| c.contains("draft")));
        assert!(
            m.public_rows("lab_memberships")
                .is_some_and(|c| c.contains("'lead'"))
        );
        assert_eq!(m.public_rows("accounts"), None);
    }

    #[test]
    fn inconsistent_manifests_are_refused() {
        for (text, says) in [
            ("[tables.a]\nx = \"secret\"\n", "unknown variant"),
            (
                "[tables.a]\nx = \"per_person\"\n",
                "a.x is per_person but [visibility]",
            ),
            (
                "[visibility]\n\"a.x\" = \"shoe_size\"\n[tables.a]\nx = \"per_person\"\n",
                "no part of a profile",
            ),
            (
                "[visibility]\n\"a.x\" = \"bio\"\n[tables.a]\nx = \"public\"\n",
                "not a per_person column",
            ),
            (
                "[private_rows]\nb = \"1 = 1\"\n[tables.a]\nx = \"public\"\n",
                "has no [tables.b]",
            ),
            (
                "[public_rows]\na = \"1 = 1\"\n[tables.a]\nx = \"public\"\n",
                "`a`, which has no per_person column",
            ),
            ("[tables.a]\nx = \"public\"\n[extra]\n", "unknown field"),
        ] {
            let err = Manifest::parse(text).expect_err(text).to_string();
            assert!(err.contains(says), "{text}: {err}");
        }
    }

    #[test]
    fn compares_with_a_schema() {
        let m = Manifest::parse("[tables.a]\nx = \"public\"\ny = \"private\"\n").expect("parses");
        let live = vec![
            ("a".to_owned(), "x".to_owned()),
            ("a".to_owned(), "z".to_owned()),
            ("b".to_owned(), "x".to_owned()),
        ];
        assert_eq!(
            m.unclassified_in(&live),
            vec![
                ("a".to_owned(), "z".to_owned()),
                ("b".to_owned(), "x".to_owned())
            ]
        );
        assert_eq!(m.stale_in(&live), vec![("a".to_owned(), "y".to_owned())]);
    }
}
