//! When a meetup takes place: its first date, an RFC 5545 recurrence rule and the dates
//! left out, expanded into occurrences in the meetup's time zone.
//!
//! Times are civil times in a named zone (Europe/Berlin for the network's own meetups):
//! "every second Tuesday at 19:00" stays at 19:00 local time across the changes to and
//! from daylight-saving time, while its instant in UTC moves by an hour. The expansion
//! itself is the `rrule` crate's; this module converts at its edges and bounds the work.

use chrono::TimeZone as _;
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use rrule::{RRuleSet, Tz};

/// The time zone of the network's own meetups.
pub const BERLIN: &str = "Europe/Berlin";

/// Most occurrences one expansion returns; a window on a page asks for far fewer.
pub const MAX_OCCURRENCES: u16 = 2000;

/// A meetup's timing.
#[derive(Debug, Clone)]
pub struct Schedule<'a> {
    /// Start and end of the first occurrence, civil time in `time_zone`.
    pub start: DateTime,
    pub end: DateTime,
    pub time_zone: &'a str,
    /// The RRULE value (without `RRULE:`), for a recurring meetup.
    pub rule: Option<&'a str>,
    /// Civil start times of occurrences that do not take place (EXDATE).
    pub skipped: &'a [DateTime],
}

/// One date of a meetup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// Civil start and end in the meetup's zone; `start` identifies the occurrence
    /// (RECURRENCE-ID, RSVPs, cancellations).
    pub start: DateTime,
    pub end: DateTime,
    pub start_at: Timestamp,
    pub end_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecurrenceError {
    #[error("Die Zeitzone „{0}“ ist unbekannt.")]
    TimeZone(String),
    #[error("Die Wiederholungsregel ist ungültig: {0}")]
    Rule(String),
    #[error(
        "Wiederholungen öfter als täglich sind nicht möglich; nimm FREQ=DAILY, WEEKLY, MONTHLY oder YEARLY."
    )]
    TooFrequent,
    #[error("Das Ende liegt nicht nach dem Beginn.")]
    EndBeforeStart,
}

/// Checks an RRULE value for a meetup starting at `start` in `time_zone`.
pub fn check_rule(rule: &str, start: DateTime, time_zone: &str) -> Result<(), RecurrenceError> {
    let schedule = Schedule {
        start,
        end: start,
        time_zone,
        rule: Some(rule),
        skipped: &[],
    };
    rule_set(&schedule).map(drop)
}

/// The occurrences that overlap `[from, to)`, in order, at most `limit`.
pub fn occurrences(
    schedule: &Schedule<'_>,
    from: Timestamp,
    to: Timestamp,
    limit: u16,
) -> Result<Vec<Occurrence>, RecurrenceError> {
    let tz = zone(schedule.time_zone)?;
    let length = length(schedule)?;
    if schedule.rule.is_none() {
        let one = occurrence(schedule.start, length, &tz)?;
        let skipped = schedule.skipped.contains(&one.start);
        return Ok(if !skipped && one.end_at > from && one.start_at < to {
            vec![one]
        } else {
            Vec::new()
        });
    }
    // An occurrence that began before `from` may still be going on.
    let reach = jiff::SignedDuration::from_mins(length.get_minutes().saturating_add(60));
    let after = from.checked_sub(reach).unwrap_or(from);
    let set = rule_set(schedule)?
        .after(instant(after)?)
        .before(instant(to)?);
    let mut found = Vec::new();
    // A few more than asked for: those that ended before `from` are dropped here.
    let asked = limit.min(MAX_OCCURRENCES);
    for date in set.all(asked.saturating_add(8)).dates {
        let one = occurrence(civil(&date)?, length, &tz)?;
        if one.end_at > from && one.start_at < to && found.len() < usize::from(asked) {
            found.push(one);
        }
    }
    Ok(found)
}

/// The first start and, for a meetup that ends (no rule, or a rule with COUNT or
/// UNTIL), the last end — for selecting meetups by window in the database.
pub fn bounds(schedule: &Schedule<'_>) -> Result<(Timestamp, Option<Timestamp>), RecurrenceError> {
    let tz = zone(schedule.time_zone)?;
    let length = length(schedule)?;
    let first = occurrence(schedule.start, length, &tz)?;
    let Some(rule) = schedule.rule else {
        return Ok((first.start_at, Some(first.end_at)));
    };
    let upper = rule.to_ascii_uppercase();
    if !upper.contains("COUNT=") && !upper.contains("UNTIL=") {
        return Ok((first.start_at, None));
    }
    let result = rule_set(schedule)?.all(MAX_OCCURRENCES);
    if result.limited {
        // More than we would ever list: treat it as open-ended.
        return Ok((first.start_at, None));
    }
    let last = match result.dates.last() {
        Some(date) => occurrence(civil(date)?, length, &tz)?.end_at,
        None => first.end_at,
    };
    Ok((first.start_at, Some(last.max(first.end_at))))
}

/// The next occurrence that has not ended at `now`.
pub fn next(
    schedule: &Schedule<'_>,
    now: Timestamp,
) -> Result<Option<Occurrence>, RecurrenceError> {
    let horizon = now
        .checked_add(jiff::SignedDuration::from_hours(24 * 366 * 5))
        .unwrap_or(now);
    Ok(occurrences(schedule, now, horizon, 1)?.into_iter().next())
}

/// The civil time of `at` in `time_zone`.
pub fn local(at: Timestamp, time_zone: &str) -> Result<DateTime, RecurrenceError> {
    Ok(at.to_zoned_datetime(zone(time_zone)?).datetime())
}

fn zone(name: &str) -> Result<TimeZone, RecurrenceError> {
    TimeZone::get(name).map_err(|_| RecurrenceError::TimeZone(name.to_owned()))
}

fn length(schedule: &Schedule<'_>) -> Result<jiff::Span, RecurrenceError> {
    if schedule.end <= schedule.start {
        return Err(RecurrenceError::EndBeforeStart);
    }
    schedule
        .start
        .until((jiff::Unit::Minute, schedule.end))
        .map_err(|e| RecurrenceError::Rule(e.to_string()))
}

fn occurrence(
    start: DateTime,
    length: jiff::Span,
    tz: &TimeZone,
) -> Result<Occurrence, RecurrenceError> {
    let end = start
        .checked_add(length)
        .map_err(|e| RecurrenceError::Rule(e.to_string()))?;
    let start_at = tz
        .to_timestamp(start)
        .map_err(|e| RecurrenceError::Rule(e.to_string()))?;
    let end_at = tz
        .to_timestamp(end)
        .map_err(|e| RecurrenceError::Rule(e.to_string()))?;
    Ok(Occurrence {
        start,
        end,
        start_at,
        end_at,
    })
}

/// Format of civil times inside iCalendar text: `20260310T190000`.
pub fn ical(dt: DateTime) -> String {
    dt.strftime("%Y%m%dT%H%M%S").to_string()
}

fn rule_set(schedule: &Schedule<'_>) -> Result<RRuleSet, RecurrenceError> {
    let tz = schedule.time_zone;
    zone(tz)?;
    let rule = schedule.rule.unwrap_or("FREQ=DAILY;COUNT=1").trim();
    let rule = rule.strip_prefix("RRULE:").unwrap_or(rule);
    if rule.contains(['\r', '\n']) {
        return Err(RecurrenceError::Rule(
            "sie muss in einer Zeile stehen.".into(),
        ));
    }
    let frequency = rule
        .split(';')
        .find_map(|part| part.trim().strip_prefix("FREQ="))
        .unwrap_or("");
    if matches!(
        frequency.to_ascii_uppercase().as_str(),
        "HOURLY" | "MINUTELY" | "SECONDLY"
    ) {
        return Err(RecurrenceError::TooFrequent);
    }
    let mut text = format!("DTSTART;TZID={tz}:{}\nRRULE:{rule}", ical(schedule.start));
    if !schedule.skipped.is_empty() {
        let dates: Vec<String> = schedule.skipped.iter().map(|d| ical(*d)).collect();
        text.push_str(&format!("\nEXDATE;TZID={tz}:{}", dates.join(",")));
    }
    text.parse::<RRuleSet>()
        .map(RRuleSet::limit)
        .map_err(|e| RecurrenceError::Rule(e.to_string()))
}

fn instant(at: Timestamp) -> Result<chrono::DateTime<Tz>, RecurrenceError> {
    Tz::UTC
        .timestamp_opt(at.as_second(), 0)
        .single()
        .ok_or_else(|| RecurrenceError::Rule(format!("{at} liegt außerhalb des Kalenders.")))
}

fn civil(date: &chrono::DateTime<Tz>) -> Result<DateTime, RecurrenceError> {
    date.naive_local()
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
        .parse()
        .map_err(|e: jiff::Error| RecurrenceError::Rule(e.to_string()))
}

#[cfg(test)]
mod tests;
