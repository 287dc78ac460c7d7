//! The query parameters of each collection: one list that both checks requests and
//! describes them in the OpenAPI document.

use codefor_domain::{DevelopmentStatus, needs::Status, projects::THEMES, states};

use super::{Collection, MAX_LIMIT, OpenDataError};

/// What values a parameter takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamKind {
    /// Records per page, 1 to [`MAX_LIMIT`].
    Limit,
    /// The opaque cursor of the next page (of a collection with numeric ids or not).
    Cursor { numeric: bool },
    /// Any text (a slug, a licence); an unknown value matches nothing.
    Text,
    /// One of these values.
    Enum(Vec<&'static str>),
    /// A date `YYYY-MM-DD`.
    Date,
    /// `true` or `false`.
    Flag,
}

/// A query parameter of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    /// English, for the OpenAPI document.
    pub description: &'static str,
    /// German, for the API page.
    pub description_de: &'static str,
    pub kind: ParamKind,
    /// A value for the example URL on the API page.
    pub example: &'static str,
}

impl Param {
    /// The regular expression the values match, where the schema gives one: cursors are
    /// `c1` and the hex bytes of printable ASCII, 0x20 to 0x7e (digits only for numeric
    /// ids): every value that matches decodes (DEL, 0x7f, is a control character).
    pub fn pattern(&self) -> Option<&'static str> {
        match self.kind {
            ParamKind::Cursor { numeric: true } => Some("^c1(3[0-9]){1,18}$"),
            ParamKind::Cursor { numeric: false } => Some("^c1([2-6][0-9a-f]|7[0-9a-e]){1,200}$"),
            _ => None,
        }
    }

    fn new(
        name: &'static str,
        kind: ParamKind,
        description: &'static str,
        description_de: &'static str,
        example: &'static str,
    ) -> Param {
        Param {
            name,
            description,
            description_de,
            kind,
            example,
        }
    }

    /// Whether `value` is one this parameter takes.
    pub fn check(&self, value: &str) -> Result<(), OpenDataError> {
        let bad = |message: String| {
            Err(OpenDataError::Parameter {
                parameter: self.name.to_owned(),
                message,
            })
        };
        match &self.kind {
            ParamKind::Limit => match value.parse::<i64>() {
                Ok(n)
                    if (1..=MAX_LIMIT).contains(&n)
                        && value.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    Ok(())
                }
                _ => bad(format!(
                    "`{}` must be a whole number from 1 to {MAX_LIMIT}",
                    self.name
                )),
            },
            ParamKind::Cursor { numeric } => {
                let key = super::decode_cursor(value);
                let fits = key.is_some_and(|k| {
                    if *numeric {
                        k.parse::<i64>().is_ok_and(|n| n >= 0)
                    } else {
                        !k.contains('\0')
                    }
                });
                if fits {
                    Ok(())
                } else {
                    bad(format!(
                        "`{}` is not a cursor of this collection (take it from `links.next`)",
                        self.name
                    ))
                }
            }
            ParamKind::Text => Ok(()),
            ParamKind::Enum(values) => {
                if values.contains(&value) {
                    Ok(())
                } else {
                    bad(format!(
                        "`{}` must be one of: {}",
                        self.name,
                        values.join(", ")
                    ))
                }
            }
            ParamKind::Date => {
                if parse_date(value).is_some() {
                    Ok(())
                } else {
                    bad(format!("`{}` must be a date YYYY-MM-DD", self.name))
                }
            }
            ParamKind::Flag => {
                if value == "true" || value == "false" {
                    Ok(())
                } else {
                    bad(format!("`{}` must be true or false", self.name))
                }
            }
        }
    }
}

fn parse_date(value: &str) -> Option<jiff::civil::Date> {
    if value.len() != 10 {
        return None;
    }
    jiff::civil::Date::strptime("%Y-%m-%d", value).ok()
}

/// Unix seconds of midnight in Berlin at the start of this date.
pub(super) fn berlin_midnight(value: &str) -> Option<i64> {
    let date = parse_date(value)?;
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").ok()?;
    date.to_datetime(jiff::civil::Time::midnight())
        .to_zoned_datetime(tz)
        .ok()
        .map(|z| z.timestamp().as_second())
}

fn state_slugs() -> ParamKind {
    ParamKind::Enum(states::ALL.iter().map(|s| s.slug).collect())
}

fn themes() -> ParamKind {
    ParamKind::Enum(THEMES.iter().map(|t| t.key).collect())
}

pub(super) fn of(c: Collection) -> Vec<Param> {
    let mut params = vec![
        Param::new(
            "limit",
            ParamKind::Limit,
            "Records per page (default 50, at most 200).",
            "Datensätze pro Seite (50, höchstens 200).",
            "10",
        ),
        Param::new(
            "after",
            ParamKind::Cursor {
                numeric: c.numeric_ids(),
            },
            "Opaque cursor: continue after the last record of the previous page (take it from `links.next`).",
            "Weiter nach dem letzten Datensatz der vorigen Seite (steht in links.next).",
            "",
        ),
    ];
    let state = |what: &'static str, de: &'static str| {
        Param::new("state", state_slugs(), what, de, "berlin")
    };
    let lab =
        |what: &'static str, de: &'static str| Param::new("lab", ParamKind::Text, what, de, "kiel");
    match c {
        Collection::Labs => params.push(state(
            "Only labs in this federal state (its slug).",
            "Nur Labs in diesem Bundesland.",
        )),
        Collection::Projects => params.extend([
            Param::new(
                "theme",
                themes(),
                "Only projects of this theme.",
                "Nur Projekte zu diesem Thema.",
                "umwelt",
            ),
            state(
                "Only projects of the state's labs or used by its organizations.",
                "Nur Projekte der Labs dieses Bundeslands oder dort genutzte.",
            ),
            lab(
                "Only projects of this lab (its slug).",
                "Nur Projekte dieses Labs.",
            ),
            Param::new(
                "status",
                ParamKind::Enum(DevelopmentStatus::ALL.iter().map(|s| s.as_str()).collect()),
                "Only projects of this development status.",
                "Nur Projekte mit diesem Entwicklungsstand.",
                "stable",
            ),
            Param::new(
                "license",
                ParamKind::Text,
                "Only projects under this SPDX licence expression.",
                "Nur Projekte unter dieser Lizenz (SPDX).",
                "MIT",
            ),
            Param::new(
                "in_use",
                ParamKind::Flag,
                "Only projects used by administrations.",
                "Nur von Verwaltungen genutzte Projekte.",
                "true",
            ),
            Param::new(
                "looking_for_people",
                ParamKind::Flag,
                "Only projects looking for people (or with an open role).",
                "Nur Projekte, die Mitmachende suchen.",
                "true",
            ),
        ]),
        Collection::Meetups => params.extend([
            lab(
                "Only meetups of this lab (its slug).",
                "Nur Termine dieses Labs.",
            ),
            Param::new(
                "from",
                ParamKind::Date,
                "Only meetups with a date on or after this day (Europe/Berlin).",
                "Nur Termine ab diesem Tag.",
                "2026-01-01",
            ),
            Param::new(
                "to",
                ParamKind::Date,
                "Only meetups with a date on or before this day (Europe/Berlin).",
                "Nur Termine bis zu diesem Tag.",
                "2026-12-31",
            ),
        ]),
        Collection::Needs => params.extend([
            Param::new(
                "status",
                ParamKind::Enum(
                    Status::ALL
                        .iter()
                        .filter(|s| **s != Status::Draft)
                        .map(|s| s.as_str())
                        .collect(),
                ),
                "Only needs in this status.",
                "Nur Bedürfnisse mit diesem Stand.",
                "discussion",
            ),
            Param::new(
                "topic",
                themes(),
                "Only needs of this topic.",
                "Nur Bedürfnisse zu diesem Thema.",
                "umwelt",
            ),
            state(
                "Only needs in this federal state.",
                "Nur Bedürfnisse aus diesem Bundesland.",
            ),
            lab(
                "Only needs naming this lab or adopted by it (its slug).",
                "Nur Bedürfnisse, die dieses Lab nennen oder die es übernommen hat.",
            ),
            Param::new(
                "without_lab",
                ParamKind::Flag,
                "Only open needs no lab has adopted yet.",
                "Nur offene Bedürfnisse, die noch kein Lab übernommen hat.",
                "true",
            ),
        ]),
        Collection::Posts => params.push(lab(
            "Only posts about this lab (its slug).",
            "Nur Beiträge über dieses Lab.",
        )),
        Collection::Datasets => params.extend([
            Param::new(
                "theme",
                ParamKind::Enum(
                    codefor_domain::datasets::THEMES
                        .iter()
                        .map(|t| t.code)
                        .collect(),
                ),
                "Only datasets of this EU data theme.",
                "Nur Datensätze zu diesem EU-Datenthema.",
                "ENVI",
            ),
            state(
                "Only datasets covering this federal state.",
                "Nur Datensätze zu diesem Bundesland.",
            ),
            lab(
                "Only datasets of this lab (its slug).",
                "Nur Datensätze dieses Labs.",
            ),
            Param::new(
                "relation",
                ParamKind::Enum(vec!["publishes", "uses"]),
                "Only datasets the labs publish, or only those they use.",
                "Nur Datensätze, die Labs veröffentlichen oder nutzen.",
                "publishes",
            ),
        ]),
        Collection::States | Collection::Organizations | Collection::Pages | Collection::People => {
        }
    }
    params
}

/// The parameters of a CSV download: the filters, without paging.
pub fn csv_params(c: Collection) -> Vec<Param> {
    of(c)
        .into_iter()
        .filter(|p| !matches!(p.kind, ParamKind::Limit | ParamKind::Cursor { .. }))
        .collect()
}
