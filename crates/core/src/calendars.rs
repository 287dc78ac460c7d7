//! Calendars: when meetups take place ([`recurrence`]), iCalendar feeds written and
//! read ([`ics`]), and external calendars fetched ([`fetch`]) and merged ([`sync`]).

pub mod fetch;
pub mod ics;
pub mod recurrence;
pub mod sync;
