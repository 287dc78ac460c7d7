//! Editing a lab's page: name, city, meeting info, description, links and leads.

use std::collections::HashMap;

use codefor_domain::Link;
use codefor_storage::labs::{self, EditableFields, LabDetail};
use codefor_storage::revisions::{Author, Kind};
use codefor_storage::{Connection, Db, DbError, people};
use serde::{Deserialize, Serialize};

use crate::editing::{self, Editable, Field, Input, value};
use crate::forms::{self, FieldErrors};

/// What a lead edits, and what each revision of a lab keeps.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LabEdit {
    pub name: String,
    pub city: String,
    pub meeting: String,
    pub body_md: String,
    pub links: Vec<Link>,
    /// Names of the leads, in order.
    pub leads: Vec<String>,
}

pub const BODY_MAX: usize = 20_000;

impl LabEdit {
    pub fn of(detail: &LabDetail) -> LabEdit {
        LabEdit {
            name: detail.lab.name.clone(),
            city: detail.lab.city.clone(),
            meeting: detail.lab.meeting.clone().unwrap_or_default(),
            body_md: detail.lab.body_md.clone(),
            links: detail.lab.links.clone(),
            leads: detail.leads.iter().map(|p| p.name.clone()).collect(),
        }
    }
}

const FIELDS: &[Field] = &[
    Field {
        name: "name",
        label: "Name des Labs",
        input: Input::Line,
        hint: "",
        required: true,
    },
    Field {
        name: "city",
        label: "Stadt",
        input: Input::Line,
        hint: "",
        required: true,
    },
    Field {
        name: "meeting",
        label: "Treffen",
        input: Input::Text {
            rows: 2,
            markdown: false,
        },
        hint: "Wann und wo ihr euch trefft, zum Beispiel „Jeden zweiten Dienstag, 19 Uhr, \
               Stadtbibliothek“.",
        required: false,
    },
    Field {
        name: "body_md",
        label: "Beschreibung",
        input: Input::Text {
            rows: 12,
            markdown: true,
        },
        hint: "Markdown: **fett**, *kursiv*, [Link](https://…), Listen mit „- “. Mit \
               „Vorschau“ siehst du, wie es aussieht.",
        required: false,
    },
    Field {
        name: "links",
        label: "Links",
        input: Input::Text {
            rows: 4,
            markdown: false,
        },
        hint: "Ein Link pro Zeile: „Name | https://…“.",
        required: false,
    },
    Field {
        name: "leads",
        label: "Leitung",
        input: Input::Text {
            rows: 3,
            markdown: false,
        },
        hint: "Ein Name pro Zeile, in der Reihenfolge, in der sie erscheinen sollen.",
        required: false,
    },
];

impl Editable for LabEdit {
    const KIND: Kind = Kind::Lab;
    const FIELDS: &'static [Field] = FIELDS;

    fn values(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            self.city.clone(),
            self.meeting.clone(),
            self.body_md.clone(),
            editing::links_text(&self.links),
            self.leads.join("\n"),
        ]
    }

    fn parse(form: &HashMap<String, String>) -> Result<LabEdit, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = forms::required(
            &mut errors,
            "name",
            "Name des Labs",
            value(form, "name"),
            100,
        );
        let city = forms::required(&mut errors, "city", "Stadt", value(form, "city"), 100);
        let meeting = forms::optional(
            &mut errors,
            "meeting",
            "Treffen",
            value(form, "meeting"),
            500,
        )
        .unwrap_or_default();
        let body_md = forms::optional(
            &mut errors,
            "body_md",
            "Beschreibung",
            value(form, "body_md"),
            BODY_MAX,
        )
        .unwrap_or_default();
        let links = editing::parse_links(&mut errors, "links", value(form, "links"), 30);
        let leads = names(&mut errors, "leads", value(form, "leads"));
        errors.into_result(LabEdit {
            name,
            city,
            meeting,
            body_md,
            links,
            leads,
        })
    }

    fn body_md(&self) -> &str {
        &self.body_md
    }

    fn own_title(&self) -> Option<&str> {
        Some(&self.name)
    }

    async fn load(db: &Db, id: i64) -> Result<Option<LabEdit>, DbError> {
        let slug = labs::ids(db)
            .await?
            .into_iter()
            .find(|(lab, _, _)| *lab == id)
            .map(|(_, slug, _)| slug);
        Ok(match slug {
            Some(slug) => labs::get(db, &slug).await?.map(|d| LabEdit::of(&d)),
            None => None,
        })
    }

    async fn store(
        &self,
        conn: &mut Connection,
        id: i64,
        body_html: &str,
        author: Author<'_>,
    ) -> Result<(), DbError> {
        let meeting = (!self.meeting.is_empty()).then_some(self.meeting.as_str());
        labs::update_editable(
            conn,
            id,
            &EditableFields {
                name: &self.name,
                city: &self.city,
                meeting,
                body_md: &self.body_md,
                body_html,
                links: &self.links,
            },
        )
        .await?;
        // Leads who keep their name keep their person (and the account linked to it).
        // Each current lead is matched by name once, so two people of the same name stay
        // two; other names are people by key ("Ada Lovelace" and "ada lovelace" are one),
        // and nobody is listed twice.
        let current = labs::lead_ids(conn, id).await?;
        let mut unmatched = current.clone();
        let mut ids = Vec::with_capacity(self.leads.len());
        let mut names = Vec::with_capacity(self.leads.len());
        for name in &self.leads {
            let person = match unmatched.iter().position(|(_, n)| n == name) {
                Some(at) => unmatched.remove(at).0,
                None => people::find_or_create(conn, name).await?,
            };
            if !ids.contains(&person) {
                ids.push(person);
                names.push(name);
            }
        }
        labs::replace_leads(conn, id, &ids).await?;
        // Who leads a lab is a role: changes go to the audit log.
        let slug = labs::slug_of(conn, id).await?.unwrap_or_default();
        for (person, name) in &current {
            if !ids.contains(person) {
                codefor_storage::audit::record(
                    conn,
                    author.account_id,
                    author.name,
                    "role.lead.withdraw",
                    &slug,
                    name,
                )
                .await?;
            }
        }
        for (person, name) in ids.iter().zip(names) {
            if !current.iter().any(|(p, _)| p == person) {
                codefor_storage::audit::record(
                    conn,
                    author.account_id,
                    author.name,
                    "role.lead.grant",
                    &slug,
                    name,
                )
                .await?;
            }
        }
        Ok(())
    }
}

/// Names one per line, without repeats; the error names the line.
fn names(errors: &mut FieldErrors, field: &'static str, text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let name = line.trim();
        if name.is_empty() {
            continue;
        }
        if name.chars().count() > 80 || name.chars().any(char::is_control) {
            errors.add(
                field,
                format!("Zeile {}: ein Name hat höchstens 80 Zeichen.", n + 1),
            );
            break;
        }
        if codefor_domain::people::person_key(name).is_empty() {
            errors.add(field, format!("Zeile {}: „{name}“ ist kein Name.", n + 1));
            break;
        }
        // Two people may share a name; the same line twice is one person.
        if !out.iter().any(|l| l == name) {
            out.push(name.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editing::{diff, form_values};

    fn form() -> HashMap<String, String> {
        [
            ("name", "OK Lab Beispiel"),
            ("city", "Beispielstadt"),
            ("meeting", "Jeden zweiten Dienstag, 19 Uhr"),
            ("body_md", "Wir bauen *Dinge*."),
            (
                "links",
                "Website | https://beispiel.de\n\nhttps://chat.beispiel.de",
            ),
            ("leads", "Ada Lovelace\nGrace Hopper\nAda Lovelace"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    #[test]
    fn parses_a_good_form_and_round_trips() {
        let edit = LabEdit::parse(&form()).unwrap_or_default();
        assert_eq!(edit.links.len(), 2);
        assert_eq!(edit.leads, ["Ada Lovelace", "Grace Hopper"]);
        assert_eq!(LabEdit::parse(&form_values(&edit)).ok(), Some(edit));
    }

    #[test]
    fn names_the_field_and_line_of_each_error() {
        let mut bad = form();
        bad.insert("name".into(), " ".into());
        bad.insert(
            "links".into(),
            "Website | https://beispiel.de\nChat | javascript:alert(1)".into(),
        );
        let errors = LabEdit::parse(&bad).err().unwrap_or_default();
        assert_eq!(errors.get("name"), Some("Bitte fülle „Name des Labs“ aus."));
        assert!(
            errors
                .get("links")
                .is_some_and(|m| m.starts_with("Zeile 2:")),
            "{errors:?}"
        );
        assert!(errors.get("city").is_none());
    }

    #[test]
    fn diffs_only_changed_fields() {
        let a = LabEdit::parse(&form()).unwrap_or_default();
        let b = LabEdit {
            meeting: "Jeden Mittwoch, 18 Uhr".into(),
            ..a.clone()
        };
        let d = diff(&a, &b);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].label, "Treffen");
        assert_eq!(d[0].lines[0].change, "removed");
        assert_eq!(d[0].lines[1].text, "Jeden Mittwoch, 18 Uhr");
    }
}

/// What an admin enters to found a lab.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewLab {
    pub slug: String,
    pub name: String,
    pub city: String,
    pub state_key: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub meeting: String,
    pub body_md: String,
}

/// Paths the application uses itself: no lab may take them.
const RESERVED: &[&str] = &[
    "labs",
    "projekte",
    "blog",
    "admin",
    "konto",
    "profil",
    "anmelden",
    "abmelden",
    "registrieren",
    "passwort-vergessen",
    "passwort-neu",
    "bearbeiten",
    "versionen",
    "wiederherstellen",
    "loeschen",
    "hochladen",
    "uploads",
    "assets",
    "api",
    "de",
    "en",
    "healthz",
    "vorschau",
    "termine",
    "daten",
    "beduerfnisse",
    "index.xml",
    "sitemap.xml",
    "robots.txt",
];

/// Checks the new-lab form; errors name the field.
pub fn parse_new(form: &HashMap<String, String>) -> Result<NewLab, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = forms::required(
        &mut errors,
        "name",
        "Name des Labs",
        value(form, "name"),
        100,
    );
    let city = forms::required(&mut errors, "city", "Stadt", value(form, "city"), 100);
    let slug = value(form, "slug").trim().to_lowercase();
    let slug = if slug.is_empty() {
        codefor_domain::slug::slugify(&city)
    } else {
        slug
    };
    if !codefor_domain::slug::is_valid(&slug) || slug.len() > 60 {
        errors.add(
            "slug",
            "Die Adresse besteht aus Kleinbuchstaben, Ziffern und Bindestrichen, zum Beispiel „bad-oldesloe“.",
        );
    } else if RESERVED.contains(&slug.as_str()) {
        errors.add(
            "slug",
            format!("„/{slug}/“ braucht die Plattform selbst. Bitte wähle eine andere Adresse."),
        );
    }
    let state_key = value(form, "state_key").trim().to_owned();
    if codefor_domain::states::by_key(&state_key).is_none() {
        errors.add("state_key", "Bitte wähle das Bundesland.");
    }
    let coordinate =
        |errors: &mut FieldErrors, field: &'static str, range: std::ops::RangeInclusive<f64>| {
            let raw = value(form, field).trim().replace(',', ".");
            if raw.is_empty() {
                return None;
            }
            match raw.parse::<f64>() {
                Ok(v) if range.contains(&v) => Some(v),
                _ => {
                    errors.add(
                        field,
                        format!(
                            "Eine Zahl zwischen {} und {}, zum Beispiel {}.",
                            range.start(),
                            range.end(),
                            (range.start() + range.end()) / 2.0
                        ),
                    );
                    None
                }
            }
        };
    // Germany lies within these bounds; a lab elsewhere would fall off the map.
    let latitude = coordinate(&mut errors, "latitude", 47.0..=55.5);
    let longitude = coordinate(&mut errors, "longitude", 5.5..=15.5);
    let meeting = forms::optional(
        &mut errors,
        "meeting",
        "Treffen",
        value(form, "meeting"),
        500,
    )
    .unwrap_or_default();
    let body_md = forms::optional(
        &mut errors,
        "body_md",
        "Beschreibung",
        value(form, "body_md"),
        BODY_MAX,
    )
    .unwrap_or_default();
    errors.into_result(NewLab {
        slug,
        name,
        city,
        state_key,
        latitude,
        longitude,
        meeting,
        body_md,
    })
}

/// Founds a lab (admins): the lab, its first revision and an audit entry. A taken
/// address (a lab, also a deleted one, or a page) is a field error.
pub async fn create(
    db: &Db,
    lab: &NewLab,
    author: codefor_storage::revisions::Author<'_>,
) -> Result<i64, crate::accounts::AccountError> {
    if codefor_storage::pages::id_of(db, &lab.slug)
        .await?
        .is_some()
    {
        return Err(FieldErrors::one(
            "slug",
            format!("Unter „/{}/“ steht schon eine Seite.", lab.slug),
        )
        .into());
    }
    let path = crate::urls::lab(&lab.slug);
    let (html, _) = editing::render_body(db, &path, &lab.body_md, Some(&lab.name)).await?;
    let mut tx = db.begin().await?;
    let Some(id) = labs::create(
        &mut tx,
        &codefor_storage::labs::NewLab {
            slug: &lab.slug,
            name: &lab.name,
            city: &lab.city,
            state_key: Some(&lab.state_key),
            latitude: lab.latitude,
            longitude: lab.longitude,
            meeting: (!lab.meeting.is_empty()).then_some(lab.meeting.as_str()),
            body_md: &lab.body_md,
            body_html: &html,
        },
    )
    .await?
    else {
        return Err(FieldErrors::one(
            "slug",
            format!(
                "Ein Lab „{}“ gibt es schon (vielleicht im Papierkorb).",
                lab.slug
            ),
        )
        .into());
    };
    let first = LabEdit {
        name: lab.name.clone(),
        city: lab.city.clone(),
        meeting: lab.meeting.clone(),
        body_md: lab.body_md.clone(),
        links: vec![],
        leads: vec![],
    };
    codefor_storage::revisions::record(
        &mut tx,
        Kind::Lab,
        id,
        author,
        "Lab gegründet",
        &serde_json::to_string(&first).map_err(DbError::from)?,
    )
    .await?;
    codefor_storage::audit::record(
        &mut tx,
        author.account_id,
        author.name,
        "lab.create",
        &lab.slug,
        &lab.name,
    )
    .await?;
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    Ok(id)
}

/// Active labs without a sign of life for `days` days (or ever): to be flagged to their
/// leads and to admins.
pub async fn quiet(db: &Db, days: i64) -> Result<Vec<codefor_storage::labs::Activity>, DbError> {
    Ok(activity(db, None)
        .await?
        .into_iter()
        .filter(|a| is_quiet(a, days))
        .collect())
}

/// Each lab's latest sign of life: what [`labs::activity`] finds, or its latest meetup
/// that has taken place (a series still running counts as now).
pub async fn activity(
    db: &Db,
    only: Option<i64>,
) -> Result<Vec<codefor_storage::labs::Activity>, DbError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let met = codefor_storage::meetups::last_per_lab(db, now).await?;
    let mut found = labs::activity(db, only).await?;
    for a in &mut found {
        let Some(at) = met.get(&a.id) else { continue };
        let Ok(at) = time::OffsetDateTime::from_unix_timestamp(*at) else {
            continue;
        };
        let text = at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        if a.last.as_deref().is_none_or(|last| last < text.as_str()) {
            a.last = Some(text);
        }
    }
    Ok(found)
}

/// Whether an active lab has shown no sign of life for `days` days (or ever).
pub fn is_quiet(activity: &codefor_storage::labs::Activity, days: i64) -> bool {
    let cutoff = (time::OffsetDateTime::now_utc() - time::Duration::days(days))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    activity.active != 0
        && activity
            .last
            .as_deref()
            .is_none_or(|last| last < cutoff.as_str())
}

/// Marks a lab inactive, or revives it; the audit log keeps who and when, the lab keeps
/// its pages and history.
pub async fn set_active(
    db: &Db,
    author: Author<'_>,
    lab: &LabDetail,
    active: bool,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    if labs::set_active(&mut tx, lab.id, active).await? {
        let action = if active {
            "lab.revive"
        } else {
            "lab.deactivate"
        };
        codefor_storage::audit::record(
            &mut tx,
            author.account_id,
            author.name,
            action,
            &lab.lab.slug,
            "",
        )
        .await?;
        codefor_storage::bump_content_version(&mut tx).await?;
    }
    codefor_storage::commit(tx).await
}

/// Tells the leads of every quiet lab by mail that their lab shows no sign of life,
/// at most once per `days` for a lab; returns the labs told. The audit log keeps each
/// notice, so several instances do not send twice.
pub async fn notify_quiet(
    db: &Db,
    mailer: &crate::mail::Mailer,
    origin: &str,
    days: i64,
) -> Result<Vec<String>, crate::accounts::AccountError> {
    let cutoff = (time::OffsetDateTime::now_utc() - time::Duration::days(days))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let mut told = Vec::new();
    for lab in quiet(db, days).await? {
        let leads = codefor_storage::memberships::lead_addresses(db, lab.id).await?;
        // Checked and recorded under the lab's lock: one notice, however many instances.
        let mut tx = db.begin().await?;
        labs::lock(&mut tx, lab.id).await?;
        let last = codefor_storage::audit::last(&mut tx, "lab.quiet.notice", &lab.slug).await?;
        if last.is_some_and(|at| at > cutoff) {
            continue;
        }
        codefor_storage::audit::record(
            &mut tx,
            None,
            "Plattform",
            "lab.quiet.notice",
            &lab.slug,
            &format!("{} Leitung(en) benachrichtigt", leads.len()),
        )
        .await?;
        codefor_storage::commit(tx).await?;
        let since = lab
            .last
            .as_deref()
            .and_then(|l| l.get(..10))
            .map(|d| format!("seit dem {d}"))
            .unwrap_or_else(|| "bisher".to_owned());
        for (email, name) in leads {
            mailer
                .send(&crate::mail::Mail {
                    to: email,
                    subject: format!("{}: ist das Lab noch aktiv?", lab.name),
                    body: format!(
                        "Hallo {name},\n\nvon {} ist auf der Plattform {since} nichts zu sehen: \
                         kein Treffen, kein Beitrag, kein Projekt, keine Änderung, kein neues \
                         Mitglied.\n\nTrefft ihr euch noch? Dann tragt euer nächstes Treffen ein: \
                         {origin}/termine/neu/?lab={}\n\nSchläft das Lab, markiert es als \
                         inaktiv; es bleibt mit allem erhalten und kann jederzeit wieder aktiv \
                         werden: {origin}/mitglieder/{}/\n",
                        lab.name, lab.slug, lab.slug
                    ),
                })
                .await?;
        }
        told.push(lab.slug);
    }
    Ok(told)
}

/// The background task: checks once a day for quiet labs and tells their leads.
pub async fn run_quiet_notices(db: Db, mailer: crate::mail::Mailer, origin: String, days: i64) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(24 * 3600));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match notify_quiet(&db, &mailer, &origin, days).await {
            Ok(told) if !told.is_empty() => {
                tracing::info!(labs = ?told, "told the leads of quiet labs");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "notifying quiet labs failed"),
        }
    }
}
