//! iCalendar (RFC 5545) text: feeds written from meetups — a recurring meetup is one
//! VEVENT with its RRULE and EXDATEs, a cancelled date an override with
//! RECURRENCE-ID and STATUS:CANCELLED — and external feeds read into meetups.
//! Building, escaping and line folding are the `icalendar` crate's.

use std::collections::HashMap;

use codefor_storage::meetups::{Exception, Meetup, MeetupFields, MeetupLab};
use icalendar::{
    Calendar, CalendarDateTime, Component, DatePerhapsTime, Event, EventLike, EventStatus, Property,
};
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use sha2::{Digest, Sha256};

use super::recurrence::{self, BERLIN, Schedule};

/// Europe/Berlin as a VTIMEZONE, which RFC 5545 wants beside every TZID used: the EU
/// rule since 1996 (last Sunday of March and of October).
const BERLIN_VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n\
BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n\
DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n\
DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n\
END:VTIMEZONE\r\n";

/// One meetup as a feed shows it.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    pub meetup: &'a Meetup,
    pub labs: &'a [MeetupLab],
    pub exceptions: &'a [Exception],
    /// The meetup's page, absolute.
    pub url: &'a str,
    /// Only this date (a person's own feed lists the dates they answered for).
    pub only: Option<&'a str>,
    /// The person said maybe, or waits for a place: TENTATIVE, not CONFIRMED.
    pub tentative: bool,
}

/// A whole feed.
pub fn calendar(name: &str, description: &str, items: &[Item<'_>]) -> String {
    let mut calendar = Calendar::new();
    // `Calendar::name` writes NAME unescaped: both properties are written here.
    let name = escape(&one_line(name));
    calendar.append_property(Property::new("NAME", name.clone()));
    calendar.append_property(Property::new("X-WR-CALNAME", name));
    if !description.is_empty() {
        calendar.description(&clean(description));
    }
    calendar.append_property(
        Property::new("REFRESH-INTERVAL", "PT6H")
            .add_parameter("VALUE", "DURATION")
            .done(),
    );
    calendar.append_property(Property::new("X-PUBLISHED-TTL", "PT6H"));
    for item in items {
        for event in events(item) {
            calendar.push(event);
        }
    }
    let text = calendar.done().to_string();
    let text = text.replacen(
        "PRODID:ICALENDAR-RS",
        "PRODID:-//Code for Germany//codefor//DE",
        1,
    );
    // The zone definition goes before the first event (or the end): at a line's start.
    let at = text
        .find("\r\nBEGIN:VEVENT\r\n")
        .or_else(|| text.find("\r\nEND:VCALENDAR"))
        .map_or(text.len(), |at| at + 2);
    let mut out = String::with_capacity(text.len() + BERLIN_VTIMEZONE.len());
    out.push_str(&text[..at]);
    out.push_str(BERLIN_VTIMEZONE);
    out.push_str(&text[at..]);
    out
}

fn events(item: &Item<'_>) -> Vec<Event> {
    let m = item.meetup;
    let Ok(start) = m.starts_at.parse::<DateTime>() else {
        return Vec::new();
    };
    let Ok(end) = m.ends_at.parse::<DateTime>() else {
        return Vec::new();
    };
    let stamp = stamp(&m.updated_at);
    let base = |event: &mut Event| {
        event
            .summary(&one_line(&m.title))
            .description(&clean(&description(item)))
            .url(&one_line(item.url))
            .sequence(u32::try_from(m.sequence).unwrap_or(0))
            .append_property(Property::new("DTSTAMP", stamp.clone()));
        if let Some(place) = location(m) {
            event.location(&one_line(&place));
        }
        let labs: Vec<&str> = item.labs.iter().map(|l| l.name.as_str()).collect();
        if !labs.is_empty() {
            event.append_property(Property::new(
                "CATEGORIES",
                labs.iter()
                    .map(|l| escape(&one_line(l)))
                    .collect::<Vec<_>>()
                    .join(","),
            ));
        }
    };
    if let Some(only) = item.only {
        // One date of a series as its own event.
        let Ok(day) = only.parse::<DateTime>() else {
            return Vec::new();
        };
        let Ok(length) = start.until((jiff::Unit::Minute, end)) else {
            return Vec::new();
        };
        let Ok(day_end) = day.checked_add(length) else {
            return Vec::new();
        };
        let mut event = Event::new();
        event.uid(&format!("{}-{}", recurrence::ical(day), m.uid));
        base(&mut event);
        times(&mut event, m, day, day_end);
        let cancelled = m.status == "cancelled"
            || item
                .exceptions
                .iter()
                .any(|e| e.occurrence == only && e.kind == "cancelled");
        event.status(if cancelled {
            EventStatus::Cancelled
        } else if item.tentative {
            EventStatus::Tentative
        } else {
            EventStatus::Confirmed
        });
        return vec![event.done()];
    }
    let mut master = Event::new();
    master.uid(&m.uid);
    base(&mut master);
    times(&mut master, m, start, end);
    master.status(if m.status == "cancelled" {
        EventStatus::Cancelled
    } else {
        EventStatus::Confirmed
    });
    let mut out = Vec::new();
    if let Some(rule) = &m.rrule {
        master.append_property(Property::new("RRULE", rule.clone()));
        let skipped: Vec<String> = item
            .exceptions
            .iter()
            .filter(|e| e.kind == "skipped")
            .filter_map(|e| e.occurrence.parse::<DateTime>().ok())
            .map(recurrence::ical)
            .collect();
        if !skipped.is_empty() {
            master.append_multi_property(
                Property::new("EXDATE", skipped.join(","))
                    .add_parameter("TZID", &m.time_zone)
                    .done(),
            );
        }
        out.push(master.done());
        let Ok(length) = start.until((jiff::Unit::Minute, end)) else {
            return out;
        };
        for cancelled in item.exceptions.iter().filter(|e| e.kind == "cancelled") {
            let Ok(day) = cancelled.occurrence.parse::<DateTime>() else {
                continue;
            };
            let Ok(day_end) = day.checked_add(length) else {
                continue;
            };
            let mut event = Event::new();
            event.uid(&m.uid);
            base(&mut event);
            event.append_property(
                Property::new("RECURRENCE-ID", recurrence::ical(day))
                    .add_parameter("TZID", &m.time_zone)
                    .done(),
            );
            times(&mut event, m, day, day_end);
            event.status(EventStatus::Cancelled);
            let summary = match &cancelled.reason {
                Some(reason) => format!("Abgesagt: {} ({reason})", m.title),
                None => format!("Abgesagt: {}", m.title),
            };
            event.summary(&one_line(&summary));
            out.push(event.done());
        }
    } else {
        out.push(master.done());
    }
    out
}

fn times(event: &mut Event, m: &Meetup, start: DateTime, end: DateTime) {
    if m.all_day != 0 {
        event.append_property(
            Property::new("DTSTART", start.date().strftime("%Y%m%d").to_string())
                .add_parameter("VALUE", "DATE")
                .done(),
        );
        let end = if end.date() > start.date() {
            end.date()
        } else {
            start.date().tomorrow().unwrap_or(end.date())
        };
        event.append_property(
            Property::new("DTEND", end.strftime("%Y%m%d").to_string())
                .add_parameter("VALUE", "DATE")
                .done(),
        );
    } else {
        for (key, at) in [("DTSTART", start), ("DTEND", end)] {
            event.append_property(
                Property::new(key, recurrence::ical(at))
                    .add_parameter("TZID", &m.time_zone)
                    .done(),
            );
        }
    }
}

fn description(item: &Item<'_>) -> String {
    let m = item.meetup;
    let mut text = m.description_md.trim().to_owned();
    if let Some(url) = &m.online_url {
        text.push_str(&format!("\n\nOnline: {url}"));
    }
    if let Some(capacity) = m.capacity {
        text.push_str(&format!("\n\nPlätze: {capacity}"));
    }
    text.push_str(&format!("\n\nAnmeldung und Details: {}", item.url));
    text.trim().to_owned()
}

fn location(m: &Meetup) -> Option<String> {
    let parts: Vec<&str> = [m.venue.as_deref(), m.address.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    match (parts.is_empty(), &m.online_url) {
        (false, _) => Some(parts.join(", ")),
        (true, Some(url)) => Some(format!("Online: {url}")),
        (true, None) => None,
    }
}

/// Text as it may stand in a feed: line breaks as `\n`, no other control characters
/// (a lone CR would end the content line; text from external calendars may hold any).
fn clean(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

/// One line of text: titles and places have no line breaks.
pub(crate) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

fn stamp(rfc3339: &str) -> String {
    rfc3339
        .parse::<Timestamp>()
        .unwrap_or_else(|_| Timestamp::now())
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string()
}

/// An event of an external calendar, ready to be stored as a meetup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct External {
    /// The event's UID (with `#` and the date for a moved date of a series).
    pub uid: String,
    pub fields: MeetupFields,
    /// Civil start times left out of a series, and the ones cancelled.
    pub skipped: Vec<String>,
    pub cancelled: Vec<String>,
    /// A fingerprint of all of the above: unchanged events are not written again.
    pub hash: String,
}

/// Most events read from one external calendar.
pub const MAX_EXTERNAL_EVENTS: usize = 2000;

/// Reads an external feed. Events that cannot be understood are left out, each with a
/// note for the lab's leads; a text that is not iCalendar at all is an error.
/// What an external calendar holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Feed {
    pub events: Vec<External>,
    /// Events left out, each with its reason, for the lab's leads.
    pub notes: Vec<String>,
    /// UIDs of events the file has but that were left out (unreadable, or beyond
    /// [`MAX_EXTERNAL_EVENTS`]): meetups taken from them earlier are not withdrawn.
    pub left_out: std::collections::HashSet<String>,
    /// Whether every event of the file was looked at.
    pub complete: bool,
}

pub fn read_external(text: &str) -> Result<Feed, String> {
    if !text.trim_start().starts_with("BEGIN:VCALENDAR") {
        return Err(
            "Die Adresse liefert keinen iCalendar-Kalender (die Datei beginnt nicht mit BEGIN:VCALENDAR)."
                .into(),
        );
    }
    let calendar: Calendar = text.parse().map_err(|e: String| {
        format!(
            "Der Kalender ist fehlerhaft und wurde nicht gelesen: {}",
            first_line(&e)
        )
    })?;
    let mut notes = Vec::new();
    let mut left_out = std::collections::HashSet::new();
    let mut complete = true;
    let mut masters: Vec<External> = Vec::new();
    let mut overrides: Vec<(String, Event)> = Vec::new();
    for event in calendar.components.iter().filter_map(|c| c.as_event()) {
        if !complete {
            if let Some(uid) = event.get_uid() {
                left_out.insert(uid.trim().to_owned());
            }
            continue;
        }
        if event.get_recurrence_id().is_some() {
            if let Some(uid) = event.get_uid() {
                overrides.push((uid.to_owned(), event.clone()));
            }
            continue;
        }
        match external(event) {
            Ok(e) => masters.push(e),
            Err(why) => {
                notes.push(why);
                if let Some(uid) = event.get_uid() {
                    left_out.insert(uid.trim().to_owned());
                }
            }
        }
        if masters.len() >= MAX_EXTERNAL_EVENTS && complete {
            notes.push(format!(
                "Der Kalender hat mehr als {MAX_EXTERNAL_EVENTS} Termine; nur die ersten wurden übernommen."
            ));
            complete = false;
        }
    }
    // Changed or cancelled dates of a series.
    let mut moved = Vec::new();
    let index: HashMap<String, usize> = masters
        .iter()
        .enumerate()
        .map(|(i, e)| (e.uid.clone(), i))
        .collect();
    for (uid, event) in overrides {
        let Some(&i) = index.get(&uid) else { continue };
        let Some(date) = event.get_recurrence_id().and_then(|d| civil(&d).ok()) else {
            continue;
        };
        let key = date.to_string();
        if matches!(event.get_status(), Some(EventStatus::Cancelled)) {
            masters[i].cancelled.push(key);
        } else if let Ok(mut one) = external(&event) {
            masters[i].skipped.push(key.clone());
            one.uid = format!("{uid}#{key}");
            one.fields.rrule = None;
            moved.push(one);
        }
    }
    masters.extend(moved);
    let mut seen = std::collections::HashSet::new();
    masters.retain(|e| seen.insert(e.uid.clone()));
    for e in &mut masters {
        e.skipped.sort();
        e.skipped.dedup();
        e.cancelled.sort();
        e.cancelled.dedup();
        e.hash = fingerprint(e);
    }
    Ok(Feed {
        events: masters,
        notes,
        left_out,
        complete,
    })
}

fn first_line(text: &str) -> &str {
    let line = text.lines().next().unwrap_or(text);
    line.get(..200).unwrap_or(line)
}

fn external(event: &Event) -> Result<External, String> {
    let title = event
        .get_summary()
        .map(one_line)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "Treffen".to_owned())
        .chars()
        .take(150)
        .collect::<String>();
    let start_prop = event.get_start().ok_or_else(|| {
        format!("Termin „{title}“ hat keinen Beginn (DTSTART) und wurde übersprungen.")
    })?;
    let all_day = matches!(start_prop, DatePerhapsTime::Date(_));
    let start =
        civil(&start_prop).map_err(|e| format!("Termin „{title}“: {e} Er wurde übersprungen."))?;
    let end = match event.get_end().map(|d| civil(&d)) {
        Some(Ok(end)) if end > start => end,
        _ => match event.property_value("DURATION").and_then(duration) {
            Some(span) => start.checked_add(span).unwrap_or(start),
            None if all_day => start
                .checked_add(jiff::Span::new().days(1))
                .unwrap_or(start),
            None => start
                .checked_add(jiff::Span::new().hours(1))
                .unwrap_or(start),
        },
    };
    let end = if end > start {
        end
    } else {
        start
            .checked_add(jiff::Span::new().hours(1))
            .unwrap_or(start)
    };
    let uid = match event.get_uid() {
        Some(uid) if !uid.trim().is_empty() => uid.trim().chars().take(300).collect(),
        _ => format!(
            "no-uid-{}",
            hex(&Sha256::digest(format!("{title}|{start}")))
        ),
    };
    let rule = event
        .property_value("RRULE")
        .map(normalize_rule)
        .filter(|r| !r.is_empty());
    if let Some(rule) = &rule
        && let Err(e) = recurrence::check_rule(rule, start, BERLIN)
    {
        return Err(format!("Termin „{title}“: {e} Er wurde übersprungen."));
    }
    let mut skipped = Vec::new();
    if let Some(exdates) = event.multi_properties().get("EXDATE") {
        for property in exdates {
            let tzid = property.params().get("TZID").map(|p| p.value().to_owned());
            for value in property.value().split(',') {
                if let Some(at) = exdate(value.trim(), tzid.as_deref()) {
                    skipped.push(at.to_string());
                }
            }
        }
    }
    let skipped_civil: Vec<DateTime> = skipped.iter().filter_map(|s| s.parse().ok()).collect();
    let (first, last) = recurrence::bounds(&Schedule {
        start,
        end,
        time_zone: BERLIN,
        rule: rule.as_deref(),
        skipped: &skipped_civil,
    })
    .map_err(|e| format!("Termin „{title}“: {e} Er wurde übersprungen."))?;
    let mut description = clean(event.get_description().unwrap_or("").trim());
    description = description.chars().take(20_000).collect();
    if let Some(url) = event
        .get_url()
        .filter(|u| u.starts_with("http") && !u.chars().any(|c| c.is_control() || c == ' '))
    {
        description.push_str(&format!("\n\nMehr: <{url}>"));
    }
    let location = event
        .get_location()
        .map(|l| one_line(l).chars().take(300).collect::<String>())
        .filter(|l| !l.is_empty());
    let online = location
        .as_deref()
        .filter(|l| l.starts_with("https://") || l.starts_with("http://"))
        .map(str::to_owned);
    Ok(External {
        uid,
        fields: MeetupFields {
            title,
            description_html: codefor_content::markdown::demote_headings(
                &codefor_content::markdown::render_plain(&description),
                false,
            ),
            description_md: description.trim().to_owned(),
            starts_at: start.to_string(),
            ends_at: end.to_string(),
            time_zone: BERLIN.to_owned(),
            all_day,
            rrule: rule,
            first_start: first.as_second(),
            last_end: last.map(|l| l.as_second()),
            venue: None,
            address: if online.is_some() { None } else { location },
            online_url: online,
            capacity: None,
            cancelled: matches!(event.get_status(), Some(EventStatus::Cancelled)),
        },
        skipped,
        cancelled: Vec::new(),
        hash: String::new(),
    })
}

/// A DATE or DATE-TIME as civil time in Berlin (the network's zone).
fn civil(at: &DatePerhapsTime) -> Result<DateTime, String> {
    let berlin = TimeZone::get(BERLIN).map_err(|e| e.to_string())?;
    match at {
        DatePerhapsTime::Date(d) => d
            .format("%Y-%m-%dT00:00:00")
            .to_string()
            .parse()
            .map_err(|_| "Das Datum ist ungültig.".to_owned()),
        DatePerhapsTime::DateTime(CalendarDateTime::Utc(utc)) => {
            let ts = Timestamp::from_second(utc.timestamp())
                .map_err(|_| "Die Zeit liegt außerhalb des Kalenders.".to_owned())?;
            Ok(ts.to_zoned_datetime(berlin).datetime())
        }
        DatePerhapsTime::DateTime(CalendarDateTime::Floating(naive)) => naive
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string()
            .parse()
            .map_err(|_| "Die Zeit ist ungültig.".to_owned()),
        DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid }) => {
            let local: DateTime = date_time
                .format("%Y-%m-%dT%H:%M:%S")
                .to_string()
                .parse()
                .map_err(|_| "Die Zeit ist ungültig.".to_owned())?;
            // Outlook writes Windows names; unknown zones are read as Berlin time.
            let zone = TimeZone::get(tzid.trim_matches('"')).unwrap_or_else(|_| berlin.clone());
            let ts = zone
                .to_timestamp(local)
                .map_err(|_| "Die Zeit ist ungültig.".to_owned())?;
            Ok(ts.to_zoned_datetime(berlin).datetime())
        }
    }
}

fn exdate(value: &str, tzid: Option<&str>) -> Option<DateTime> {
    let berlin = TimeZone::get(BERLIN).ok()?;
    if let Some(utc) = value.strip_suffix('Z') {
        let local = DateTime::strptime("%Y%m%dT%H%M%S", utc).ok()?;
        let ts = TimeZone::UTC.to_timestamp(local).ok()?;
        return Some(ts.to_zoned_datetime(berlin).datetime());
    }
    if value.len() == 8 {
        return jiff::civil::Date::strptime("%Y%m%d", value)
            .ok()
            .map(|d| d.to_datetime(jiff::civil::Time::midnight()));
    }
    let local = DateTime::strptime("%Y%m%dT%H%M%S", value).ok()?;
    let zone = tzid
        .and_then(|t| TimeZone::get(t).ok())
        .unwrap_or_else(|| berlin.clone());
    let ts = zone.to_timestamp(local).ok()?;
    Some(ts.to_zoned_datetime(berlin).datetime())
}

/// A rule as we store it: upper case, and an end (UNTIL) that is a date or a local time
/// turned into the UTC instant RFC 5545 wants beside a start with a time zone (Google
/// writes `UNTIL=20261231` for all-day series).
fn normalize_rule(rule: &str) -> String {
    let berlin = TimeZone::get(BERLIN).ok();
    rule.trim()
        .to_ascii_uppercase()
        .split(';')
        .map(|part| {
            let Some(until) = part.strip_prefix("UNTIL=") else {
                return part.to_owned();
            };
            let local = match until.len() {
                8 => jiff::civil::Date::strptime("%Y%m%d", until)
                    .ok()
                    .map(|d| d.to_datetime(jiff::civil::Time::constant(23, 59, 59, 0))),
                15 => DateTime::strptime("%Y%m%dT%H%M%S", until).ok(),
                _ => None,
            };
            match (local, &berlin) {
                (Some(local), Some(zone)) => zone
                    .to_timestamp(local)
                    .map(|t| format!("UNTIL={}", t.strftime("%Y%m%dT%H%M%SZ")))
                    .unwrap_or_else(|_| part.to_owned()),
                _ => part.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// An iCalendar DURATION such as `PT2H30M` or `P1D`.
fn duration(value: &str) -> Option<jiff::Span> {
    value.parse::<jiff::Span>().ok()
}

fn fingerprint(e: &External) -> String {
    let f = &e.fields;
    let text = format!(
        "{}|{}|{}|{}|{}|{}|{:?}|{:?}|{:?}|{:?}|{}|{:?}|{:?}",
        e.uid,
        f.title,
        f.description_md,
        f.starts_at,
        f.ends_at,
        f.all_day,
        f.rrule,
        f.address,
        f.online_url,
        f.cancelled,
        f.last_end.unwrap_or(-1),
        e.skipped,
        e.cancelled
    );
    hex(&Sha256::digest(text.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    crate::secrets::hex_digest(bytes)
}

#[cfg(test)]
mod tests;
