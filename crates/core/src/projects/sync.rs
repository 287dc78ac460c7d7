//! Sync without double entry: a project whose leads named its repository as the source
//! of truth is updated from the `publiccode.yml` there, in the background, with a
//! revision per change and the last result shown to the leads.

use std::time::Duration;

use codefor_storage::projects::{self, SyncTarget};
use codefor_storage::revisions::Author;
use codefor_storage::{Db, DbError};

use crate::publiccode::Problem;
use crate::repositories::{self, GitPolicy};

/// The file read from a repository's main branch.
pub const FILE: &str = "publiccode.yml";

/// How one sync ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Read and applied; `revision` when something changed.
    Synced {
        commit: String,
        revision: Option<i64>,
    },
    /// Another instance syncs this project right now.
    Skipped,
    /// Not read or not taken over; the German message the leads see.
    Failed(String),
}

/// Syncs one project now (a lead's "jetzt abrufen", or the background task).
pub async fn sync_one(
    db: &Db,
    target: &SyncTarget,
    policy: &GitPolicy,
) -> Result<Outcome, DbError> {
    // Every attempt gets a later mark than the one before, even within one second, so a
    // claim against an older mark always fails.
    let now = jiff::Timestamp::now().as_second();
    let mark = target.checked_at.map_or(now, |seen| now.max(seen + 1));
    let mut tx = db.begin().await?;
    let claimed = projects::claim_sync(&mut tx, target.id, target.checked_at, mark).await?;
    codefor_storage::commit(tx).await?;
    if !claimed {
        return Ok(Outcome::Skipped);
    }
    let shown_before = projects::get(db, &target.slug)
        .await?
        .and_then(|d| d.sync.error);
    let outcome = match repositories::read_file(&target.repository_url, FILE, policy).await {
        Err(e) => Outcome::Failed(e.to_string()),
        Ok(file) => {
            let author = Author {
                account_id: None,
                name: "publiccode.yml",
            };
            let summary = format!(
                "Aus der publiccode.yml im Repository übernommen (Commit {})",
                file.commit.get(..12).unwrap_or(&file.commit)
            );
            match super::import_publiccode(db, target.id, file.text.as_bytes(), author, &summary)
                .await
            {
                Ok(imported) => {
                    let mut tx = db.begin().await?;
                    if let Some(day) = day_of(file.committed_at) {
                        projects::touch_activity(&mut tx, target.id, &day).await?;
                    }
                    codefor_storage::commit(tx).await?;
                    Outcome::Synced {
                        commit: file.commit,
                        revision: imported.revision,
                    }
                }
                Err(super::ImportError::Invalid(problems)) => Outcome::Failed(describe(&problems)),
                Err(super::ImportError::NotFound) => return Ok(Outcome::Skipped),
                Err(super::ImportError::Db(e)) => return Err(e),
            }
        }
    };
    let mut tx = db.begin().await?;
    let at = mark;
    let shown_now = match &outcome {
        Outcome::Synced { commit, .. } => {
            projects::set_sync_result(&mut tx, target.id, at, Ok(commit)).await?;
            None
        }
        Outcome::Failed(error) => {
            projects::set_sync_result(&mut tx, target.id, at, Err(error)).await?;
            Some(error.clone())
        }
        Outcome::Skipped => shown_before.clone(),
    };
    // Pages change when the error the leads see changes (a change of the project itself
    // was saved as a revision, which renews them already).
    if shown_now != shown_before {
        codefor_storage::bump_content_version(&mut tx).await?;
    }
    codefor_storage::commit(tx).await?;
    Ok(outcome)
}

/// The problems of a file in one text for the leads: the first few, each with its key
/// and line.
pub fn describe(problems: &[Problem]) -> String {
    let errors: Vec<&Problem> = problems.iter().filter(|p| p.is_error()).collect();
    let shown: Vec<String> = errors
        .iter()
        .take(5)
        .map(|p| match (p.key.is_empty(), p.line) {
            (false, Some(line)) => format!("{} (Zeile {line}): {}", p.key, p.message),
            (false, None) => format!("{}: {}", p.key, p.message),
            (true, Some(line)) => format!("Zeile {line}: {}", p.message),
            (true, None) => p.message.clone(),
        })
        .collect();
    let more = errors.len().saturating_sub(shown.len());
    let mut text = format!(
        "Die publiccode.yml im Repository folgt nicht dem Standard; nichts wurde übernommen. {}",
        shown.join(" · ")
    );
    if more > 0 {
        text.push_str(&format!(" · und {more} weitere"));
    }
    text
}

/// `YYYY-MM-DD` (UTC) of Unix seconds.
fn day_of(seconds: i64) -> Option<String> {
    jiff::Timestamp::from_second(seconds)
        .ok()
        .map(|t| t.strftime("%Y-%m-%d").to_string())
}

/// Syncs every due project, then waits `every`, forever; errors are logged, not fatal.
pub async fn run(db: Db, policy: GitPolicy, every: Duration) {
    loop {
        let cutoff = jiff::Timestamp::now().as_second()
            - i64::try_from(every.as_secs()).unwrap_or(i64::MAX / 2);
        match projects::sync_due(&db, cutoff).await {
            Ok(due) => {
                for target in due {
                    match sync_one(&db, &target, &policy).await {
                        Ok(Outcome::Failed(why)) => {
                            tracing::info!(project = %target.slug, %why, "publiccode.yml sync failed")
                        }
                        Ok(_) => {}
                        Err(e) => {
                            tracing::warn!(project = %target.slug, error = %e, "publiccode.yml sync")
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "listing projects to sync"),
        }
        tokio::time::sleep(every).await;
    }
}
