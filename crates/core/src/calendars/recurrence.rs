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
        "Wiederholungen öfter als täglich sind nicht möglich; nimm FREQ=DAILY, WEEKLY, MONTHLY oder YEARLY, ohne BYHOUR, BYMINUTE und BYSECOND (die Uhrzeit ist die des Beginns)."
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
    let jumped = Schedule {
        start: jump(schedule, after.to_zoned_datetime(tz.clone()).datetime()),
        ..schedule.clone()
    };
    let set = rule_set(&jumped)?
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

/// A later date of the series to expand from, for rules that repeat in whole days or
/// weeks without COUNT: a weekly meetup of many years then does not walk through every
/// past date. The new start is itself a date of the series (same weekday and time,
/// whole periods later, a period before `near`), so the dates from there on are the
/// same; any other rule starts where it starts.
fn jump(schedule: &Schedule<'_>, near: DateTime) -> DateTime {
    let start = schedule.start;
    let Some(rule) = schedule.rule else {
        return start;
    };
    let mut period_days = 0_i64;
    let mut interval = 1_i64;
    let mut until = None;
    let weekday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
        [usize::from(start.weekday().to_monday_zero_offset().unsigned_abs())];
    for part in rule.split(';') {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        match key.trim().to_ascii_uppercase().as_str() {
            "FREQ" => {
                period_days = match value.trim().to_ascii_uppercase().as_str() {
                    "DAILY" => 1,
                    "WEEKLY" => 7,
                    _ => return start,
                }
            }
            "INTERVAL" => match value.trim().parse::<i64>() {
                Ok(n) if n > 0 => interval = n,
                _ => return start,
            },
            // Days named plainly, the start's among them: every period looks the same.
            "BYDAY"
                if value
                    .split(',')
                    .any(|d| d.trim().eq_ignore_ascii_case(weekday))
                    && value.split(',').all(|d| d.trim().len() == 2) => {}
            "WKST" => {}
            "UNTIL" => until = Some(value.trim().to_owned()),
            _ => return start,
        }
    }
    let period = period_days * interval;
    let Ok(days) = start.date().until((jiff::Unit::Day, near.date())) else {
        return start;
    };
    let periods = days.get_days() as i64 / period - 1;
    if period == 0 || periods <= 0 {
        return start;
    }
    let Ok(jumped) = start.checked_add(jiff::Span::new().days(periods * period)) else {
        return start;
    };
    // Never past the end of the series.
    match until {
        Some(u)
            if u.get(..8)
                .is_some_and(|d| d <= jumped.strftime("%Y%m%d").to_string().as_str()) =>
        {
            start
        }
        _ => jumped,
    }
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
    // Names and values of a rule are case-insensitive (RFC 5545 §3.1).
    let rule = schedule
        .rule
        .unwrap_or("FREQ=DAILY;COUNT=1")
        .trim()
        .to_ascii_uppercase();
    let rule = rule.strip_prefix("RRULE:").unwrap_or(&rule);
    if rule.contains(['\r', '\n']) {
        return Err(RecurrenceError::Rule(
            "sie muss in einer Zeile stehen.".into(),
        ));
    }
    let frequency = rule
        .split(';')
        .find_map(|part| part.trim().strip_prefix("FREQ="))
        .unwrap_or("");
    // The time of day is the start's: a rule may not add times (BYHOUR=0,…,23).
    let adds_times = rule.split(';').any(|part| {
        ["BYHOUR=", "BYMINUTE=", "BYSECOND="]
            .iter()
            .any(|key| part.trim().starts_with(key))
    });
    if matches!(frequency, "HOURLY" | "MINUTELY" | "SECONDLY") || adds_times {
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
    use chrono::{Datelike as _, Timelike as _};
    let local = date.naive_local();
    let field = |n: u32| i8::try_from(n).map_err(|e| RecurrenceError::Rule(e.to_string()));
    let year = i16::try_from(local.year()).map_err(|e| RecurrenceError::Rule(e.to_string()))?;
    DateTime::new(
        year,
        field(local.month())?,
        field(local.day())?,
        field(local.hour())?,
        field(local.minute())?,
        field(local.second())?,
        0,
    )
    .map_err(|e| RecurrenceError::Rule(e.to_string()))
}

#[cfg(test)]
mod tests;
