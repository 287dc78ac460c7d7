//! Live figures of the network, computed from the database (never typed into prose).

use serde::Serialize;

use crate::{Db, DbError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NetworkFigures {
    pub labs_active: i64,
    pub labs_total: i64,
    /// Federal states with at least one active lab.
    pub states_with_active_lab: i64,
    pub people: i64,
    /// Published projects.
    pub projects: i64,
}

pub async fn network(db: &Db) -> Result<NetworkFigures, DbError> {
    let (labs_active, labs_total, states_with_active_lab, people, projects): (
        i64,
        i64,
        i64,
        i64,
        i64,
    ) = sqlx::query_as(
        "SELECT \
             (SELECT COUNT(*) FROM labs WHERE hidden = 0 AND deleted_at IS NULL AND active = 1), \
             (SELECT COUNT(*) FROM labs WHERE hidden = 0 AND deleted_at IS NULL), \
             (SELECT COUNT(DISTINCT state_key) FROM labs WHERE hidden = 0 AND deleted_at IS NULL \
              AND active = 1 \
              AND state_key IS NOT NULL), \
             (SELECT COUNT(*) FROM people), \
             (SELECT COUNT(*) FROM projects WHERE draft = 0 AND deleted_at IS NULL)",
    )
    .fetch_one(db.pool())
    .await?;
    Ok(NetworkFigures {
        labs_active,
        labs_total,
        states_with_active_lab,
        people,
        projects,
    })
}
