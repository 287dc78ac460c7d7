//! Help wanted: the roles a project looks for, offers to help (the project's leads hear
//! of each by mail), "Wo kann ich helfen?" — open roles ranked for a person by their
//! skills and labs — and reminders to the leads of projects that show no sign of life.
//!
//! A project's leads are the leads of any of its labs (see `Action::EditProject`); the
//! web layer checks that before it calls the role functions here.

use std::collections::HashMap;

use codefor_domain::profiles::SKILLS;
use codefor_domain::projects::{Commitment, Place};
use codefor_storage::accounts::Account;
use codefor_storage::project_roles::{self, Fields, Opening};
use codefor_storage::{Db, DbError, audit};
use serde::Serialize;

use crate::accounts::{AccountError, Limit, check_and_count, unix_now};
use crate::editing::value;
use crate::forms::{self, FieldErrors};
use crate::mail::{Mail, Mailer};

/// Offers per account and day: plenty for a person, a wall for a script.
pub const OFFERS_PER_ACCOUNT: Limit = Limit {
    scope: "help-offer-account",
    max: 20,
    window: 24 * 3600,
};

/// At most this many skills per role.
pub const MAX_SKILLS: usize = 10;

/// A published project as the help-wanted pages need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectRef {
    pub id: i64,
    pub slug: String,
    pub title: String,
    /// Ids of its labs: their leads are the project's leads.
    pub labs: Vec<i64>,
    pub looking_for_people: bool,
}

/// The published project with this slug; drafts and deleted projects are `None`.
pub async fn project(db: &Db, slug: &str) -> Result<Option<ProjectRef>, DbError> {
    let Some(detail) = codefor_storage::projects::get(db, slug).await? else {
        return Ok(None);
    };
    if detail.project.draft {
        return Ok(None);
    }
    let all = codefor_storage::labs::ids(db).await?;
    let labs = detail
        .labs
        .iter()
        .filter_map(|l| {
            all.iter()
                .find(|(_, s, _)| *s == l.slug)
                .map(|(id, _, _)| *id)
        })
        .collect();
    Ok(Some(ProjectRef {
        id: detail.id,
        slug: detail.project.slug,
        title: detail.project.title,
        labs,
        looking_for_people: detail.project.looking_for_people,
    }))
}

/// A checked role form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRole {
    pub title: String,
    pub description: String,
    pub skills: Vec<String>,
    pub commitment: Commitment,
    pub place: Place,
}

/// Reads and checks a role form: `title`, `description`, `commitment`, `place`, the
/// ticked `skill` boxes (`chosen`) and free skills in `more_skills`, separated by
/// commas.
pub fn parse_role(
    form: &HashMap<String, String>,
    chosen: &[String],
) -> Result<CheckedRole, FieldErrors> {
    let mut errors = FieldErrors::default();
    let title = forms::required(&mut errors, "title", "Titel", value(form, "title"), 120);
    if !title.is_empty() && title.chars().count() < 3 {
        errors.add("title", "Der Titel braucht mindestens 3 Zeichen.");
    }
    let description = forms::optional(
        &mut errors,
        "description",
        "Beschreibung",
        value(form, "description"),
        2000,
    )
    .unwrap_or_default();
    let skills = skills(&mut errors, chosen, value(form, "more_skills"));
    let commitment = Commitment::parse(value(form, "commitment").trim());
    if commitment.is_none() {
        errors.add(
            "commitment",
            "Bitte wähle, wie viel Zeit die Rolle braucht.",
        );
    }
    let place = Place::parse(value(form, "place").trim());
    if place.is_none() {
        errors.add("place", "Bitte wähle, wo die Rolle ausgeübt wird.");
    }
    match (commitment, place) {
        (Some(commitment), Some(place)) if errors.is_empty() => Ok(CheckedRole {
            title,
            description,
            skills,
            commitment,
            place,
        }),
        _ => Err(errors),
    }
}

/// The skills of a role: the listed ones ticked, then the free ones, each once.
fn skills(errors: &mut FieldErrors, chosen: &[String], more: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let free = more.split([',', '\n']);
    for skill in chosen.iter().map(String::as_str).chain(free) {
        let skill = skill.trim();
        if skill.is_empty() || out.iter().any(|s| s.to_lowercase() == skill.to_lowercase()) {
            continue;
        }
        let listed = SKILLS
            .iter()
            .find(|s| s.to_lowercase() == skill.to_lowercase());
        if listed.is_none() && skill.chars().count() > 50 {
            errors.add(
                "more_skills",
                format!("„{skill}“ ist zu lang: eine Fähigkeit hat höchstens 50 Zeichen."),
            );
            continue;
        }
        if skill.chars().any(char::is_control) {
            errors.add(
                "more_skills",
                "Fähigkeiten dürfen keine Steuerzeichen enthalten.",
            );
            continue;
        }
        out.push(listed.map_or_else(|| skill.to_owned(), |s| (*s).to_owned()));
    }
    if out.len() > MAX_SKILLS {
        errors.add(
            "more_skills",
            format!(
                "Höchstens {MAX_SKILLS} Fähigkeiten pro Rolle – es sind {}.",
                out.len()
            ),
        );
    }
    out
}

fn fields(role: &CheckedRole, open: bool) -> Fields<'_> {
    Fields {
        title: &role.title,
        description: &role.description,
        skills: &role.skills,
        commitment: role.commitment.as_str(),
        place: role.place.as_str(),
        open,
    }
}

/// A lead adds a role to the project; returns its id.
pub async fn create_role(
    db: &Db,
    actor: &Account,
    project: &ProjectRef,
    role: &CheckedRole,
) -> Result<i64, AccountError> {
    let mut tx = db.begin().await?;
    let id = project_roles::create(&mut tx, project.id, &fields(role, true)).await?;
    role_changed(tx, actor, project, "project.role.create", &role.title).await?;
    Ok(id)
}

/// Ends a change of a project's roles: the audit entry, renewed pages, the commit.
async fn role_changed(
    mut tx: codefor_storage::Tx,
    actor: &Account,
    project: &ProjectRef,
    action: &str,
    title: &str,
) -> Result<(), DbError> {
    audit::record(
        &mut tx,
        Some(actor.id),
        &actor.display_name,
        action,
        &project.slug,
        title,
    )
    .await?;
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await
}

/// A lead rewrites a role (whether it is open stays); whether there was one.
pub async fn update_role(
    db: &Db,
    actor: &Account,
    project: &ProjectRef,
    id: i64,
    role: &CheckedRole,
) -> Result<bool, AccountError> {
    let Some(old) = project_roles::get(db, project.id, id).await? else {
        return Ok(false);
    };
    let mut tx = db.begin().await?;
    let done = project_roles::update(&mut tx, project.id, id, &fields(role, old.open)).await?;
    role_changed(tx, actor, project, "project.role.update", &role.title).await?;
    Ok(done)
}

/// A lead closes a role (found someone) or opens it again; whether there was one.
pub async fn set_open(
    db: &Db,
    actor: &Account,
    project: &ProjectRef,
    id: i64,
    open: bool,
) -> Result<bool, AccountError> {
    let Some(old) = project_roles::get(db, project.id, id).await? else {
        return Ok(false);
    };
    let f = Fields {
        title: &old.title,
        description: &old.description,
        skills: &old.skills,
        commitment: &old.commitment,
        place: &old.place,
        open,
    };
    let mut tx = db.begin().await?;
    let done = project_roles::update(&mut tx, project.id, id, &f).await?;
    let action = if open {
        "project.role.reopen"
    } else {
        "project.role.close"
    };
    role_changed(tx, actor, project, action, &old.title).await?;
    Ok(done)
}

/// A lead deletes a role; offers for it stay as offers for the project. Whether there
/// was one.
pub async fn delete_role(
    db: &Db,
    actor: &Account,
    project: &ProjectRef,
    id: i64,
) -> Result<bool, AccountError> {
    let Some(old) = project_roles::get(db, project.id, id).await? else {
        return Ok(false);
    };
    let mut tx = db.begin().await?;
    let done = project_roles::delete(&mut tx, project.id, id).await?;
    role_changed(tx, actor, project, "project.role.delete", &old.title).await?;
    Ok(done)
}

/// Someone signed in offers to help with a role (or the project in general, when it
/// looks for people); the project's leads get a mail with the person's address, the
/// message and, when `origin` is known, a link to the project.
pub async fn offer(
    db: &Db,
    mailer: &Mailer,
    origin: &str,
    account: &Account,
    project: &ProjectRef,
    role: Option<i64>,
    message: &str,
) -> Result<(), AccountError> {
    let mut errors = FieldErrors::default();
    let message = forms::optional(&mut errors, "message", "Nachricht", message, 1000);
    errors.into_result(())?;
    let role = match role {
        Some(id) => match project_roles::get(db, project.id, id).await? {
            Some(r) if r.open => Some(r),
            _ => {
                return Err(FieldErrors::one(
                    "role",
                    "Diese Rolle gibt es nicht mehr oder sie ist schon besetzt.",
                )
                .into());
            }
        },
        None if project.looking_for_people => None,
        None => {
            return Err(FieldErrors::one(
                "role",
                "Dieses Projekt sucht gerade niemanden allgemein: biete deine Hilfe bei einer der Rollen an.",
            )
            .into());
        }
    };
    check_and_count(db, OFFERS_PER_ACCOUNT, &account.id.to_string()).await?;
    let mut tx = db.begin().await?;
    let new = project_roles::offer(
        &mut tx,
        project.id,
        role.as_ref().map(|r| r.id),
        account.id,
        message.as_deref().unwrap_or_default(),
    )
    .await?;
    if !new {
        let why = match &role {
            Some(r) => format!(
                "Du hast für die Rolle „{}“ schon deine Hilfe angeboten. Die Projektleitung meldet sich bei dir.",
                r.title
            ),
            None => "Du hast diesem Projekt schon deine Hilfe angeboten. Die Projektleitung meldet sich bei dir.".to_owned(),
        };
        return Err(FieldErrors::one("role", why).into());
    }
    codefor_storage::commit(tx).await?;
    let what = match &role {
        Some(r) => format!("bei der Rolle „{}“", r.title),
        None => "allgemein".to_owned(),
    };
    let text = message
        .as_deref()
        .map(|m| format!("\nDie Nachricht dazu:\n\n{m}\n"))
        .unwrap_or_default();
    let link = if origin.is_empty() {
        String::new()
    } else {
        format!(
            "\nAlle Angebote siehst du auf der Projektseite: {origin}/projekte/{}/#mitmachen\n",
            project.slug
        )
    };
    for (email, name) in project_roles::lead_addresses(db, project.id).await? {
        mailer
            .send(&Mail {
                to: email,
                subject: format!(
                    "{} möchte bei {} mithelfen",
                    account.display_name, project.title
                ),
                body: format!(
                    "Hallo {name},\n\n{} möchte bei {} mithelfen, {what}.\n{text}\nAntworte \
                     direkt an {}.\n{link}",
                    account.display_name, project.title, account.email
                ),
            })
            .await?;
    }
    Ok(())
}

/// Takes back one's own offer; whether there was one.
pub async fn withdraw(db: &Db, account: &Account, offer: i64) -> Result<bool, AccountError> {
    let mut tx = db.begin().await?;
    let done = project_roles::withdraw(&mut tx, offer, account.id).await?;
    codefor_storage::commit(tx).await?;
    Ok(done)
}

/// An open role as "Wo kann ich helfen?" shows it to one person.
#[derive(Debug, Clone, Serialize)]
pub struct Match {
    #[serde(flatten)]
    pub opening: Opening,
    /// The role's skills the person has.
    pub matched: Vec<String>,
    /// Whether the project belongs to a lab the person is a member or lead of.
    pub in_my_lab: bool,
}

/// Who is looking: their skills and the slugs of their labs.
#[derive(Debug, Clone, Default)]
pub struct Seeker {
    pub skills: Vec<String>,
    pub labs: Vec<String>,
}

impl Seeker {
    /// A signed-in person: the skills of their profile, the labs they lead or belong to.
    pub async fn of(
        db: &Db,
        account: &Account,
        viewer: &codefor_domain::permissions::Viewer,
    ) -> Result<Seeker, DbError> {
        let skills = codefor_storage::accounts::profile(db, account.id)
            .await?
            .map(|p| p.skills)
            .unwrap_or_default();
        let labs = codefor_storage::labs::ids(db)
            .await?
            .into_iter()
            .filter(|(id, _, _)| viewer.leads.contains(id) || viewer.member_of.contains(id))
            .map(|(_, slug, _)| slug)
            .collect();
        Ok(Seeker { skills, labs })
    }
}

/// Open roles of published projects: for a seeker, those matching more of their
/// skills first, then those of their own labs, then the newest; with `skill`, only
/// roles asking for it (compared without regard to case).
pub async fn openings(
    db: &Db,
    seeker: Option<&Seeker>,
    skill: Option<&str>,
) -> Result<Vec<Match>, DbError> {
    let lower = |s: &str| s.trim().to_lowercase();
    let wanted = skill.map(lower).filter(|s| !s.is_empty());
    let mut found: Vec<Match> = project_roles::openings(db)
        .await?
        .into_iter()
        .filter(|o| {
            wanted
                .as_ref()
                .is_none_or(|w| o.role.skills.iter().any(|s| lower(s) == *w))
        })
        .map(|opening| {
            let (matched, in_my_lab) = match seeker {
                Some(s) => (
                    opening
                        .role
                        .skills
                        .iter()
                        .filter(|r| s.skills.iter().any(|mine| lower(mine) == lower(r)))
                        .cloned()
                        .collect(),
                    opening.labs.iter().any(|l| s.labs.contains(l)),
                ),
                None => (Vec::new(), false),
            };
            Match {
                opening,
                matched,
                in_my_lab,
            }
        })
        .collect();
    // Stable: the newest first among equals, as storage returns them.
    found.sort_by_key(|m| (std::cmp::Reverse(m.matched.len()), !m.in_my_lab));
    Ok(found)
}

/// The skills to filter by: the profile list, then free ones open roles ask for.
pub async fn skill_choices(db: &Db) -> Result<Vec<String>, DbError> {
    let mut out: Vec<String> = SKILLS.iter().map(|s| (*s).to_owned()).collect();
    let mut free: Vec<String> = Vec::new();
    for o in project_roles::openings(db).await? {
        for s in o.role.skills {
            let known = out
                .iter()
                .chain(&free)
                .any(|k| k.to_lowercase() == s.to_lowercase());
            if !known {
                free.push(s);
            }
        }
    }
    free.sort_by_key(|s| s.to_lowercase());
    out.extend(free);
    Ok(out)
}

/// Reminds the leads of every published, not obsolete project without a sign of life
/// for `days` days, at most once per `days` for a project; returns the projects whose
/// leads were told. The reminder of a period is claimed with a conditional update of
/// the project's row, so several instances running at once send one mail.
pub async fn notify_stale(
    db: &Db,
    mailer: &Mailer,
    origin: &str,
    days: i64,
) -> Result<Vec<String>, AccountError> {
    if days <= 0 {
        return Ok(Vec::new());
    }
    let now = unix_now();
    let period = days.saturating_mul(24 * 3600);
    let before = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_secs(period))
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .map_err(|e| AccountError::Io(e.to_string()))?;
    let mut told = Vec::new();
    for project in project_roles::stale(db, &before, now - period).await? {
        let mut tx = db.begin().await?;
        if !project_roles::claim_stale_notice(&mut tx, project.id, now, now - period).await? {
            continue;
        }
        codefor_storage::commit(tx).await?;
        let since = project
            .last_activity
            .get(..10)
            .unwrap_or(&project.last_activity);
        for (email, name) in project_roles::lead_addresses(db, project.id).await? {
            mailer
                .send(&Mail {
                    to: email,
                    subject: format!("{}: wie steht es um das Projekt?", project.title),
                    body: format!(
                        "Hallo {name},\n\nbei {} ist seit dem {since} nichts Neues zu sehen: \
                         keine Änderung an der Projektseite, kein Abgleich mit dem Repository.\n\n\
                         Läuft das Projekt noch? Dann bringt die Seite auf den neuesten Stand: \
                         {origin}/bearbeiten/projekte/{}/\n\nSucht ihr Leute, die mitmachen? \
                         Tragt Rollen ein, dann finden euch Interessierte unter „Wo kann ich \
                         helfen?“: {origin}/projekte/{}/#mitmachen\n\nIst das Projekt \
                         abgeschlossen oder eingestellt, setzt den Stand entsprechend; es bleibt \
                         mit allem erhalten.\n",
                        project.title, project.slug, project.slug
                    ),
                })
                .await?;
        }
        told.push(project.slug);
    }
    Ok(told)
}

/// The background task: checks once a day for projects without a sign of life and
/// reminds their leads; `days` of 0 or less turns it off.
pub async fn run_stale_notices(db: Db, mailer: Mailer, origin: String, days: i64) {
    if days <= 0 {
        return;
    }
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(24 * 3600));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match notify_stale(&db, &mailer, &origin, days).await {
            Ok(told) if !told.is_empty() => {
                tracing::info!(projects = ?told, "reminded the leads of quiet projects");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "reminding quiet projects failed"),
        }
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
    fn roles_are_checked_field_by_field() {
        let ok = parse_role(
            &form(&[
                ("title", "Kartierung vor Ort"),
                ("commitment", "weekly"),
                ("place", "on_site"),
                ("more_skills", "OpenStreetMap, geodaten und karten"),
            ]),
            &["Geodaten und Karten".to_owned()],
        )
        .expect("valid");
        assert_eq!(ok.skills, ["Geodaten und Karten", "OpenStreetMap"]);
        let many = (0..11)
            .map(|i| format!("Tag {i}"))
            .collect::<Vec<_>>()
            .join(",");
        let long = "x".repeat(51);
        for (pairs, field) in [
            (vec![("title", "ab")], "title"),
            (vec![("description", &*"y".repeat(2001))], "description"),
            (vec![("more_skills", many.as_str())], "more_skills"),
            (vec![("more_skills", long.as_str())], "more_skills"),
            (vec![("commitment", "always")], "commitment"),
            (vec![("place", "moon")], "place"),
        ] {
            let mut all = vec![
                ("title", "Gute Rolle"),
                ("commitment", "occasional"),
                ("place", "remote"),
            ];
            all.extend(pairs);
            let errors = parse_role(&form(&all), &[]).expect_err(field);
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
    }
}
