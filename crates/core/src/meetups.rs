//! Meetups: leads plan them (once or recurring, on site or online, with a capacity),
//! people answer yes, maybe or no (a full meetup keeps a waitlist), and everyone sees
//! the dates ahead. Times are civil times in Europe/Berlin; see
//! [`crate::calendars::recurrence`].

use std::collections::HashMap;

use codefor_storage::accounts::{self, Account};
use codefor_storage::meetups::{
    self, Answered, Exception, Filter, Meetup, MeetupFields, MeetupLab,
};
use codefor_storage::{Db, DbError, audit};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use serde::Serialize;

use crate::accounts::{AccountError, Limit, check_and_count};
use crate::calendars::recurrence::{self, BERLIN, Occurrence, Schedule};
use crate::editing::value;
use crate::forms::{self, FieldErrors};
use crate::mail::{Mail, Mailer};

/// Answers per account and hour: plenty for a person, a wall for a script.
pub const RSVPS_PER_ACCOUNT: Limit = Limit {
    scope: "rsvp-account",
    max: 60,
    window: 3600,
};

/// The ways a meetup can repeat, offered in the form; `custom` takes an RRULE.
pub const REPEATS: [(&str, &str); 6] = [
    ("none", "Einmalig"),
    ("weekly", "Jede Woche"),
    ("biweekly", "Alle zwei Wochen"),
    (
        "monthly",
        "Jeden Monat am selben Wochentag (z. B. jeden 2. Dienstag)",
    ),
    ("monthly-last", "Jeden Monat am letzten dieses Wochentags"),
    ("custom", "Eigene Regel (RFC 5545)"),
];

/// A checked meetup form.
#[derive(Debug, Clone)]
pub struct Planned {
    pub fields: MeetupFields,
    /// Civil start times of dates left out.
    pub skipped: Vec<String>,
}

const WEEKDAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/// Reads and checks a meetup form. Field names: `title`, `description`, `date`,
/// `start`, `end`, `end_date`, `repeat`, `rule`, `until`, `skipped`, `venue`,
/// `address`, `online_url`, `capacity`.
pub fn parse(form: &HashMap<String, String>) -> Result<Planned, FieldErrors> {
    let mut errors = FieldErrors::default();
    let title = forms::required(&mut errors, "title", "Titel", value(form, "title"), 150);
    let description = forms::optional(
        &mut errors,
        "description",
        "Beschreibung",
        value(form, "description"),
        20_000,
    )
    .unwrap_or_default();
    let date = parse_date(&mut errors, "date", "Datum", value(form, "date"), true);
    let start = parse_time(&mut errors, "start", "Beginn", value(form, "start"));
    let end = parse_time(&mut errors, "end", "Ende", value(form, "end"));
    let end_date = parse_date(
        &mut errors,
        "end_date",
        "Enddatum",
        value(form, "end_date"),
        false,
    );
    let venue = forms::optional(&mut errors, "venue", "Ort", value(form, "venue"), 200);
    let address = forms::optional(
        &mut errors,
        "address",
        "Adresse",
        value(form, "address"),
        300,
    );
    let online_url = forms::optional(
        &mut errors,
        "online_url",
        "Link zur Online-Teilnahme",
        value(form, "online_url"),
        500,
    );
    if let Some(url) = &online_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        errors.add(
            "online_url",
            "Der Link zur Online-Teilnahme muss mit https:// beginnen.",
        );
    }
    if venue.is_none() && address.is_none() && online_url.is_none() {
        errors.add(
            "venue",
            "Bitte gib einen Ort, eine Adresse oder einen Link zur Online-Teilnahme an.",
        );
    }
    let capacity = match value(form, "capacity").trim() {
        "" => None,
        n => match n.parse::<i64>() {
            Ok(n) if (1..=100_000).contains(&n) => Some(n),
            _ => {
                errors.add(
                    "capacity",
                    "Die Zahl der Plätze ist eine ganze Zahl ab 1 (oder leer für unbegrenzt).",
                );
                None
            }
        },
    };
    let (Some(date), Some(start), Some(end)) = (date, start, end) else {
        return Err(errors);
    };
    let starts = date.to_datetime(start);
    let ends = end_date.unwrap_or(date).to_datetime(end);
    if ends <= starts {
        errors.add(
            "end",
            "Das Ende liegt nicht nach dem Beginn; für ein Treffen über Mitternacht gib das Enddatum an.",
        );
    }
    let rule = repeat_rule(&mut errors, form, starts);
    let skipped: Vec<String> = value(form, "skipped")
        .split([',', '\n'])
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .filter_map(|d| match d.parse::<Date>() {
            Ok(d) => Some(d.to_datetime(start).to_string()),
            Err(_) => {
                errors.add(
                    "skipped",
                    format!("„{d}“ ist kein Datum; schreibe z. B. 2026-12-22, eines pro Zeile."),
                );
                None
            }
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let skipped_civil: Vec<DateTime> = skipped.iter().filter_map(|d| d.parse().ok()).collect();
    let schedule = Schedule {
        start: starts,
        end: ends,
        time_zone: BERLIN,
        rule: rule.as_deref(),
        skipped: &skipped_civil,
    };
    let (first, last) = match recurrence::bounds(&schedule) {
        Ok(b) => b,
        Err(e) => return Err(FieldErrors::one("rule", e.to_string())),
    };
    Ok(Planned {
        fields: MeetupFields {
            title,
            // The meetup's title is the page's h1: a `# heading` in the text is demoted.
            description_html: codefor_content::markdown::demote_headings(
                &codefor_content::markdown::render_plain(&description),
                false,
            ),
            description_md: description,
            starts_at: starts.to_string(),
            ends_at: ends.to_string(),
            time_zone: BERLIN.to_owned(),
            all_day: false,
            rrule: rule,
            first_start: first.as_second(),
            last_end: last.map(|l| l.as_second()),
            venue,
            address,
            online_url,
            capacity,
            cancelled: false,
        },
        skipped,
    })
}

fn parse_date(
    errors: &mut FieldErrors,
    field: &'static str,
    label: &str,
    value: &str,
    required: bool,
) -> Option<Date> {
    match value.trim() {
        "" if !required => None,
        "" => {
            errors.add(field, format!("Bitte gib „{label}“ an."));
            None
        }
        v => match v.parse::<Date>() {
            Ok(d) if (2000..=2100).contains(&d.year()) => Some(d),
            _ => {
                errors.add(
                    field,
                    format!("„{label}“ ist kein Datum; schreibe es wie 2026-03-10."),
                );
                None
            }
        },
    }
}

fn parse_time(
    errors: &mut FieldErrors,
    field: &'static str,
    label: &str,
    value: &str,
) -> Option<Time> {
    match value.trim() {
        "" => {
            errors.add(field, format!("Bitte gib „{label}“ an."));
            None
        }
        v => match v.parse::<Time>() {
            Ok(t) => Some(t),
            Err(_) => {
                errors.add(
                    field,
                    format!("„{label}“ ist keine Uhrzeit; schreibe sie wie 19:00."),
                );
                None
            }
        },
    }
}

/// The RRULE for the chosen repetition, with `until` as its end.
fn repeat_rule(
    errors: &mut FieldErrors,
    form: &HashMap<String, String>,
    start: DateTime,
) -> Option<String> {
    let weekday = WEEKDAYS[usize::from(start.weekday().to_monday_zero_offset().unsigned_abs())];
    // A fifth weekday is in some months only: the last one is what people mean.
    let nth = match (start.day() - 1) / 7 + 1 {
        5 => -1,
        n => n,
    };
    let base = match value(form, "repeat") {
        "" | "none" => return None,
        "weekly" => "FREQ=WEEKLY".to_owned(),
        "biweekly" => "FREQ=WEEKLY;INTERVAL=2".to_owned(),
        "monthly" => format!("FREQ=MONTHLY;BYDAY={nth}{weekday}"),
        "monthly-last" => format!("FREQ=MONTHLY;BYDAY=-1{weekday}"),
        "custom" => {
            let rule = value(form, "rule").trim();
            let rule = rule
                .strip_prefix("RRULE:")
                .unwrap_or(rule)
                .to_ascii_uppercase();
            if rule.is_empty() {
                errors.add(
                    "rule",
                    "Bitte gib die Regel an, z. B. FREQ=MONTHLY;BYDAY=2TU für jeden 2. Dienstag.",
                );
                return None;
            }
            rule
        }
        _ => {
            errors.add("repeat", "Bitte wähle, wie sich das Treffen wiederholt.");
            return None;
        }
    };
    let until = parse_date(
        errors,
        "until",
        "Wiederholen bis",
        value(form, "until"),
        false,
    );
    let rule = match until {
        Some(_) if base.contains("UNTIL=") || base.contains("COUNT=") => {
            errors.add(
                "until",
                "Die eigene Regel hat schon ein Ende (UNTIL oder COUNT); lass „Wiederholen bis“ leer.",
            );
            return None;
        }
        Some(day) => {
            let last = day.to_datetime(Time::constant(23, 59, 59, 0));
            let at = jiff::tz::TimeZone::get(BERLIN)
                .and_then(|tz| tz.to_timestamp(last))
                .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string());
            match at {
                Ok(at) => format!("{base};UNTIL={at}"),
                Err(_) => base,
            }
        }
        None => base,
    };
    if let Err(e) = recurrence::check_rule(&rule, start, BERLIN) {
        errors.add("rule", e.to_string());
        return None;
    }
    Some(rule)
}

/// Form values for editing a stored meetup.
pub fn form_values(meetup: &Meetup, skipped: &[Exception]) -> HashMap<String, String> {
    let start: Option<DateTime> = meetup.starts_at.parse().ok();
    let end: Option<DateTime> = meetup.ends_at.parse().ok();
    let mut values: HashMap<String, String> = [
        ("title", meetup.title.clone()),
        ("description", meetup.description_md.clone()),
        ("venue", meetup.venue.clone().unwrap_or_default()),
        ("address", meetup.address.clone().unwrap_or_default()),
        ("online_url", meetup.online_url.clone().unwrap_or_default()),
        (
            "capacity",
            meetup.capacity.map(|c| c.to_string()).unwrap_or_default(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if let (Some(start), Some(end)) = (start, end) {
        values.insert("date".into(), start.date().to_string());
        values.insert("start".into(), start.time().strftime("%H:%M").to_string());
        values.insert("end".into(), end.time().strftime("%H:%M").to_string());
        if end.date() != start.date() {
            values.insert("end_date".into(), end.date().to_string());
        }
    }
    let dates: Vec<String> = skipped
        .iter()
        .filter(|e| e.kind == "skipped")
        .map(|e| e.occurrence.get(..10).unwrap_or(&e.occurrence).to_owned())
        .collect();
    values.insert("skipped".into(), dates.join("\n"));
    let (repeat, rule, until) = match (meetup.rrule.as_deref(), start) {
        (None, _) => ("none", String::new(), String::new()),
        (Some(rule), Some(start)) => preset_of(rule, start),
        (Some(rule), None) => ("custom", rule.to_owned(), String::new()),
    };
    values.insert("repeat".into(), repeat.into());
    values.insert("rule".into(), rule);
    values.insert("until".into(), until);
    values
}

/// Which of the form's choices a stored rule is, with its end as a Berlin date; other
/// rules are shown as they are.
fn preset_of(rule: &str, start: DateTime) -> (&'static str, String, String) {
    let mut parts: Vec<&str> = rule.split(';').collect();
    let until = parts
        .iter()
        .position(|p| p.starts_with("UNTIL=") && p.ends_with('Z'))
        .map(|i| parts.remove(i))
        .and_then(|u| u.strip_prefix("UNTIL="))
        .and_then(|u| jiff::civil::DateTime::strptime("%Y%m%dT%H%M%SZ", u).ok())
        .and_then(|u| jiff::tz::TimeZone::UTC.to_timestamp(u).ok())
        .and_then(|t| recurrence::local(t, BERLIN).ok())
        .map(|d| d.date().to_string());
    let core = parts.join(";");
    let weekday = WEEKDAYS[usize::from(start.weekday().to_monday_zero_offset().unsigned_abs())];
    let nth = (start.day() - 1) / 7 + 1;
    let presets = [
        ("weekly", "FREQ=WEEKLY".to_owned()),
        ("biweekly", "FREQ=WEEKLY;INTERVAL=2".to_owned()),
        ("monthly", format!("FREQ=MONTHLY;BYDAY={nth}{weekday}")),
        ("monthly-last", format!("FREQ=MONTHLY;BYDAY=-1{weekday}")),
    ];
    match (presets.iter().find(|(_, r)| *r == core), until) {
        (Some((key, _)), Some(until)) => (key, String::new(), until),
        (Some((key, _)), None) if !rule.contains("UNTIL=") => (key, String::new(), String::new()),
        _ => ("custom", rule.to_owned(), String::new()),
    }
}

/// The schedule of a stored meetup, with its skipped dates.
pub fn schedule_parts(
    meetup: &Meetup,
    exceptions: &[Exception],
) -> Result<(DateTime, DateTime, Vec<DateTime>), recurrence::RecurrenceError> {
    let bad = |what: &str| recurrence::RecurrenceError::Rule(format!("gespeicherte Zeit {what}"));
    let start = meetup
        .starts_at
        .parse()
        .map_err(|_| bad(&meetup.starts_at))?;
    let end = meetup.ends_at.parse().map_err(|_| bad(&meetup.ends_at))?;
    let skipped = exceptions
        .iter()
        .filter(|e| e.kind == "skipped")
        .filter_map(|e| e.occurrence.parse().ok())
        .collect();
    Ok((start, end, skipped))
}

/// One date of a meetup as pages and feeds show it.
#[derive(Debug, Clone, Serialize)]
pub struct Dated {
    pub id: i64,
    pub uid: String,
    pub title: String,
    /// Civil start and end in Berlin (`2026-03-10T19:00:00`); `start` identifies the
    /// date for answers and cancellations.
    pub start: String,
    pub end: String,
    /// RFC 3339 instants.
    pub start_at: String,
    pub end_at: String,
    pub all_day: bool,
    pub recurring: bool,
    pub venue: Option<String>,
    pub address: Option<String>,
    pub online_url: Option<String>,
    pub capacity: Option<i64>,
    /// Confirmed places taken.
    pub taken: i64,
    pub cancelled: bool,
    pub cancel_reason: Option<String>,
    pub external: bool,
    pub labs: Vec<MeetupLab>,
}

/// The dates in `[from, to)`, in order, at most `max` — cancelled ones included and
/// marked, skipped ones left out.
pub async fn dates(
    db: &Db,
    filter: Filter<'_>,
    from: Timestamp,
    to: Timestamp,
    max: usize,
) -> Result<Vec<Dated>, DbError> {
    let filter = Filter {
        brief: true,
        ..filter
    };
    let found = meetups::in_window(db, from.as_second(), to.as_second(), filter).await?;
    let ids: Vec<i64> = found.iter().map(|m| m.id).collect();
    let exceptions = meetups::exceptions(db, &ids).await?;
    let limit = u16::try_from(max).unwrap_or(u16::MAX);
    let none = Vec::new();
    // Only the dates the page shows: a fortnight first, four times as far until there
    // are enough (any date not found then lies after all that were).
    let mut reach = jiff::SignedDuration::from_hours(24 * 14);
    let mut dated: Vec<(Timestamp, &Meetup, Occurrence)> = Vec::new();
    loop {
        let end = from.checked_add(reach).unwrap_or(to).min(to);
        dated.clear();
        for meetup in &found {
            let ex = exceptions.get(&meetup.id).unwrap_or(&none);
            for occurrence in expand(meetup, ex, from, end, limit) {
                dated.push((occurrence.start_at, meetup, occurrence));
            }
        }
        if dated.len() >= max || end >= to {
            break;
        }
        reach = reach.saturating_mul(4);
    }
    dated.sort_by_key(|(at, m, _)| (*at, m.id));
    dated.truncate(max);
    let shown: Vec<i64> = dated.iter().map(|(_, m, _)| m.id).collect();
    let labs = meetups::labs_of(db, &shown).await?;
    let taken = meetups::taken(db, &shown).await?;
    Ok(dated
        .into_iter()
        .map(|(_, meetup, occurrence)| {
            let start = occurrence.start.to_string();
            let cancelled = exceptions.get(&meetup.id).and_then(|ex| {
                ex.iter()
                    .find(|e| e.kind == "cancelled" && e.occurrence == start)
            });
            Dated {
                id: meetup.id,
                uid: meetup.uid.clone(),
                title: meetup.title.clone(),
                end: occurrence.end.to_string(),
                start_at: occurrence.start_at.to_string(),
                end_at: occurrence.end_at.to_string(),
                all_day: meetup.all_day != 0,
                recurring: meetup.rrule.is_some(),
                venue: meetup.venue.clone(),
                address: meetup.address.clone(),
                online_url: meetup.online_url.clone(),
                capacity: meetup.capacity,
                taken: taken.get(&(meetup.id, start.clone())).copied().unwrap_or(0),
                cancelled: meetup.status == "cancelled" || cancelled.is_some(),
                cancel_reason: cancelled.and_then(|c| c.reason.clone()),
                external: meetup.source_id.is_some(),
                labs: labs.get(&meetup.id).cloned().unwrap_or_default(),
                start,
            }
        })
        .collect())
}

/// A meetup's occurrences in a window; a meetup whose stored times do not parse (never
/// written by this code) has none, and says so in the log.
pub fn expand(
    meetup: &Meetup,
    exceptions: &[Exception],
    from: Timestamp,
    to: Timestamp,
    limit: u16,
) -> Vec<Occurrence> {
    let result = schedule_parts(meetup, exceptions).and_then(|(start, end, skipped)| {
        recurrence::occurrences(
            &Schedule {
                start,
                end,
                time_zone: &meetup.time_zone,
                rule: meetup.rrule.as_deref(),
                skipped: &skipped,
            },
            from,
            to,
            limit,
        )
    });
    result.unwrap_or_else(|e| {
        tracing::warn!(meetup = meetup.id, error = %e, "meetup has no readable schedule");
        Vec::new()
    })
}

/// Upcoming dates from now on: the next `max` within a year.
pub async fn upcoming(db: &Db, filter: Filter<'_>, max: usize) -> Result<Vec<Dated>, DbError> {
    let now = Timestamp::now();
    let year = now
        .checked_add(jiff::SignedDuration::from_hours(24 * 366))
        .unwrap_or(now);
    dates(db, filter, now, year, max).await
}

/// Creates a meetup of `labs`; returns its id.
pub async fn create(
    db: &Db,
    account: &Account,
    planned: &Planned,
    labs: &[i64],
    host: &str,
) -> Result<i64, AccountError> {
    let uid = format!(
        "meetup-{}@{host}",
        crate::secrets::random_token()?.get(..16).unwrap_or("x")
    );
    let mut tx = db.begin().await?;
    let id = meetups::create(&mut tx, &uid, &planned.fields, labs, Some(account.id), None).await?;
    meetups::set_skipped(&mut tx, id, &planned.skipped).await?;
    audit::record(
        &mut tx,
        Some(account.id),
        &account.display_name,
        "meetup.create",
        &id.to_string(),
        &planned.fields.title,
    )
    .await?;
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    Ok(id)
}

/// Rewrites a meetup (its answers stay with their dates).
#[allow(clippy::too_many_arguments)]
pub async fn update(
    db: &Db,
    mailer: &Mailer,
    origin: &str,
    account: &Account,
    meetup: &Meetup,
    planned: &Planned,
    labs: &[i64],
) -> Result<(), AccountError> {
    let mut fields = planned.fields.clone();
    fields.cancelled = meetup.status == "cancelled";
    let mut tx = db.begin().await?;
    meetups::update(&mut tx, meetup.id, &fields, labs, None).await?;
    meetups::set_skipped(&mut tx, meetup.id, &planned.skipped).await?;
    // A series moved (say from 19:00 to 18:30, or a day later): the answers and
    // cancellations of dates ahead move with it.
    let old: Option<DateTime> = meetup.starts_at.parse().ok();
    let new: Option<DateTime> = fields.starts_at.parse().ok();
    if let (Some(old), Some(new)) = (old, new)
        && old != new
        && let Ok(by) = old.until((jiff::Unit::Minute, new))
    {
        let now = recurrence::local(Timestamp::now(), &meetup.time_zone)
            .map(|d| d.to_string())
            .unwrap_or_default();
        meetups::move_dates(&mut tx, meetup.id, &now, &|key: &str| {
            key.parse::<DateTime>()
                .ok()
                .and_then(|d| d.checked_add(by).ok())
                .map(|d| d.to_string())
        })
        .await?;
    }
    // More places (or no limit any more): the waitlist moves up.
    let promoted = meetups::promote_waiting(&mut tx, meetup.id, fields.capacity).await?;
    audit::record(
        &mut tx,
        Some(account.id),
        &account.display_name,
        "meetup.update",
        &meetup.id.to_string(),
        &fields.title,
    )
    .await?;
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    for (occurrence, person) in promoted {
        tell_promoted(db, mailer, origin, meetup, &occurrence, person).await?;
    }
    Ok(())
}

/// Tells a person who moved up from the waitlist that they have a place.
async fn tell_promoted(
    db: &Db,
    mailer: &Mailer,
    origin: &str,
    meetup: &Meetup,
    occurrence: &str,
    account_id: i64,
) -> Result<(), AccountError> {
    let Some(person) = accounts::get(db, account_id).await? else {
        return Ok(());
    };
    let when = occurrence
        .parse::<DateTime>()
        .map(|d| d.strftime("%d.%m.%Y um %H:%M Uhr").to_string())
        .unwrap_or_else(|_| occurrence.to_owned());
    mailer
        .send(&Mail {
            to: person.email,
            subject: format!("Ein Platz ist frei: {}", meetup.title),
            body: format!(
                "Hallo {},\n\nbei „{}“ am {when} ist ein Platz frei geworden, und du warst als \
                 Nächste*r auf der Warteliste: du bist dabei.\n\nFalls du doch nicht kommen \
                 kannst, sag bitte ab, damit die nächste Person nachrücken kann: \
                 {origin}/termine/{}/\n",
                person.display_name, meetup.title, meetup.id
            ),
        })
        .await?;
    Ok(())
}

/// Cancels one date (or the whole one-off meetup) with a reason everyone sees, or
/// takes the cancellation back.
pub async fn cancel(
    db: &Db,
    account: &Account,
    meetup: &Meetup,
    occurrence: &str,
    cancel: bool,
    reason: &str,
) -> Result<(), AccountError> {
    let mut errors = FieldErrors::default();
    let reason = forms::optional(&mut errors, "reason", "Grund", reason, 500);
    // One spelling per date (`19:00` and `19:00:00` are the same date).
    let occurrence = match occurrence.parse::<DateTime>() {
        Ok(d) => d.to_string(),
        Err(_) => {
            errors.add("occurrence", "Dieser Termin ist unbekannt.");
            String::new()
        }
    };
    let occurrence = occurrence.as_str();
    errors.into_result(())?;
    let mut tx = db.begin().await?;
    if meetup.rrule.is_none() {
        meetups::set_cancelled(&mut tx, meetup.id, cancel).await?;
    }
    meetups::set_exception(
        &mut tx,
        meetup.id,
        occurrence,
        cancel.then_some("cancelled"),
        reason.as_deref(),
    )
    .await?;
    audit::record(
        &mut tx,
        Some(account.id),
        &account.display_name,
        if cancel {
            "meetup.cancel"
        } else {
            "meetup.uncancel"
        },
        &meetup.id.to_string(),
        occurrence,
    )
    .await?;
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    Ok(())
}

/// Deletes a meetup with its answers.
pub async fn delete(db: &Db, account: &Account, meetup: &Meetup) -> Result<(), AccountError> {
    let mut tx = db.begin().await?;
    meetups::delete(&mut tx, meetup.id).await?;
    audit::record(
        &mut tx,
        Some(account.id),
        &account.display_name,
        "meetup.delete",
        &meetup.id.to_string(),
        &meetup.title,
    )
    .await?;
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    Ok(())
}

/// Whether `occurrence` is a date of `meetup` that has not ended yet and is not
/// cancelled — the dates one can answer for.
pub async fn open_date(db: &Db, meetup: &Meetup, occurrence: &str) -> Result<bool, DbError> {
    let Ok(start) = occurrence.parse::<DateTime>() else {
        return Ok(false);
    };
    if meetup.status == "cancelled" {
        return Ok(false);
    }
    let exceptions = meetups::exceptions(db, &[meetup.id]).await?;
    let ex = exceptions.get(&meetup.id).cloned().unwrap_or_default();
    if ex.iter().any(|e| e.occurrence == occurrence) {
        return Ok(false);
    }
    let Ok(at) = jiff::tz::TimeZone::get(&meetup.time_zone).and_then(|tz| tz.to_timestamp(start))
    else {
        return Ok(false);
    };
    let from = Timestamp::now().max(
        at.checked_sub(jiff::SignedDuration::from_mins(1))
            .unwrap_or(at),
    );
    let to = at
        .checked_add(jiff::SignedDuration::from_mins(1))
        .unwrap_or(at);
    Ok(expand(meetup, &ex, from, to, 4)
        .iter()
        .any(|o| o.start == start))
}

/// What an answer did, for the message shown after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Confirmed,
    Waitlisted,
    Noted,
    Withdrawn,
}

/// Records a person's answer (`yes`, `maybe`, `no`, or `withdraw`) for one date. When
/// a place frees up, the first on the waitlist gets it and hears so by e-mail.
pub async fn answer(
    db: &Db,
    mailer: &Mailer,
    origin: &str,
    account: &Account,
    meetup: &Meetup,
    occurrence: &str,
    answer: &str,
) -> Result<Outcome, AccountError> {
    if !matches!(answer, "yes" | "maybe" | "no" | "withdraw") {
        return Err(
            FieldErrors::one("answer", "Bitte wähle Zusage, Vielleicht oder Absage.").into(),
        );
    }
    let occurrence = occurrence
        .parse::<DateTime>()
        .map(|d| d.to_string())
        .unwrap_or_default();
    let occurrence = occurrence.as_str();
    if !open_date(db, meetup, occurrence).await? {
        return Err(FieldErrors::one(
            "answer",
            "Für diesen Termin sind keine Antworten mehr möglich: er ist vorbei, abgesagt oder unbekannt.",
        )
        .into());
    }
    check_and_count(db, RSVPS_PER_ACCOUNT, &account.id.to_string()).await?;
    let mut tx = db.begin().await?;
    let (outcome, promoted) = if answer == "withdraw" {
        let promoted =
            meetups::withdraw(&mut tx, meetup.id, occurrence, account.id, meetup.capacity).await?;
        (Outcome::Withdrawn, promoted)
    } else {
        let (fate, promoted) = meetups::answer(
            &mut tx,
            meetup.id,
            occurrence,
            account.id,
            answer,
            meetup.capacity,
        )
        .await?;
        let outcome = match fate {
            Answered::Confirmed => Outcome::Confirmed,
            Answered::Waitlisted => Outcome::Waitlisted,
            Answered::Noted => Outcome::Noted,
        };
        (outcome, promoted)
    };
    // No content version bump: counts on public pages may lag the page cache's minute,
    // rather than every answer emptying the cache for everyone.
    codefor_storage::commit(tx).await?;
    if let Some(promoted) = promoted {
        tell_promoted(db, mailer, origin, meetup, occurrence, promoted).await?;
    }
    Ok(outcome)
}

/// Network-wide number of dates from now on within 90 days (for the figures), not
/// counting cancelled ones. Counted at most once a minute per process.
pub async fn upcoming_count(db: &Db) -> Result<usize, DbError> {
    // Remembered for a minute, per database: a process (the tests, say) may open several,
    // and one database's figure must never answer for another's.
    static MEMO: std::sync::Mutex<Option<(usize, std::time::Instant, usize)>> =
        std::sync::Mutex::new(None);
    let database = std::sync::Arc::as_ptr(&db.pool().connect_options()) as usize;
    if let Ok(memo) = MEMO.lock()
        && let Some((of, at, n)) = *memo
        && of == database
        && at.elapsed() < std::time::Duration::from_secs(60)
    {
        return Ok(n);
    }
    let now = Timestamp::now();
    let to = now
        .checked_add(jiff::SignedDuration::from_hours(24 * 90))
        .unwrap_or(now);
    let n = count(db, now, to).await?;
    if let Ok(mut memo) = MEMO.lock() {
        *memo = Some((database, std::time::Instant::now(), n));
    }
    Ok(n)
}

/// The dates in `[from, to)` across the network, not counting cancelled ones.
pub async fn count(db: &Db, from: Timestamp, to: Timestamp) -> Result<usize, DbError> {
    let filter = Filter {
        brief: true,
        ..Filter::default()
    };
    let found = meetups::in_window(db, from.as_second(), to.as_second(), filter).await?;
    let ids: Vec<i64> = found.iter().map(|m| m.id).collect();
    let exceptions = meetups::exceptions(db, &ids).await?;
    let none = Vec::new();
    let mut n = 0;
    for meetup in found.iter().filter(|m| m.status != "cancelled") {
        let ex = exceptions.get(&meetup.id).unwrap_or(&none);
        n += expand(meetup, ex, from, to, recurrence::MAX_OCCURRENCES)
            .iter()
            .filter(|o| {
                let start = o.start.to_string();
                !ex.iter()
                    .any(|e| e.kind == "cancelled" && e.occurrence == start)
            })
            .count();
    }
    Ok(n)
}

const WEEKDAY_NAMES: [&str; 7] = [
    "Montag",
    "Dienstag",
    "Mittwoch",
    "Donnerstag",
    "Freitag",
    "Samstag",
    "Sonntag",
];

/// A recurrence in words: `jeden 2. Dienstag im Monat`, `jede Woche am Donnerstag`;
/// rules the form does not offer are shown as they are.
pub fn describe(rule: &str, start: DateTime) -> String {
    let weekday =
        WEEKDAY_NAMES[usize::from(start.weekday().to_monday_zero_offset().unsigned_abs())];
    let mut parts: Vec<&str> = rule.split(';').collect();
    let until = parts
        .iter()
        .position(|p| p.starts_with("UNTIL="))
        .map(|i| parts.remove(i))
        .and_then(|u| u.strip_prefix("UNTIL="))
        .and_then(|u| u.get(..8))
        .and_then(|d| jiff::civil::Date::strptime("%Y%m%d", d).ok());
    let core = parts.join(";");
    let nth = (start.day() - 1) / 7 + 1;
    let code = WEEKDAYS[usize::from(start.weekday().to_monday_zero_offset().unsigned_abs())];
    let words = if core == "FREQ=WEEKLY" || core == format!("FREQ=WEEKLY;BYDAY={code}") {
        format!("jede Woche am {weekday}")
    } else if core == "FREQ=WEEKLY;INTERVAL=2" {
        format!("alle zwei Wochen am {weekday}")
    } else if core == format!("FREQ=MONTHLY;BYDAY={nth}{code}") {
        format!("jeden {nth}. {weekday} im Monat")
    } else if core == format!("FREQ=MONTHLY;BYDAY=-1{code}") {
        format!("jeden letzten {weekday} im Monat")
    } else if core == "FREQ=MONTHLY" {
        format!("jeden Monat am {}.", start.day())
    } else if core == "FREQ=DAILY" {
        "jeden Tag".to_owned()
    } else {
        format!("nach der Regel {core}")
    };
    match until {
        Some(day) => format!("{words}, bis {}", day.strftime("%-d.%-m.%Y")),
        None => words,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_second_tuesday_preset_becomes_an_rrule_with_its_end_in_utc() {
        let planned = parse(&form(&[
            ("title", "Lab-Abend"),
            ("date", "2026-03-10"),
            ("start", "19:00"),
            ("end", "21:00"),
            ("repeat", "monthly"),
            ("until", "2026-12-31"),
            ("venue", "Stadtbibliothek"),
            ("skipped", "2026-04-14\n2026-08-11"),
        ]))
        .unwrap();
        assert_eq!(
            planned.fields.rrule.as_deref(),
            Some("FREQ=MONTHLY;BYDAY=2TU;UNTIL=20261231T225959Z")
        );
        assert_eq!(
            planned.skipped,
            ["2026-04-14T19:00:00", "2026-08-11T19:00:00"]
        );
        // The last date is 8 December, 21:00 in Berlin.
        assert_eq!(
            planned.fields.last_end,
            Some(
                "2026-12-08T20:00:00Z"
                    .parse::<Timestamp>()
                    .unwrap()
                    .as_second()
            )
        );
        let start: DateTime = "2026-03-10T19:00".parse().unwrap();
        assert_eq!(
            describe(planned.fields.rrule.as_deref().unwrap(), start),
            "jeden 2. Dienstag im Monat, bis 31.12.2026"
        );
        assert_eq!(
            describe("FREQ=WEEKLY;INTERVAL=2", start),
            "alle zwei Wochen am Dienstag"
        );
        // Editing shows the choice that was made, with its end date.
        let (repeat, rule, until) = preset_of(planned.fields.rrule.as_deref().unwrap(), start);
        assert_eq!(
            (repeat, rule.as_str(), until.as_str()),
            ("monthly", "", "2026-12-31")
        );
        assert_eq!(
            preset_of("FREQ=MONTHLY;BYMONTHDAY=1", start),
            (
                "custom",
                "FREQ=MONTHLY;BYMONTHDAY=1".to_owned(),
                String::new()
            )
        );
    }

    #[test]
    fn every_mistake_is_named_at_its_field() {
        let errors = parse(&form(&[
            ("date", "10.03.2026"),
            ("start", "7 pm"),
            ("end", "21:00"),
            ("repeat", "custom"),
            ("rule", "FREQ=HOURLY"),
            ("capacity", "-3"),
            ("online_url", "javascript:alert(1)"),
        ]))
        .unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["title", "date", "start", "online_url", "capacity"],
            "{errors:?}"
        );
        let errors = parse(&form(&[
            ("title", "x"),
            ("date", "2026-03-10"),
            ("start", "19:00"),
            ("end", "18:00"),
            ("online_url", "https://meet.example.org/x"),
            ("repeat", "custom"),
            ("rule", "FREQ=HOURLY"),
        ]))
        .unwrap_err();
        assert_eq!(
            errors.get("end").map(|m| m.contains("Enddatum")),
            Some(true)
        );
        assert!(errors.get("rule").is_some_and(|m| m.contains("täglich")));
    }
}
