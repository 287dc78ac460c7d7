//! Editing a lab's page in the browser, with a revision for every change, a readable
//! diff between revisions, and restoring an earlier one (itself a new revision).

use codefor_domain::Link;
use codefor_storage::labs::{self, EditableFields, LabDetail};
use codefor_storage::revisions::{self, Author, Kind, Revision};
use codefor_storage::{Db, DbError, audit, people};
use serde::{Deserialize, Serialize};

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

/// The form as sent: links and leads one per line.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LabForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub meeting: String,
    #[serde(default)]
    pub body_md: String,
    #[serde(default)]
    pub links: String,
    #[serde(default)]
    pub leads: String,
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

    /// The form filled with this state.
    pub fn to_form(&self) -> LabForm {
        LabForm {
            name: self.name.clone(),
            city: self.city.clone(),
            meeting: self.meeting.clone(),
            body_md: self.body_md.clone(),
            links: self
                .links
                .iter()
                .map(|l| format!("{} | {}", l.name, l.url))
                .collect::<Vec<_>>()
                .join("\n"),
            leads: self.leads.join("\n"),
        }
    }
}

impl LabForm {
    /// Checks every field; the errors name the field and say what to do.
    pub fn parse(&self) -> Result<LabEdit, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = forms::required(&mut errors, "name", "Name des Labs", &self.name, 100);
        let city = forms::required(&mut errors, "city", "Stadt", &self.city, 100);
        let meeting = forms::optional(&mut errors, "meeting", "Das Treffen", &self.meeting, 500)
            .unwrap_or_default();
        let body_md = forms::optional(
            &mut errors,
            "body_md",
            "Die Beschreibung",
            &self.body_md,
            BODY_MAX,
        )
        .unwrap_or_default();
        let mut links = Vec::new();
        for (n, line) in self.links.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            match parse_link(line) {
                Ok(link) => links.push(link),
                Err(why) => {
                    errors.add("links", format!("Zeile {}: {why}", n + 1));
                    break;
                }
            }
        }
        if links.len() > 30 {
            errors.add("links", "Höchstens 30 Links, bitte.");
        }
        let mut leads: Vec<String> = Vec::new();
        for (n, line) in self.leads.lines().enumerate() {
            let name = line.trim();
            if name.is_empty() {
                continue;
            }
            if name.chars().count() > 80 || name.chars().any(char::is_control) {
                errors.add(
                    "leads",
                    format!("Zeile {}: ein Name hat höchstens 80 Zeichen.", n + 1),
                );
                break;
            }
            if codefor_domain::people::person_key(name).is_empty() {
                errors.add("leads", format!("Zeile {}: „{name}“ ist kein Name.", n + 1));
                break;
            }
            if !leads.iter().any(|l| l == name) {
                leads.push(name.to_owned());
            }
        }
        errors.into_result(LabEdit {
            name,
            city,
            meeting,
            body_md,
            links,
            leads,
        })
    }
}

/// `Name | https://…` (or just the URL, which then names itself).
fn parse_link(line: &str) -> Result<Link, String> {
    let (name, url) = match line.rsplit_once('|') {
        Some((name, url)) => (name.trim(), url.trim()),
        None => (line, line),
    };
    let lower = url.to_ascii_lowercase();
    let scheme_ok = lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:");
    if !scheme_ok || url.contains(char::is_whitespace) || url.len() < 10 {
        return Err(format!(
            "„{url}“ ist keine Web- oder Mail-Adresse. Schreibe „Name | https://beispiel.de“."
        ));
    }
    if name.is_empty() || name.chars().count() > 100 {
        return Err("Der Name eines Links hat 1 bis 100 Zeichen.".into());
    }
    Ok(Link {
        name: name.to_owned(),
        url: url.to_owned(),
    })
}

/// Saves an edit of a lab as a new revision. The first edit of an imported lab first
/// records the imported state, so history starts where the platform took over.
pub async fn save(
    db: &Db,
    lab_id: i64,
    edit: &LabEdit,
    author: Author<'_>,
    summary: &str,
) -> Result<i64, DbError> {
    let detail = detail(db, lab_id).await?;
    let current = detail.as_ref().map(LabEdit::of);
    // Leads who keep their name keep their person (and the account linked to it).
    let mut known = Vec::new();
    for lead in detail.iter().flat_map(|d| &d.leads) {
        if let Some((id, _)) = people::by_key(db, &lead.key).await? {
            known.push((lead.name.clone(), id));
        }
    }
    let mut tx = db.begin().await?;
    if let Some(before) = &current
        && !revisions::exists(&mut tx, Kind::Lab, lab_id).await?
    {
        revisions::record(
            &mut tx,
            Kind::Lab,
            lab_id,
            Author {
                account_id: None,
                name: "Import",
            },
            "Stand vor der ersten Bearbeitung",
            &serde_json::to_string(before)?,
        )
        .await?;
    }
    let body_html = codefor_content::markdown::render_plain(&edit.body_md);
    let meeting = (!edit.meeting.is_empty()).then_some(edit.meeting.as_str());
    labs::update_editable(
        &mut tx,
        lab_id,
        &EditableFields {
            name: &edit.name,
            city: &edit.city,
            meeting,
            body_md: &edit.body_md,
            body_html: &body_html,
            links: &edit.links,
        },
    )
    .await?;
    let mut lead_ids = Vec::with_capacity(edit.leads.len());
    for name in &edit.leads {
        let id = match known.iter().find(|(n, _)| n == name) {
            Some((_, id)) => *id,
            None => people::find_or_create(&mut tx, name).await?,
        };
        lead_ids.push(id);
    }
    labs::replace_leads(&mut tx, lab_id, &lead_ids).await?;
    let summary = if summary.trim().is_empty() {
        "Bearbeitet"
    } else {
        summary.trim()
    };
    let number = revisions::record(
        &mut tx,
        Kind::Lab,
        lab_id,
        author,
        summary,
        &serde_json::to_string(edit)?,
    )
    .await?;
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    Ok(number)
}

async fn detail(db: &Db, lab_id: i64) -> Result<Option<LabDetail>, DbError> {
    let slug = labs::ids(db)
        .await?
        .into_iter()
        .find(|(id, _, _)| *id == lab_id)
        .map(|(_, slug, _)| slug);
    Ok(match slug {
        Some(slug) => labs::get(db, &slug).await?,
        None => None,
    })
}

/// Restores revision `number` as a new revision; recorded in the audit log.
pub async fn restore(
    db: &Db,
    lab_id: i64,
    number: i64,
    author: Author<'_>,
    lab_slug: &str,
) -> Result<Option<i64>, DbError> {
    let Some(revision) = revisions::get(db, Kind::Lab, lab_id, number).await? else {
        return Ok(None);
    };
    let edit: LabEdit = serde_json::from_str(&revision.snapshot)?;
    let new = save(
        db,
        lab_id,
        &edit,
        author,
        &format!("Version {number} wiederhergestellt"),
    )
    .await?;
    let mut tx = db.begin().await?;
    audit::record(
        &mut tx,
        author.account_id,
        author.name,
        "lab.restore",
        lab_slug,
        &format!("Version {number} als Version {new}"),
    )
    .await?;
    codefor_storage::commit(tx).await?;
    Ok(Some(new))
}

/// One changed field between two revisions, line by line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDiff {
    pub label: &'static str,
    pub lines: Vec<DiffLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    /// `"same"`, `"removed"` or `"added"`.
    pub change: &'static str,
    pub text: String,
}

/// What changed from `old` to `new`, per field, unchanged fields left out.
pub fn diff(old: &LabEdit, new: &LabEdit) -> Vec<FieldDiff> {
    let (old_form, new_form) = (old.to_form(), new.to_form());
    let fields: [(&'static str, &str, &str); 6] = [
        ("Name", &old_form.name, &new_form.name),
        ("Stadt", &old_form.city, &new_form.city),
        ("Treffen", &old_form.meeting, &new_form.meeting),
        ("Beschreibung", &old_form.body_md, &new_form.body_md),
        ("Links", &old_form.links, &new_form.links),
        ("Leitung", &old_form.leads, &new_form.leads),
    ];
    fields
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(label, a, b)| FieldDiff {
            label,
            lines: similar::TextDiff::from_lines(a, b)
                .iter_all_changes()
                .map(|c| DiffLine {
                    change: match c.tag() {
                        similar::ChangeTag::Equal => "same",
                        similar::ChangeTag::Delete => "removed",
                        similar::ChangeTag::Insert => "added",
                    },
                    text: c.value().trim_end_matches('\n').to_owned(),
                })
                .collect(),
        })
        .collect()
}

/// A revision with its parsed snapshot.
pub fn snapshot(revision: &Revision) -> Result<LabEdit, DbError> {
    Ok(serde_json::from_str(&revision.snapshot)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> LabForm {
        LabForm {
            name: "OK Lab Beispiel".into(),
            city: "Beispielstadt".into(),
            meeting: "Jeden zweiten Dienstag, 19 Uhr".into(),
            body_md: "Wir bauen *Dinge*.".into(),
            links: "Website | https://beispiel.de\n\nhttps://chat.beispiel.de".into(),
            leads: "Ada Lovelace\nGrace Hopper\nAda Lovelace".into(),
        }
    }

    #[test]
    fn parses_a_good_form() {
        let edit = form().parse().unwrap_or_default();
        assert_eq!(edit.links.len(), 2);
        assert_eq!(edit.links[1].name, "https://chat.beispiel.de");
        assert_eq!(edit.leads, ["Ada Lovelace", "Grace Hopper"]);
        assert_eq!(edit.to_form().parse().ok(), Some(edit));
    }

    #[test]
    fn names_the_field_and_line_of_each_error() {
        let bad = LabForm {
            name: " ".into(),
            links: "Website | https://beispiel.de\nChat | javascript:alert(1)".into(),
            ..form()
        };
        let errors = bad.parse().err().unwrap_or_default();
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
        let a = form().parse().unwrap_or_default();
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
