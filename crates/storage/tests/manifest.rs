//! The open-data manifest against the live schema, on the backend chosen by
//! CODEFOR_TEST_DATABASE_URL: every column classified, no entry stale, and the check
//! reports exactly the column a migration would add without classifying it.

// In tests a panic is a failed assertion with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use codefor_storage::manifest;
use codefor_storage::testing;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(t, c)| ((*t).to_owned(), (*c).to_owned()))
        .collect()
}

#[tokio::test]
async fn every_column_of_the_migrated_schema_is_classified() {
    let t = testing::fresh().await.unwrap();
    let live = manifest::live_columns(&t.db).await.unwrap();
    assert!(
        live.len() > 300,
        "the schema was read ({} columns on {:?})",
        live.len(),
        t.db.backend()
    );
    assert!(live.contains(&("accounts".to_owned(), "email".to_owned())));
    let unclassified = manifest::unclassified(&t.db).await.unwrap();
    assert!(
        unclassified.is_empty(),
        "classify these columns in crates/storage/open-data-manifest.toml: {}",
        unclassified
            .iter()
            .map(|(t, c)| format!("{t}.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let stale = manifest::stale(&t.db).await.unwrap();
    assert!(
        stale.is_empty(),
        "these manifest entries name no column any more: {stale:?}"
    );
}

/// Every row condition of the manifest is valid SQL on this backend.
#[tokio::test]
async fn row_conditions_run_on_this_backend() {
    let t = testing::fresh().await.unwrap();
    let m = manifest::manifest().unwrap();
    let mut checked = 0;
    for table in m.tables() {
        for (section, cond) in [
            ("private_rows", m.private_rows(table)),
            ("public_rows", m.public_rows(table)),
        ] {
            let Some(cond) = cond else { continue };
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE {cond}");
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(t.db.pool())
                .await
                .unwrap_or_else(|e| panic!("[{section}] {table}: {e}"));
            assert_eq!(n, 0, "{table}: an empty table has no such rows");
            checked += 1;
        }
    }
    assert!(checked >= 6, "{checked} row conditions");
}

/// The check fails when it should: a throwaway database gets a table and a column that
/// nobody classified, and loses a classified column; the check names exactly those.
#[tokio::test]
async fn an_unclassified_column_is_reported_and_a_dropped_one_is_stale() {
    let t = testing::fresh().await.unwrap();
    let pool = t.db.pool();
    sqlx::query("CREATE TABLE open_data_probe (id INTEGER PRIMARY KEY, shoe_size INTEGER)")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("ALTER TABLE accounts ADD COLUMN favourite_colour TEXT")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("ALTER TABLE imports DROP COLUMN report_json")
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(
        manifest::unclassified(&t.db).await.unwrap(),
        pairs(&[
            ("accounts", "favourite_colour"),
            ("open_data_probe", "id"),
            ("open_data_probe", "shoe_size"),
        ]),
        "on {:?}",
        t.db.backend()
    );
    assert_eq!(
        manifest::stale(&t.db).await.unwrap(),
        pairs(&[("imports", "report_json")])
    );
}
