//! Needs: a person brings what they lack to the network (as themselves or in the name
//! of their organization), saves drafts, submits; others support it once each and
//! follow it; a lab adopts it and moves it along a public workflow whose every step
//! has a date and a reason; projects that answer it are linked both ways.
//!
//! The web layer asks `codefor_domain::permissions::allows` before it calls a function
//! here (see [`may_step`] for the workflow); the functions check the state of the need.

use std::collections::HashMap;

use codefor_domain::needs::Status;
use codefor_domain::permissions::{Action, Viewer, allows};
use codefor_domain::projects::THEMES;
use codefor_storage::accounts::Account;
use codefor_storage::needs::{self, Fields, Need, Step};
use codefor_storage::{Connection, Db, DbError, notifications};
use serde_json::json;

use crate::accounts::{AccountError, check_and_count};
use crate::editing::value;
use crate::forms::{self, FieldErrors};
use crate::participation::{self, NEEDS_PER_ACCOUNT, Policy};

/// Supports and withdrawals per account and hour: each one renews every page cache.
pub const SUPPORTS_PER_ACCOUNT: crate::accounts::Limit = crate::accounts::Limit {
    scope: "support-account",
    max: 60,
    window: 3600,
};

/// Limits of the fields, also shown as hints beside them.
pub const TITLE_MAX: usize = 140;
pub const BODY_MAX: usize = 20_000;
pub const AFFECTED_MAX: usize = 500;
pub const MISSING_MAX: usize = 2000;
pub const REASON_MAX: usize = 2000;

/// The path of a need's page.
pub fn path(id: i64) -> String {
    format!("/beduerfnisse/{id}/")
}

/// A checked need form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub title: String,
    pub body: String,
    pub affected: String,
    pub state_key: Option<String>,
    pub municipality: String,
    pub lab_id: Option<i64>,
    pub topic: String,
    pub missing: String,
    pub organization_id: Option<i64>,
}

impl Checked {
    fn fields<'a>(&'a self, body_html: &'a str) -> Fields<'a> {
        Fields {
            title: &self.title,
            body: &self.body,
            body_html,
            affected: &self.affected,
            state_key: self.state_key.as_deref(),
            municipality: &self.municipality,
            lab_id: self.lab_id,
            topic: &self.topic,
            missing: &self.missing,
            organization_id: self.organization_id,
        }
    }
}

/// Reads and checks a need form: `title`, `body` (Markdown), `affected`, `land` (a
/// federal state's slug), `ort` (municipality), `lab` (slug, optional), `thema` (a
/// theme key), `missing`, `organisation` (slug of an organization the account is staff
/// of, optional) and the honeypot. Every problem is named by its field.
pub async fn parse(
    db: &Db,
    account: &Account,
    form: &HashMap<String, String>,
    current: Option<&Need>,
) -> Result<Checked, AccountError> {
    participation::check_honeypot(value(form, participation::HONEYPOT))?;
    let mut errors = FieldErrors::default();
    let title = forms::required(
        &mut errors,
        "title",
        "Titel",
        value(form, "title"),
        TITLE_MAX,
    );
    if !title.is_empty() && title.chars().count() < 5 {
        errors.add("title", "Der Titel braucht mindestens 5 Zeichen.");
    }
    let body = participation::markdown_text(
        &mut errors,
        "body",
        "Beschreibung",
        value(form, "body"),
        BODY_MAX,
    );
    let affected = forms::optional(
        &mut errors,
        "affected",
        "Wer ist betroffen?",
        value(form, "affected"),
        AFFECTED_MAX,
    )
    .unwrap_or_default();
    let missing = participation_optional(
        &mut errors,
        "missing",
        "Was fehlt?",
        value(form, "missing"),
        MISSING_MAX,
    );
    let state_key = match value(form, "land").trim() {
        "" => None,
        slug => match codefor_domain::states::by_slug(slug) {
            Some(s) => Some(s.key.to_owned()),
            None => {
                errors.add("land", "Bitte wähle ein Bundesland aus der Liste.");
                None
            }
        },
    };
    let municipality = forms::optional(
        &mut errors,
        "ort",
        "Gemeinde oder Stadt",
        value(form, "ort"),
        100,
    )
    .unwrap_or_default();
    if municipality.contains('\n') {
        errors.add("ort", "„Gemeinde oder Stadt“ passt in eine Zeile.");
    }
    let lab_id = match value(form, "lab").trim() {
        "" => None,
        slug => {
            let labs = codefor_storage::labs::ids(db).await?;
            match labs.into_iter().find(|(_, s, _)| s == slug) {
                Some((id, _, _)) => Some(id),
                None => {
                    errors.add(
                        "lab",
                        "Dieses Lab gibt es nicht. Bitte wähle eines aus der Liste.",
                    );
                    None
                }
            }
        }
    };
    let topic = value(form, "thema").trim().to_owned();
    if topic.is_empty() {
        errors.add("thema", "Bitte wähle ein Thema.");
    } else if !THEMES.iter().any(|t| t.key == topic) {
        errors.add("thema", "Bitte wähle ein Thema aus der Liste.");
    }
    let organization_id = match value(form, "organisation").trim() {
        "" => None,
        // Kept as it is, whoever edits (an admin need not belong to it).
        slug if current.and_then(|n| n.organization_slug.as_deref()) == Some(slug) => {
            current.and_then(|n| n.organization_id)
        }
        slug => {
            let mine = codefor_storage::organizations::of_account(db, account.id).await?;
            match mine.into_iter().find(|o| o.slug == slug) {
                Some(o) => Some(o.id),
                None => {
                    errors.add(
                        "organisation",
                        "Im Namen einer Organisation schreibst du nur, wenn du zu ihr gehörst.",
                    );
                    None
                }
            }
        }
    };
    errors.into_result(())?;
    Ok(Checked {
        title,
        body,
        affected,
        state_key,
        municipality,
        lab_id,
        topic,
        missing,
        organization_id,
    })
}

/// An optional text with the link limit of contributions.
fn participation_optional(
    errors: &mut FieldErrors,
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
) -> String {
    if value.trim().is_empty() {
        return String::new();
    }
    participation::markdown_text(errors, field, label, value, max)
}

/// Renders a need's Markdown (sanitized; links marked `nofollow ugc`).
pub fn render(body: &str) -> String {
    participation::render_need(body)
}

/// Renders a need's "what is missing" like its body, with ids of its own (the two may
/// hold the same footnotes).
pub fn render_missing(text: &str) -> String {
    codefor_content::markdown::render_contribution(
        text,
        &codefor_content::markdown::contribution_prefix('m', text),
        participation::NEED_HEADING,
    )
}

/// A new need: a draft, or submitted right away (public unless the policy holds first
/// posts of new accounts for review). The author follows it. Returns its id.
pub async fn create(
    db: &Db,
    policy: Policy,
    account: &Account,
    need: &Checked,
    submit: bool,
) -> Result<i64, AccountError> {
    check_and_count(db, NEEDS_PER_ACCOUNT, &account.id.to_string()).await?;
    let held = submit && participation::hold(db, policy, account.id).await?;
    let html = render(&need.body);
    let mut tx = db.begin().await?;
    let id = needs::create(&mut tx, &need.fields(&html), account.id, submit, held).await?;
    needs::follow(&mut tx, id, account.id).await?;
    if submit {
        submitted(&mut tx, id, account).await?;
    }
    if !held && submit {
        codefor_storage::bump_content_version(&mut tx).await?;
    }
    codefor_storage::commit(tx).await?;
    Ok(id)
}

/// The first step of the history.
async fn submitted(conn: &mut Connection, id: i64, account: &Account) -> Result<(), DbError> {
    needs::add_event(
        conn,
        id,
        Status::Submitted.as_str(),
        "Das Bedürfnis ist öffentlich: alle können es unterstützen und mitdiskutieren.",
        None,
        Some(account.id),
        &account.display_name,
    )
    .await
}

/// The author rewrites their need (an admin anyone's); the text before is kept as a
/// version.
pub async fn update(
    db: &Db,
    account: &Account,
    need: &Need,
    checked: &Checked,
) -> Result<(), AccountError> {
    check_and_count(
        db,
        participation::NEED_EDITS_PER_ACCOUNT,
        &account.id.to_string(),
    )
    .await?;
    let html = render(&checked.body);
    let before = json!({
        "title": need.title,
        "body": need.body,
        "affected": need.affected,
        "state_key": need.state_key,
        "municipality": need.municipality,
        "lab_id": need.lab_id,
        "topic": need.topic,
        "missing": need.missing,
        "organization_id": need.organization_id,
    });
    let mut tx = db.begin().await?;
    needs::add_version(&mut tx, need.id, Some(account.id), &before).await?;
    needs::update(&mut tx, need.id, &checked.fields(&html)).await?;
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    Ok(())
}

/// The author submits their draft.
pub async fn submit(
    db: &Db,
    policy: Policy,
    account: &Account,
    need: &Need,
) -> Result<(), AccountError> {
    if need.status != Status::Draft.as_str() {
        return Err(FieldErrors::one("status", "Dieses Bedürfnis ist schon eingereicht.").into());
    }
    let held = participation::hold(db, policy, account.id).await?;
    let mut tx = db.begin().await?;
    if !needs::set_status(
        &mut tx,
        need.id,
        &Step {
            status: Status::Submitted.as_str(),
            adopted_lab_id: None,
            contact_id: None,
            merged_into: None,
        },
        Status::Draft.as_str(),
    )
    .await?
    {
        return Err(changed_meanwhile());
    }
    needs::set_held(&mut tx, need.id, held).await?;
    submitted(&mut tx, need.id, account).await?;
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    Ok(())
}

/// The author throws away their draft (a submitted need stays: others may have
/// supported it or answered).
pub async fn delete_draft(db: &Db, account: &Account, need: &Need) -> Result<(), AccountError> {
    let mut tx = db.begin().await?;
    if !needs::delete_draft(&mut tx, need.id, account.id).await? {
        return Err(FieldErrors::one(
            "status",
            "Nur Entwürfe lassen sich löschen; ein eingereichtes Bedürfnis bleibt.",
        )
        .into());
    }
    codefor_storage::commit(tx).await?;
    Ok(())
}

/// Whether a need is public: submitted, not hidden, not held.
pub fn listed(need: &Need) -> bool {
    need.status != Status::Draft.as_str() && need.hidden_reason.is_none() && need.held == 0
}

/// Whether this viewer may see the need's page at all: listed needs everyone (hidden
/// ones show only their reason), drafts their author, held ones their author and its
/// moderators.
pub fn visible_to(need: &Need, viewer: &Viewer) -> bool {
    let author = viewer.account_id.is_some() && viewer.account_id == need.author_id;
    if need.status == Status::Draft.as_str() {
        return author || viewer.admin;
    }
    need.held == 0 || author || moderates(viewer, need)
}

/// Moderators of a need: admins, and the leads of the lab that adopted it.
pub fn moderates(viewer: &Viewer, need: &Need) -> bool {
    allows(
        viewer,
        &Action::ModerateNeed {
            adopted_by: need.adopted_lab_id,
        },
    )
}

/// Supports a listed, open need once; the supporter follows it. Whether this was new.
pub async fn support(
    db: &Db,
    account: &Account,
    need: &Need,
    on: bool,
) -> Result<bool, AccountError> {
    let status = Status::parse(&need.status).unwrap_or(Status::Draft);
    check_and_count(db, SUPPORTS_PER_ACCOUNT, &account.id.to_string()).await?;
    if on && (!listed(need) || status.is_final()) {
        return Err(FieldErrors::one(
            "support",
            "Dieses Bedürfnis kann gerade nicht unterstützt werden.",
        )
        .into());
    }
    let mut tx = db.begin().await?;
    let changed = if on {
        let new = needs::support(&mut tx, need.id, account.id).await?;
        if new {
            needs::follow(&mut tx, need.id, account.id).await?;
        }
        new
    } else {
        needs::withdraw_support(&mut tx, need.id, account.id).await?
    };
    if changed {
        codefor_storage::bump_content_version(&mut tx).await?;
    }
    codefor_storage::commit(tx).await?;
    Ok(changed)
}

/// Follows a need or stops following it.
pub async fn follow(db: &Db, account: &Account, need: &Need, on: bool) -> Result<(), AccountError> {
    if on && !listed(need) && need.author_id != Some(account.id) {
        return Err(
            FieldErrors::one("folgen", "Diesem Bedürfnis kann gerade niemand folgen.").into(),
        );
    }
    let mut tx = db.begin().await?;
    if on {
        needs::follow(&mut tx, need.id, account.id).await?;
    } else {
        needs::unfollow(&mut tx, need.id, account.id).await?;
    }
    codefor_storage::commit(tx).await?;
    Ok(())
}

/// A step of the workflow as a moderator asks for it.
#[derive(Debug, Clone, Default)]
pub struct StepForm {
    /// The status key asked for.
    pub to: String,
    pub reason: String,
    /// For "adopted": the lab's slug.
    pub lab: String,
    /// For "adopted": the account id of the contact (one of the lab's leads); empty
    /// means the one who adopts.
    pub contact: String,
    /// For "merged": the id of the need that carries it on.
    pub merged_into: String,
    /// For "in progress": a project's slug to link (optional when one is linked).
    pub project: String,
}

/// Whether `viewer` may move `need` to `to` (for `adopted`: for lab `lab`). Adopting
/// is for the leads of the adopting lab; every other step for the leads of the lab
/// that adopted the need and for admins.
pub fn may_step(viewer: &Viewer, need: &Need, to: Status, lab: Option<i64>) -> bool {
    // A hidden or held need rests until its moderators act.
    if (need.hidden_reason.is_some() || need.held == 1) && !moderates(viewer, need) {
        return false;
    }
    match to {
        Status::Draft | Status::Submitted => false,
        // Taking a need over from another lab stays with admins and that lab's leads.
        Status::Adopted if need.adopted_lab_id.is_none() => {
            lab.is_some_and(|lab| allows(viewer, &Action::AdoptNeed { lab }))
        }
        _ => allows(
            viewer,
            &Action::ChangeNeedStatus {
                adopted_by: need.adopted_lab_id,
            },
        ),
    }
}

/// Moves a need one step along its workflow, with a reason; notifies its followers.
/// The caller checked [`may_step`]; this checks the workflow and the step's details.
pub async fn step(
    db: &Db,
    actor: &Account,
    viewer: &Viewer,
    need: &Need,
    form: &StepForm,
) -> Result<Status, AccountError> {
    let mut errors = FieldErrors::default();
    let from = Status::parse(&need.status).unwrap_or(Status::Draft);
    let Some(to) = Status::parse(form.to.trim()) else {
        return Err(FieldErrors::one("status", "Bitte wähle einen Stand aus der Liste.").into());
    };
    if !from.can_move_to(to) {
        return Err(FieldErrors::one(
            "status",
            format!(
                "Von „{}“ geht es nicht zu „{}“.",
                from.label_de(),
                to.label_de()
            ),
        )
        .into());
    }
    let reason = form.reason.trim().replace("\r\n", "\n");
    if reason.chars().count() < 3 {
        errors.add(
            "grund",
            "Bitte begründe den Schritt in ein paar Worten: er steht öffentlich im Verlauf.",
        );
    } else if reason.chars().count() > REASON_MAX {
        errors.add(
            "grund",
            format!("Die Begründung darf höchstens {REASON_MAX} Zeichen lang sein."),
        );
    } else if reason.chars().any(|c| c.is_control() && c != '\n') {
        errors.add(
            "grund",
            "Die Begründung darf keine Steuerzeichen enthalten.",
        );
    }
    let mut adopted_lab_id = need.adopted_lab_id;
    let mut contact_id = need.contact_id;
    let mut merged_into = None;
    let mut project = None;
    match to {
        // A first adoption names the lab; going back to "adopted" keeps it.
        Status::Adopted if need.adopted_lab_id.is_none() => {
            let labs = codefor_storage::labs::ids(db).await?;
            match labs.into_iter().find(|(_, s, _)| s == form.lab.trim()) {
                Some((id, _, _)) => {
                    adopted_lab_id = Some(id);
                    let leads = needs::lead_accounts(db, id).await?;
                    contact_id = match form.contact.trim() {
                        // The one who adopts is the contact when they lead the lab.
                        "" => leads
                            .iter()
                            .any(|(l, _)| *l == actor.id)
                            .then_some(actor.id),
                        c => match c
                            .parse::<i64>()
                            .ok()
                            .filter(|c| leads.iter().any(|(l, _)| l == c))
                        {
                            Some(c) => Some(c),
                            None => {
                                errors.add(
                                    "kontakt",
                                    "Ansprechperson kann nur jemand aus der Leitung des Labs sein.",
                                );
                                None
                            }
                        },
                    };
                    if !may_step(viewer, need, to, Some(id)) {
                        errors.add(
                            "lab",
                            "Ein Bedürfnis übernimmst du nur für ein Lab, das du leitest.",
                        );
                    }
                }
                None => errors.add("lab", "Bitte wähle das Lab, das das Bedürfnis übernimmt."),
            }
        }
        Status::InProgress => {
            let linked = needs::projects_of(db, need.id).await?;
            match form.project.trim() {
                "" if linked.is_empty() => errors.add(
                    "projekt",
                    "„In Arbeit“ heißt: ein Projekt arbeitet daran. Bitte verknüpfe es.",
                ),
                "" => {}
                slug => match published_project(db, slug).await? {
                    Some(id) => project = Some(id),
                    None => errors.add("projekt", "Dieses Projekt gibt es nicht."),
                },
            }
        }
        Status::Merged => match form
            .merged_into
            .trim()
            .trim_start_matches('#')
            .parse::<i64>()
        {
            Ok(target) if target == need.id => {
                errors.add(
                    "ziel",
                    "Ein Bedürfnis lässt sich nicht mit sich selbst zusammenführen.",
                );
            }
            Ok(target) => match needs::get(db, target).await? {
                Some(t) if listed(&t) && t.status != Status::Merged.as_str() => {
                    merged_into = Some(target);
                }
                _ => errors.add(
                    "ziel",
                    "Dieses Bedürfnis gibt es nicht (öffentlich, nicht selbst zusammengeführt).",
                ),
            },
            Err(_) => errors.add("ziel", "Bitte gib die Nummer des anderen Bedürfnisses an."),
        },
        // Reopened: no lab holds it any more.
        Status::Discussion => {
            adopted_lab_id = None;
            contact_id = None;
        }
        _ => {}
    }
    errors.into_result(())?;
    let lab_of_step = if to == Status::Adopted {
        adopted_lab_id
    } else {
        None
    };
    let mut tx = db.begin().await?;
    if !needs::set_status(
        &mut tx,
        need.id,
        &Step {
            status: to.as_str(),
            adopted_lab_id,
            contact_id,
            merged_into,
        },
        from.as_str(),
    )
    .await?
    {
        return Err(changed_meanwhile());
    }
    if let Some(project) = project {
        needs::link_project(&mut tx, need.id, project).await?;
    }
    needs::add_event(
        &mut tx,
        need.id,
        to.as_str(),
        &reason,
        lab_of_step,
        Some(actor.id),
        &actor.display_name,
    )
    .await?;
    if to == Status::Adopted {
        if let Some(c) = contact_id {
            needs::follow(&mut tx, need.id, c).await?;
        }
        needs::follow(&mut tx, need.id, actor.id).await?;
    }
    notifications::fan_out(
        &mut tx,
        need.id,
        None,
        Some(actor.id),
        "status",
        &actor.display_name,
        &format!(
            "hat den Stand geändert: {} – {}",
            to.label_de(),
            first_line(&reason, 120)
        ),
        &format!("{}#verlauf", path(need.id)),
    )
    .await?;
    codefor_storage::audit::record(
        &mut tx,
        Some(actor.id),
        &actor.display_name,
        "need.status",
        &format!("beduerfnisse/{}", need.id),
        to.as_str(),
    )
    .await?;
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    Ok(to)
}

/// Someone else moved the need on between reading it and this step.
fn changed_meanwhile() -> AccountError {
    FieldErrors::one(
        "status",
        "Der Stand hat sich inzwischen geändert. Bitte lade die Seite neu und sieh nach.",
    )
    .into()
}

/// The id of the published project with this slug.
async fn published_project(db: &Db, slug: &str) -> Result<Option<i64>, DbError> {
    Ok(codefor_storage::projects::get(db, slug)
        .await?
        .filter(|d| !d.project.draft)
        .map(|d| d.id))
}

/// Links a project to a need or removes the link (the adopting lab's leads, admins);
/// followers hear of a new link.
pub async fn link_project(
    db: &Db,
    actor: &Account,
    need: &Need,
    project_slug: &str,
    on: bool,
) -> Result<bool, AccountError> {
    let Some(detail) = codefor_storage::projects::get(db, project_slug.trim())
        .await?
        .filter(|d| !d.project.draft)
    else {
        return Err(FieldErrors::one("projekt", "Dieses Projekt gibt es nicht.").into());
    };
    let mut tx = db.begin().await?;
    let changed = if on {
        needs::link_project(&mut tx, need.id, detail.id).await?
    } else {
        needs::unlink_project(&mut tx, need.id, detail.id).await?
    };
    if changed && on {
        notifications::fan_out(
            &mut tx,
            need.id,
            None,
            Some(actor.id),
            "project",
            &actor.display_name,
            &format!("hat das Projekt „{}“ verknüpft", detail.project.title),
            &format!("{}#projekte", path(need.id)),
        )
        .await?;
    }
    if changed {
        codefor_storage::audit::record(
            &mut tx,
            Some(actor.id),
            &actor.display_name,
            if on {
                "need.project.link"
            } else {
                "need.project.unlink"
            },
            &format!("beduerfnisse/{}", need.id),
            &detail.project.slug,
        )
        .await?;
        codefor_storage::bump_content_version(&mut tx).await?;
    }
    codefor_storage::commit(tx).await?;
    Ok(changed)
}

/// The first line of a text, at most `max` characters.
pub fn first_line(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or_default().trim();
    if line.chars().count() > max {
        let cut: String = line.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        line.to_owned()
    }
}
