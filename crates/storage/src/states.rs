//! The federal states as stored reference data, with their labs.

use crate::{Db, DbError};

/// Key, slug and name of the 16 states in key order.
pub async fn all(db: &Db) -> Result<Vec<(String, String, String)>, DbError> {
    Ok(
        sqlx::query_as("SELECT key, slug, name FROM federal_states ORDER BY key")
            .fetch_all(db.pool())
            .await?,
    )
}
