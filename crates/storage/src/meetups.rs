//! Meetups: their timing and place, the labs they belong to, dates left out or
//! cancelled, and who comes (with a waitlist once a meetup is full).

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row as _;

use crate::util::now;
use crate::{Connection, Db, DbError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Meetup {
    pub id: i64,
    pub uid: String,
    pub title: String,
    pub description_md: String,
    pub description_html: String,
    /// Civil times in `time_zone`, `2026-03-10T19:00:00`.
    pub starts_at: String,
    pub ends_at: String,
    pub time_zone: String,
    pub all_day: i64,
    pub rrule: Option<String>,
    pub venue: Option<String>,
    pub address: Option<String>,
    pub online_url: Option<String>,
    pub capacity: Option<i64>,
    pub status: String,
    pub source_id: Option<i64>,
    pub sequence: i64,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &str = "m.id, m.uid, m.title, m.description_md, m.description_html, m.starts_at, \
                       m.ends_at, m.time_zone, m.all_day, m.rrule, m.venue, m.address, \
                       m.online_url, m.capacity, m.status, m.source_id, m.sequence, \
                       m.created_at, m.updated_at";

/// What a meetup says, as written by a lead or read from an external calendar.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeetupFields {
    pub title: String,
    pub description_md: String,
    pub description_html: String,
    pub starts_at: String,
    pub ends_at: String,
    pub time_zone: String,
    pub all_day: bool,
    pub rrule: Option<String>,
    /// Unix seconds of the first start and the last end (`None`: no end).
    pub first_start: i64,
    pub last_end: Option<i64>,
    pub venue: Option<String>,
    pub address: Option<String>,
    pub online_url: Option<String>,
    pub capacity: Option<i64>,
    pub cancelled: bool,
}

/// Where an imported meetup came from.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub source_id: i64,
    pub source_uid: &'a str,
    pub source_hash: &'a str,
}

/// Creates a meetup of `labs`; `uid` names it in calendars for good.
pub async fn create(
    conn: &mut Connection,
    uid: &str,
    fields: &MeetupFields,
    labs: &[i64],
    created_by: Option<i64>,
    origin: Option<Origin<'_>>,
) -> Result<i64, DbError> {
    let id: i64 = bind_fields(
        sqlx::query(
            "INSERT INTO meetups (title, description_md, description_html, starts_at, ends_at, \
             time_zone, all_day, rrule, first_start, last_end, venue, address, online_url, \
             capacity, status, uid, source_id, source_uid, source_hash, created_by, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
             $15, $16, $17, $18, $19, $20, $21, $21) RETURNING id",
        ),
        fields,
    )
    .bind(uid)
    .bind(origin.map(|o| o.source_id))
    .bind(origin.map(|o| o.source_uid))
    .bind(origin.map(|o| o.source_hash))
    .bind(created_by)
    .bind(now())
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    set_labs(conn, id, labs).await?;
    Ok(id)
}

/// Rewrites a meetup; calendars see a higher SEQUENCE.
pub async fn update(
    conn: &mut Connection,
    id: i64,
    fields: &MeetupFields,
    labs: &[i64],
    source_hash: Option<&str>,
) -> Result<(), DbError> {
    bind_fields(
        sqlx::query(
            "UPDATE meetups SET title = $1, description_md = $2, description_html = $3, \
             starts_at = $4, ends_at = $5, time_zone = $6, all_day = $7, rrule = $8, \
             first_start = $9, last_end = $10, venue = $11, address = $12, online_url = $13, \
             capacity = $14, status = $15, source_hash = COALESCE($16, source_hash), \
             sequence = sequence + 1, updated_at = $17 WHERE id = $18",
        ),
        fields,
    )
    .bind(source_hash)
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    set_labs(conn, id, labs).await
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds what a meetup says as `$1` to `$15`, in the order of [`MeetupFields`].
fn bind_fields<'q>(query: Query<'q>, fields: &'q MeetupFields) -> Query<'q> {
    query
        .bind(&fields.title)
        .bind(&fields.description_md)
        .bind(&fields.description_html)
        .bind(&fields.starts_at)
        .bind(&fields.ends_at)
        .bind(&fields.time_zone)
        .bind(i64::from(fields.all_day))
        .bind(fields.rrule.as_deref())
        .bind(fields.first_start)
        .bind(fields.last_end)
        .bind(fields.venue.as_deref())
        .bind(fields.address.as_deref())
        .bind(fields.online_url.as_deref())
        .bind(fields.capacity)
        .bind(status(fields.cancelled))
}

fn status(cancelled: bool) -> &'static str {
    if cancelled { "cancelled" } else { "scheduled" }
}

async fn set_labs(conn: &mut Connection, id: i64, labs: &[i64]) -> Result<(), DbError> {
    sqlx::query("DELETE FROM meetup_labs WHERE meetup_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for lab in labs {
        sqlx::query(
            "INSERT INTO meetup_labs (meetup_id, lab_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(lab)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Sets a whole meetup cancelled or scheduled again.
pub async fn set_cancelled(conn: &mut Connection, id: i64, cancelled: bool) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE meetups SET status = $1, sequence = sequence + 1, updated_at = $2 WHERE id = $3",
    )
    .bind(status(cancelled))
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn delete(conn: &mut Connection, id: i64) -> Result<(), DbError> {
    sqlx::query("DELETE FROM meetups WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Meetup>, DbError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM meetups m WHERE m.id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

/// Which meetups to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter<'a> {
    pub lab_id: Option<i64>,
    pub state_key: Option<&'a str>,
    /// Only these meetups (a person's RSVPs).
    pub ids: Option<&'a [i64]>,
    /// Leave the descriptions out (lists do not show them).
    pub brief: bool,
}

/// Meetups with a date in `[from, to)` (Unix seconds), by first start; the caller
/// expands recurrences. Meetups only of hidden or deleted labs are left out.
pub async fn in_window(
    db: &Db,
    from: i64,
    to: i64,
    filter: Filter<'_>,
) -> Result<Vec<Meetup>, DbError> {
    let columns = if filter.brief {
        COLUMNS.replace(
            "m.description_md, m.description_html",
            "'' AS description_md, '' AS description_html",
        )
    } else {
        COLUMNS.to_owned()
    };
    // Each filter joins only when it is asked for, so the planner can use the indexes.
    let mut sql = format!("SELECT {columns} FROM meetups m");
    let mut next = 3;
    if filter.lab_id.is_some() {
        sql.push_str(&format!(
            " JOIN meetup_labs f ON f.meetup_id = m.id AND f.lab_id = ${next}"
        ));
        next += 1;
    }
    sql.push_str(
        " WHERE m.first_start < $1 AND (m.last_end IS NULL OR m.last_end > $2) \
         AND (NOT EXISTS (SELECT 1 FROM meetup_labs x WHERE x.meetup_id = m.id) \
             OR EXISTS (SELECT 1 FROM meetup_labs x JOIN labs l ON l.id = x.lab_id \
                 WHERE x.meetup_id = m.id AND l.hidden = 0 AND l.deleted_at IS NULL))",
    );
    if filter.state_key.is_some() {
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM meetup_labs s JOIN labs k ON k.id = s.lab_id \
             WHERE s.meetup_id = m.id AND k.state_key = ${next})"
        ));
    }
    if let Some(ids) = filter.ids {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        sql.push_str(&format!(" AND m.id IN ({})", list.join(",")));
    }
    sql.push_str(" ORDER BY m.first_start, m.id");
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(to).bind(from);
    if let Some(lab) = filter.lab_id {
        query = query.bind(lab);
    }
    if let Some(state) = filter.state_key {
        query = query.bind(state);
    }
    Ok(query.fetch_all(db.pool()).await?)
}

/// A lab a meetup belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MeetupLab {
    pub meetup_id: i64,
    pub lab_id: i64,
    pub slug: String,
    pub name: String,
    pub city: String,
    pub state_key: Option<String>,
}

/// The labs of each meetup in `ids`.
pub async fn labs_of(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Vec<MeetupLab>>, DbError> {
    let mut by_meetup: HashMap<i64, Vec<MeetupLab>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
        let rows: Vec<MeetupLab> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT x.meetup_id, l.id AS lab_id, l.slug, l.name, l.city, l.state_key \
             FROM meetup_labs x JOIN labs l ON l.id = x.lab_id \
             WHERE x.meetup_id IN ({}) AND l.deleted_at IS NULL ORDER BY lower(l.name)",
            list.join(",")
        )))
        .fetch_all(db.pool())
        .await?;
        for row in rows {
            by_meetup.entry(row.meetup_id).or_default().push(row);
        }
    }
    Ok(by_meetup)
}

/// A date of a recurring meetup that does not take place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Exception {
    pub meetup_id: i64,
    pub occurrence: String,
    /// `skipped` (gone from the calendar) or `cancelled` (shown as cancelled).
    pub kind: String,
    pub reason: Option<String>,
}

pub async fn exceptions(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Vec<Exception>>, DbError> {
    let mut by_meetup: HashMap<i64, Vec<Exception>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
        let rows: Vec<Exception> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT meetup_id, occurrence, kind, reason FROM meetup_exceptions \
             WHERE meetup_id IN ({}) ORDER BY occurrence",
            list.join(",")
        )))
        .fetch_all(db.pool())
        .await?;
        for row in rows {
            by_meetup.entry(row.meetup_id).or_default().push(row);
        }
    }
    Ok(by_meetup)
}

/// Records (or with `kind` `None`, removes) an exception for one date.
pub async fn set_exception(
    conn: &mut Connection,
    meetup_id: i64,
    occurrence: &str,
    kind: Option<&str>,
    reason: Option<&str>,
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM meetup_exceptions WHERE meetup_id = $1 AND occurrence = $2")
        .bind(meetup_id)
        .bind(occurrence)
        .execute(&mut *conn)
        .await?;
    if let Some(kind) = kind {
        sqlx::query(
            "INSERT INTO meetup_exceptions (meetup_id, occurrence, kind, reason) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(meetup_id)
        .bind(occurrence)
        .bind(kind)
        .bind(reason)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("UPDATE meetups SET sequence = sequence + 1, updated_at = $1 WHERE id = $2")
        .bind(now())
        .bind(meetup_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Replaces the skipped dates of a meetup (the form's list of exceptions); cancelled
/// dates stay.
pub async fn set_skipped(
    conn: &mut Connection,
    meetup_id: i64,
    dates: &[String],
) -> Result<(), DbError> {
    replace_exceptions(conn, meetup_id, "skipped", dates).await
}

/// Replaces the dates of one kind (`skipped` or `cancelled`) of a meetup.
async fn replace_exceptions(
    conn: &mut Connection,
    meetup_id: i64,
    kind: &str,
    dates: &[String],
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM meetup_exceptions WHERE meetup_id = $1 AND kind = $2")
        .bind(meetup_id)
        .bind(kind)
        .execute(&mut *conn)
        .await?;
    for date in dates {
        sqlx::query(
            "INSERT INTO meetup_exceptions (meetup_id, occurrence, kind) VALUES ($1, $2, $3) \
             ON CONFLICT (meetup_id, occurrence) DO NOTHING",
        )
        .bind(meetup_id)
        .bind(date)
        .bind(kind)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The titles of `lab`'s own meetups (not from a calendar) starting at `starts_at`:
/// an external event that repeats one of them is not taken over.
pub async fn own_titles_at(
    conn: &mut Connection,
    lab_id: i64,
    starts_at: &str,
) -> Result<Vec<String>, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT m.title FROM meetups m JOIN meetup_labs x ON x.meetup_id = m.id \
         WHERE x.lab_id = $1 AND m.source_id IS NULL AND m.starts_at = $2",
    )
    .bind(lab_id)
    .bind(starts_at)
    .fetch_all(&mut *conn)
    .await?)
}

/// Replaces all dates left out and cancelled of a meetup (as its calendar says them).
pub async fn replace_all_exceptions(
    conn: &mut Connection,
    meetup_id: i64,
    skipped: &[String],
    cancelled: &[String],
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM meetup_exceptions WHERE meetup_id = $1")
        .bind(meetup_id)
        .execute(&mut *conn)
        .await?;
    for (kind, dates) in [("cancelled", cancelled), ("skipped", skipped)] {
        for date in dates {
            sqlx::query(
                "INSERT INTO meetup_exceptions (meetup_id, occurrence, kind) VALUES ($1, $2, $3) \
                 ON CONFLICT (meetup_id, occurrence) DO NOTHING",
            )
            .bind(meetup_id)
            .bind(date)
            .bind(kind)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// One person's answer for one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Rsvp {
    pub meetup_id: i64,
    pub occurrence: String,
    pub account_id: i64,
    pub name: String,
    pub answer: String,
    pub waitlisted: i64,
    pub created_at: String,
}

const RSVP_COLUMNS: &str = "r.meetup_id, r.occurrence, r.account_id, a.display_name AS name, \
                            r.answer, r.waitlisted, r.created_at";

/// Everyone's answers for one date: confirmed first, then the waitlist in order.
pub async fn rsvps(db: &Db, meetup_id: i64, occurrence: &str) -> Result<Vec<Rsvp>, DbError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {RSVP_COLUMNS} FROM meetup_rsvps r JOIN accounts a ON a.id = r.account_id \
         WHERE r.meetup_id = $1 AND r.occurrence = $2 \
         ORDER BY CASE r.answer WHEN 'yes' THEN 0 WHEN 'maybe' THEN 1 ELSE 2 END, \
         r.waitlisted, r.created_at, r.account_id"
    )))
    .bind(meetup_id)
    .bind(occurrence)
    .fetch_all(db.pool())
    .await?)
}

/// Everyone's answers for every date of a meetup from `from` on (civil text), in the
/// same order per date as [`rsvps`]: one query for a meetup's page.
pub async fn rsvps_from(db: &Db, meetup_id: i64, from: &str) -> Result<Vec<Rsvp>, DbError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {RSVP_COLUMNS} FROM meetup_rsvps r JOIN accounts a ON a.id = r.account_id \
         WHERE r.meetup_id = $1 AND r.occurrence >= $2 \
         ORDER BY r.occurrence, CASE r.answer WHEN 'yes' THEN 0 WHEN 'maybe' THEN 1 ELSE 2 END, \
         r.waitlisted, r.created_at, r.account_id"
    )))
    .bind(meetup_id)
    .bind(from)
    .fetch_all(db.pool())
    .await?)
}

/// A person's answers, all meetups and dates.
pub async fn rsvps_of(db: &Db, account_id: i64) -> Result<Vec<Rsvp>, DbError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {RSVP_COLUMNS} FROM meetup_rsvps r JOIN accounts a ON a.id = r.account_id \
         WHERE r.account_id = $1 ORDER BY r.occurrence"
    )))
    .bind(account_id)
    .fetch_all(db.pool())
    .await?)
}

/// Confirmed yes-answers per date of `meetup_ids` — for "3 of 20 places taken".
pub async fn taken(db: &Db, meetup_ids: &[i64]) -> Result<HashMap<(i64, String), i64>, DbError> {
    let mut counts = HashMap::new();
    for chunk in meetup_ids.chunks(500) {
        let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT meetup_id, occurrence, COUNT(*) FROM meetup_rsvps WHERE meetup_id IN ({}) \
             AND answer = 'yes' AND waitlisted = 0 GROUP BY meetup_id, occurrence",
            list.join(",")
        )))
        .fetch_all(db.pool())
        .await?;
        for (meetup, occurrence, n) in rows {
            counts.insert((meetup, occurrence), n);
        }
    }
    Ok(counts)
}

/// What became of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    Confirmed,
    Waitlisted,
    Noted,
}

/// Records an answer. A yes takes a place while `capacity` allows and joins the
/// waitlist otherwise; a place given up goes to the first on the waitlist. Serialised
/// per meetup by touching its row first, so two last-place answers cannot both win.
/// Returns the answer's fate and who moved up from the waitlist, if anyone.
pub async fn answer(
    conn: &mut Connection,
    meetup_id: i64,
    occurrence: &str,
    account_id: i64,
    answer: &str,
    capacity: Option<i64>,
) -> Result<(Answered, Option<i64>), DbError> {
    lock(conn, meetup_id).await?;
    let before: Option<(String, i64)> = sqlx::query_as(
        "SELECT answer, waitlisted FROM meetup_rsvps WHERE meetup_id = $1 AND occurrence = $2 \
         AND account_id = $3",
    )
    .bind(meetup_id)
    .bind(occurrence)
    .bind(account_id)
    .fetch_optional(&mut *conn)
    .await?;
    let held_place = matches!(&before, Some((a, 0)) if a == "yes");
    let fate = if answer != "yes" {
        Answered::Noted
    } else if held_place {
        Answered::Confirmed
    } else {
        match capacity {
            Some(max) if confirmed(conn, meetup_id, occurrence).await? >= max => {
                Answered::Waitlisted
            }
            _ => Answered::Confirmed,
        }
    };
    let at = now();
    sqlx::query(
        "INSERT INTO meetup_rsvps (meetup_id, occurrence, account_id, answer, waitlisted, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
         ON CONFLICT (meetup_id, occurrence, account_id) DO UPDATE SET answer = $4, \
         waitlisted = $5, updated_at = $6, \
         created_at = CASE WHEN meetup_rsvps.answer = $4 THEN meetup_rsvps.created_at ELSE $6 END",
    )
    .bind(meetup_id)
    .bind(occurrence)
    .bind(account_id)
    .bind(answer)
    .bind(i64::from(fate == Answered::Waitlisted))
    .bind(&at)
    .execute(&mut *conn)
    .await?;
    let promoted = if held_place && answer != "yes" {
        promote(conn, meetup_id, occurrence, capacity).await?
    } else {
        None
    };
    Ok((fate, promoted))
}

/// Takes back an answer; a freed place goes to the waitlist.
pub async fn withdraw(
    conn: &mut Connection,
    meetup_id: i64,
    occurrence: &str,
    account_id: i64,
    capacity: Option<i64>,
) -> Result<Option<i64>, DbError> {
    lock(conn, meetup_id).await?;
    let gone = sqlx::query(
        "DELETE FROM meetup_rsvps WHERE meetup_id = $1 AND occurrence = $2 AND account_id = $3 \
         AND answer = 'yes' AND waitlisted = 0",
    )
    .bind(meetup_id)
    .bind(occurrence)
    .bind(account_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    sqlx::query(
        "DELETE FROM meetup_rsvps WHERE meetup_id = $1 AND occurrence = $2 AND account_id = $3",
    )
    .bind(meetup_id)
    .bind(occurrence)
    .bind(account_id)
    .execute(&mut *conn)
    .await?;
    if gone == 1 {
        promote(conn, meetup_id, occurrence, capacity).await
    } else {
        Ok(None)
    }
}

async fn lock(conn: &mut Connection, meetup_id: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE meetups SET rsvp_version = rsvp_version + 1 WHERE id = $1")
        .bind(meetup_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn confirmed(
    conn: &mut Connection,
    meetup_id: i64,
    occurrence: &str,
) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM meetup_rsvps WHERE meetup_id = $1 AND occurrence = $2 \
         AND answer = 'yes' AND waitlisted = 0",
    )
    .bind(meetup_id)
    .bind(occurrence)
    .fetch_one(&mut *conn)
    .await?)
}

async fn promote(
    conn: &mut Connection,
    meetup_id: i64,
    occurrence: &str,
    capacity: Option<i64>,
) -> Result<Option<i64>, DbError> {
    if let Some(max) = capacity
        && confirmed(conn, meetup_id, occurrence).await? >= max
    {
        return Ok(None);
    }
    let first: Option<i64> = sqlx::query_scalar(
        "SELECT account_id FROM meetup_rsvps WHERE meetup_id = $1 AND occurrence = $2 \
         AND answer = 'yes' AND waitlisted = 1 ORDER BY created_at, account_id LIMIT 1",
    )
    .bind(meetup_id)
    .bind(occurrence)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(account) = first {
        sqlx::query(
            "UPDATE meetup_rsvps SET waitlisted = 0, updated_at = $1 WHERE meetup_id = $2 \
             AND occurrence = $3 AND account_id = $4",
        )
        .bind(now())
        .bind(meetup_id)
        .bind(occurrence)
        .bind(account)
        .execute(&mut *conn)
        .await?;
    }
    Ok(first)
}

/// Moves the answers and exceptions of dates from `from` on (civil text) to the date
/// `to_key` gives (`None`: left where it is); rows whose new date is taken stay.
pub async fn move_dates(
    conn: &mut Connection,
    meetup_id: i64,
    from: &str,
    to_key: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Result<(), DbError> {
    for table in ["meetup_rsvps", "meetup_exceptions"] {
        let keys: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT DISTINCT occurrence FROM {table} WHERE meetup_id = $1 AND occurrence >= $2"
        )))
        .bind(meetup_id)
        .bind(from)
        .fetch_all(&mut *conn)
        .await?;
        // Later dates first when moving later, so no row lands on one still to move.
        let mut moves: Vec<(String, String)> = keys
            .into_iter()
            .filter_map(|k| to_key(&k).map(|n| (k, n)))
            .filter(|(k, n)| k != n)
            .collect();
        moves.sort();
        if moves.first().is_some_and(|(k, n)| n > k) {
            moves.reverse();
        }
        for (old, new) in moves {
            let taken: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM {table} WHERE meetup_id = $1 AND occurrence = $2"
            )))
            .bind(meetup_id)
            .bind(&new)
            .fetch_one(&mut *conn)
            .await?;
            if taken == 0 {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {table} SET occurrence = $1 WHERE meetup_id = $2 AND occurrence = $3"
                )))
                .bind(&new)
                .bind(meetup_id)
                .bind(&old)
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    Ok(())
}

/// After the places of a meetup grew: the waitlist of every date moves up while there
/// is room. Returns who moved up, for which date.
pub async fn promote_waiting(
    conn: &mut Connection,
    meetup_id: i64,
    capacity: Option<i64>,
) -> Result<Vec<(String, i64)>, DbError> {
    lock(conn, meetup_id).await?;
    let dates: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT occurrence FROM meetup_rsvps WHERE meetup_id = $1 AND waitlisted = 1",
    )
    .bind(meetup_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut moved = Vec::new();
    for date in dates {
        while let Some(account) = promote(conn, meetup_id, &date, capacity).await? {
            moved.push((date.clone(), account));
        }
    }
    Ok(moved)
}

/// The meetups of an external calendar: source uid → (meetup id, content hash).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Sourced {
    pub id: i64,
    pub source_uid: Option<String>,
    pub source_hash: Option<String>,
    pub last_end: Option<i64>,
}

pub async fn of_source(
    conn: &mut Connection,
    source_id: i64,
) -> Result<HashMap<String, Sourced>, DbError> {
    let rows: Vec<Sourced> = sqlx::query_as(
        "SELECT id, source_uid, source_hash, last_end FROM meetups WHERE source_id = $1",
    )
    .bind(source_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| row.source_uid.clone().map(|u| (u, row)))
        .collect())
}

/// Marks a meetup its source no longer lists as cancelled (answers are kept).
pub async fn withdrawn_by_source(conn: &mut Connection, id: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE meetups SET status = 'cancelled', source_hash = NULL, sequence = sequence + 1, \
         updated_at = $1 WHERE id = $2",
    )
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The latest start of a meetup per lab that has begun by `now` (Unix seconds): for a
/// series still running, `now` itself.
pub async fn last_per_lab(db: &Db, now: i64) -> Result<HashMap<i64, i64>, DbError> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT x.lab_id, MAX(CASE WHEN m.last_end IS NULL OR m.last_end > $1 THEN $1 \
         ELSE m.last_end END) FROM meetup_labs x JOIN meetups m ON m.id = x.meetup_id \
         WHERE m.first_start <= $1 AND m.status = 'scheduled' GROUP BY x.lab_id",
    )
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().collect())
}
