//! Merging a lab's external calendar into its meetups: new events are created, changed
//! ones rewritten (answers stay), events the calendar no longer lists are marked
//! cancelled (past ones are left as they were), and events the lab already has as its
//! own meetup are not taken over twice. Every attempt's result — also a failure — is
//! kept on the source for the lab's leads.

use std::time::Duration;

use codefor_storage::calendars::{self, Source};
use codefor_storage::meetups::{self, Origin};
use codefor_storage::{Db, DbError};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use super::fetch::{self, FetchPolicy, Fetched, Validators};
use super::ics;

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub withdrawn: usize,
    /// The calendar had not changed (HTTP 304).
    pub not_modified: bool,
    /// Events left out, each with its reason.
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Fetching or reading failed; the message is for the lab's leads.
    #[error("{0}")]
    Source(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Fetches and merges one external calendar, and records the outcome on it.
pub async fn sync(db: &Db, source: &Source, policy: &FetchPolicy) -> Result<Report, SyncError> {
    let at = Timestamp::now().as_second();
    let previous = Validators {
        etag: source.etag.clone(),
        last_modified: source.last_modified.clone(),
    };
    let result = match fetch::fetch(&source.url, &previous, policy).await {
        Ok(Fetched::NotModified) => Ok((
            Report {
                not_modified: true,
                ..Report::default()
            },
            Validators::default(),
        )),
        Ok(Fetched::Body {
            text, validators, ..
        }) => match ics::read_external(&text) {
            Ok(feed) => merge(db, source, &feed)
                .await
                .map(|mut report| {
                    report.notes = feed.notes;
                    (report, validators)
                })
                .map_err(SyncError::Db),
            Err(why) => Err(SyncError::Source(why)),
        },
        Err(e) => Err(SyncError::Source(e.to_string())),
    };
    let mut tx = db.begin().await?;
    match &result {
        Ok((report, validators)) => {
            let notes = report.notes.join("\n");
            let read = (!report.not_modified).then(|| calendars::Read {
                events: i64::try_from(report.created + report.updated + report.unchanged)
                    .unwrap_or(i64::MAX),
                notes: (!notes.is_empty()).then_some(notes.as_str()),
            });
            calendars::succeeded(
                &mut tx,
                source.id,
                at,
                validators.etag.as_deref(),
                validators.last_modified.as_deref(),
                read,
            )
            .await?;
        }
        Err(SyncError::Source(why)) => calendars::failed(&mut tx, source.id, at, why).await?,
        Err(SyncError::Db(_)) => {
            calendars::failed(
                &mut tx,
                source.id,
                at,
                "Die Termine konnten gerade nicht gespeichert werden; der nächste Abruf \
                 versucht es wieder.",
            )
            .await?;
        }
    }
    codefor_storage::commit(tx).await?;
    if let Err(e) = &result {
        tracing::info!(source = source.id, url = %source.url, error = %e, "calendar sync failed");
    }
    result.map(|(report, _)| report)
}

async fn merge(db: &Db, source: &Source, feed: &ics::Feed) -> Result<Report, DbError> {
    let events = &feed.events;
    let mut report = Report::default();
    let mut tx = db.begin().await?;
    // One sync of a source at a time; the second sees what the first wrote.
    calendars::lock(&mut tx, source.id).await?;
    let existing = meetups::of_source(&mut tx, source.id).await?;
    let mut listed = std::collections::HashSet::new();
    for event in events {
        listed.insert(event.uid.as_str());
        let origin = Origin {
            source_id: source.id,
            source_uid: &event.uid,
            source_hash: &event.hash,
        };
        match existing.get(&event.uid) {
            Some(row) if row.source_hash.as_deref() == Some(event.hash.as_str()) => {
                report.unchanged += 1;
            }
            Some(row) => {
                meetups::update(
                    &mut tx,
                    row.id,
                    &event.fields,
                    &[source.lab_id],
                    Some(&event.hash),
                )
                .await?;
                meetups::replace_all_exceptions(&mut tx, row.id, &event.skipped, &event.cancelled)
                    .await?;
                report.updated += 1;
            }
            None => {
                let title = event.fields.title.to_lowercase();
                let own =
                    meetups::own_titles_at(&mut tx, source.lab_id, &event.fields.starts_at).await?;
                if own.iter().any(|t| t.to_lowercase() == title) {
                    report.unchanged += 1;
                    continue;
                }
                let uid = format!(
                    "ext-{}-{}@codefor",
                    source.id,
                    crate::secrets::hex_digest(&Sha256::digest(event.uid.as_bytes()))
                        .get(..24)
                        .unwrap_or_default()
                );
                let id = meetups::create(
                    &mut tx,
                    &uid,
                    &event.fields,
                    &[source.lab_id],
                    None,
                    Some(origin),
                )
                .await?;
                meetups::replace_all_exceptions(&mut tx, id, &event.skipped, &event.cancelled)
                    .await?;
                report.created += 1;
            }
        }
    }
    let now = Timestamp::now().as_second();
    for (uid, row) in &existing {
        let over = row.last_end.is_some_and(|end| end <= now);
        // Gone from the file, not only unreadable or beyond the limit this time.
        let gone = !listed.contains(uid.as_str())
            && !feed.left_out.contains(uid.as_str())
            && feed.complete;
        if gone && !over && row.source_hash.is_some() {
            meetups::withdrawn_by_source(&mut tx, row.id).await?;
            report.withdrawn += 1;
        }
    }
    if report.created + report.updated + report.withdrawn > 0 {
        codefor_storage::bump_content_version(&mut tx).await?;
    }
    codefor_storage::commit(tx).await?;
    Ok(report)
}

/// Syncs every source not checked for `every`, one after the other (politely).
pub async fn sync_due(db: &Db, policy: &FetchPolicy, every: Duration) -> Result<usize, DbError> {
    let before = Timestamp::now().as_second() - i64::try_from(every.as_secs()).unwrap_or(3600);
    let due = calendars::due(db, before).await?;
    let n = due.len();
    for source in due {
        match sync(db, &source, policy).await {
            Ok(_) | Err(SyncError::Source(_)) => {}
            Err(SyncError::Db(e)) => return Err(e),
        }
    }
    Ok(n)
}

/// The background task: syncs due calendars every `every`, for as long as the server
/// runs. Errors of one round are logged; the next round tries again.
pub async fn run(db: Db, policy: FetchPolicy, every: Duration) {
    let mut tick = tokio::time::interval(every.min(Duration::from_secs(600)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = sync_due(&db, &policy, every).await {
            tracing::warn!(error = %e, "calendar sync round failed");
        }
    }
}

/// Most external calendars per lab.
pub const MAX_SOURCES_PER_LAB: usize = 5;

/// Registers an external calendar for a lab (checked: http or https, no credentials in
/// the address, not registered yet, at most [`MAX_SOURCES_PER_LAB`]).
pub async fn register(
    db: &Db,
    actor: &codefor_storage::accounts::Account,
    lab_id: i64,
    lab_slug: &str,
    url: &str,
) -> Result<i64, crate::accounts::AccountError> {
    use crate::forms::FieldErrors;
    let url = url.trim();
    if url.is_empty() {
        return Err(FieldErrors::one(
            "url",
            "Bitte gib die Adresse des Kalenders an (sie endet meist auf .ics).",
        )
        .into());
    }
    if url.len() > 1000 {
        return Err(
            FieldErrors::one("url", "Die Adresse ist zu lang (höchstens 1000 Zeichen).").into(),
        );
    }
    let parsed = fetch::parse_url(url).map_err(|e| FieldErrors::one("url", e.to_string()))?;
    if calendars::of_lab(db, lab_id).await?.len() >= MAX_SOURCES_PER_LAB {
        return Err(FieldErrors::one(
            "url",
            format!("Ein Lab kann höchstens {MAX_SOURCES_PER_LAB} Kalender verbinden."),
        )
        .into());
    }
    let mut tx = db.begin().await?;
    let Some(id) = calendars::add(&mut tx, lab_id, parsed.as_str()).await? else {
        return Err(FieldErrors::one("url", "Dieser Kalender ist schon verbunden.").into());
    };
    codefor_storage::audit::record(
        &mut tx,
        Some(actor.id),
        &actor.display_name,
        "calendar.add",
        lab_slug,
        parsed.as_str(),
    )
    .await?;
    codefor_storage::commit(tx).await?;
    Ok(id)
}
