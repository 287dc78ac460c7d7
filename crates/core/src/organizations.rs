//! Organizations — administrations above all — and the projects they use: anyone signed
//! in registers one (and becomes its first staff member), admins confirm it and add
//! staff by e-mail address, and staff or the project's leads record that it uses a
//! project. Every change bumps the content version; confirmations, staff and uses go to
//! the audit log.

use std::collections::HashMap;

use codefor_domain::organizations::{Kind, check_ags};
use codefor_domain::permissions::{Action, Viewer, allows};
use codefor_domain::slug::slugify;
use codefor_domain::states;
use codefor_storage::accounts::{self, Account};
use codefor_storage::organizations::{self, Fields, Organization};
use codefor_storage::{Db, DbError, audit};

use crate::accounts::AccountError;
use crate::editing::value;
use crate::forms::{self, FieldErrors};

/// Slugs that are paths of their own under `/organisationen/`.
const RESERVED: &[&str] = &["neu"];

/// A checked organization form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrganization {
    pub name: String,
    pub kind: Kind,
    /// Federal state key (`"01"`); taken from the AGS when only that is given.
    pub state_key: Option<String>,
    /// Digits only.
    pub ags: Option<String>,
    pub website_url: Option<String>,
}

/// Reads and checks an organization form. Field names: `name`, `kind`, `state` (a
/// federal state's key), `ags`, `website`.
pub fn parse(form: &HashMap<String, String>) -> Result<NewOrganization, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = forms::required(&mut errors, "name", "Name", value(form, "name"), 150);
    if !name.is_empty() && name.chars().count() < 2 {
        errors.add("name", "Der Name braucht mindestens 2 Zeichen.");
    }
    let kind = Kind::parse(value(form, "kind").trim());
    if kind.is_none() {
        errors.add("kind", "Bitte wähle, was für eine Organisation es ist.");
    }
    let chosen_state = match value(form, "state").trim() {
        "" => None,
        key => match states::by_key(key) {
            Some(s) => Some(s.key.to_owned()),
            None => {
                errors.add("state", "Bitte wähle ein Bundesland aus der Liste.");
                None
            }
        },
    };
    let ags = match value(form, "ags").trim() {
        "" => None,
        text => match check_ags(text) {
            Ok(digits) => Some(digits),
            Err(why) => {
                errors.add("ags", why);
                None
            }
        },
    };
    let state_key = match (&chosen_state, &ags) {
        (Some(state), Some(ags)) if !ags.starts_with(state.as_str()) => {
            let named = states::by_key(state).map_or(state.as_str(), |s| s.name);
            errors.add(
                "ags",
                format!(
                    "Der Schlüssel {ags} gehört nicht zu {named}: Schlüssel aus {named} beginnen mit {state}."
                ),
            );
            chosen_state
        }
        (None, Some(ags)) => ags.get(..2).map(str::to_owned),
        _ => chosen_state,
    };
    let website_url = forms::optional(
        &mut errors,
        "website",
        "Website",
        value(form, "website"),
        300,
    );
    if let Some(url) = &website_url
        && !is_web_address(url)
    {
        errors.add(
            "website",
            "Die Website muss eine Web-Adresse sein, die mit https:// oder http:// beginnt (Beispiel: https://www.kiel.de).",
        );
    }
    match kind {
        Some(kind) if errors.is_empty() => Ok(NewOrganization {
            name,
            kind,
            state_key,
            ags,
            website_url,
        }),
        _ => Err(errors),
    }
}

fn is_web_address(text: &str) -> bool {
    url::Url::parse(text).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| h.contains('.'))
    }) && !text.contains(char::is_whitespace)
}

/// Registers an organization; `account` becomes its first staff member. Returns its slug.
pub async fn create(
    db: &Db,
    account: &Account,
    org: &NewOrganization,
) -> Result<String, AccountError> {
    let base = match slugify(&org.name) {
        s if s.is_empty() => "organisation".to_owned(),
        s => s
            .chars()
            .take(80)
            .collect::<String>()
            .trim_end_matches('-')
            .to_owned(),
    };
    crate::accounts::check_and_count(
        db,
        crate::accounts::ORGANIZATIONS_PER_ACCOUNT,
        &account.id.to_string(),
    )
    .await?;
    // Two people registering the same name at once: the loser of the race on the
    // unique slug tries the next free one.
    for _ in 0..3 {
        let mut tx = db.begin().await?;
        let mut slug = base.clone();
        let mut n = 1;
        while RESERVED.contains(&slug.as_str()) || organizations::slug_taken(&mut tx, &slug).await?
        {
            n += 1;
            slug = format!("{base}-{n}");
        }
        let fields = Fields {
            name: &org.name,
            kind: org.kind.as_str(),
            state_key: org.state_key.as_deref(),
            ags: org.ags.as_deref(),
            website_url: org.website_url.as_deref(),
        };
        match organizations::create(&mut tx, &slug, &fields, Some(account.id)).await {
            Ok(_) => {}
            Err(DbError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
        audit::record(
            &mut tx,
            Some(account.id),
            &account.display_name,
            "organization.create",
            &slug,
            &org.name,
        )
        .await?;
        codefor_storage::bump_content_version(&mut tx).await?;
        codefor_storage::commit(tx).await?;
        return Ok(slug);
    }
    Err(FieldErrors::one(
        "name",
        "Die Organisation konnte gerade nicht angelegt werden. Bitte versuche es noch einmal.",
    )
    .into())
}

/// An admin confirms an organization (or takes the confirmation back).
pub async fn set_verified(
    db: &Db,
    actor: &Account,
    org: &Organization,
    verified: bool,
) -> Result<(), AccountError> {
    let mut tx = db.begin().await?;
    organizations::set_verified(&mut tx, org.id, verified).await?;
    let action = if verified {
        "organization.verify"
    } else {
        "organization.unverify"
    };
    audit::record(
        &mut tx,
        Some(actor.id),
        &actor.display_name,
        action,
        &org.slug,
        &org.name,
    )
    .await?;
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    Ok(())
}

/// An admin adds the account with this e-mail address to an organization's staff.
pub async fn add_staff(
    db: &Db,
    actor: &Account,
    org: &Organization,
    email: &str,
) -> Result<(), AccountError> {
    let mut errors = FieldErrors::default();
    let email = forms::email(&mut errors, "email", email);
    errors.into_result(())?;
    let Some(staff) = accounts::by_email(db, &email).await? else {
        return Err(FieldErrors::one(
            "email",
            "Zu dieser Adresse gibt es kein Konto. Die Person muss sich zuerst registrieren.",
        )
        .into());
    };
    let mut tx = db.begin().await?;
    organizations::add_member(&mut tx, org.id, staff.id).await?;
    audit::record(
        &mut tx,
        Some(actor.id),
        &actor.display_name,
        "organization.staff.add",
        &org.slug,
        &staff.display_name,
    )
    .await?;
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    Ok(())
}

/// Whether `viewer` may record (or remove) that `organization` uses a project of these
/// labs: a lead of one of them, staff of the organization, or an admin.
pub async fn may_record_use(
    db: &Db,
    viewer: &Viewer,
    labs: &[i64],
    organization: i64,
) -> Result<bool, DbError> {
    let staff = match viewer.account_id {
        Some(account) => organizations::is_member(db, organization, account).await?,
        None => false,
    };
    Ok(allows(
        viewer,
        &Action::RecordUse {
            labs: labs.to_vec(),
            staff,
        },
    ))
}

/// A checked use: since when (`YYYY-MM` or `YYYY-MM-DD`) and a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    pub since: Option<String>,
    pub note: String,
}

/// Reads and checks the fields `since` and `note` of a use.
pub fn parse_use(form: &HashMap<String, String>) -> Result<Use, FieldErrors> {
    let mut errors = FieldErrors::default();
    let since = match value(form, "since").trim() {
        "" => None,
        text => match check_since(text) {
            Ok(s) => Some(s),
            Err(why) => {
                errors.add("since", why);
                None
            }
        },
    };
    let note = forms::optional(&mut errors, "note", "Anmerkung", value(form, "note"), 500)
        .unwrap_or_default();
    errors.into_result(Use { since, note })
}

/// `YYYY-MM` or `YYYY-MM-DD`, not after today.
fn check_since(text: &str) -> Result<String, String> {
    let wrong = || {
        format!(
            "„{text}“ ist kein Monat und kein Datum. Schreibe zum Beispiel 2024-03 oder 2024-03-15."
        )
    };
    let normalized = match text.len() {
        7 => {
            let (year, month) = text.split_once('-').ok_or_else(wrong)?;
            let ok = year.len() == 4
                && year
                    .parse::<i32>()
                    .is_ok_and(|y| (1900..=2999).contains(&y))
                && month.len() == 2
                && month.parse::<u8>().is_ok_and(|m| (1..=12).contains(&m));
            if !ok {
                return Err(wrong());
            }
            text.to_owned()
        }
        10 => text
            .parse::<jiff::civil::Date>()
            .map_err(|_| wrong())?
            .to_string(),
        _ => return Err(wrong()),
    };
    let today = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
    if normalized.as_str() > today.get(..normalized.len()).unwrap_or(&today) {
        return Err("„Seit wann“ liegt in der Zukunft.".to_owned());
    }
    Ok(normalized)
}

/// Records that `organization` uses the project (or updates the record), after
/// checking the permission.
pub async fn record_use(
    db: &Db,
    actor: &Account,
    viewer: &Viewer,
    project: (i64, &str, &[i64]),
    organization: &Organization,
    used: &Use,
) -> Result<(), AccountError> {
    let (project_id, project_slug, labs) = project;
    if !may_record_use(db, viewer, labs, organization.id).await? {
        return Err(not_allowed());
    }
    let mut tx = db.begin().await?;
    organizations::record_use(
        &mut tx,
        project_id,
        organization.id,
        used.since.as_deref(),
        &used.note,
        Some(actor.id),
    )
    .await?;
    audit::record(
        &mut tx,
        Some(actor.id),
        &actor.display_name,
        "organization.use.record",
        project_slug,
        &organization.name,
    )
    .await?;
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    Ok(())
}

/// Removes the record that `organization` uses the project; whether there was one.
pub async fn remove_use(
    db: &Db,
    actor: &Account,
    viewer: &Viewer,
    project: (i64, &str, &[i64]),
    organization: &Organization,
) -> Result<bool, AccountError> {
    let (project_id, project_slug, labs) = project;
    if !may_record_use(db, viewer, labs, organization.id).await? {
        return Err(not_allowed());
    }
    let mut tx = db.begin().await?;
    let removed = organizations::remove_use(&mut tx, project_id, organization.id).await?;
    if removed {
        audit::record(
            &mut tx,
            Some(actor.id),
            &actor.display_name,
            "organization.use.remove",
            project_slug,
            &organization.name,
        )
        .await?;
        codefor_storage::bump_content_version(&mut tx).await?;
    }
    codefor_storage::commit(tx).await?;
    Ok(removed)
}

fn not_allowed() -> AccountError {
    FieldErrors::one(
        "organization",
        "Für diese Organisation darfst du hier nichts eintragen: das dürfen ihre Mitarbeitenden und die Leitung des Projekts.",
    )
    .into()
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
    fn organizations_are_checked_field_by_field() {
        let ok = parse(&form(&[
            ("name", "Landeshauptstadt Kiel"),
            ("kind", "municipality"),
            ("ags", "01 002 000"),
            ("website", "https://www.kiel.de"),
        ]))
        .expect("valid");
        assert_eq!(ok.state_key.as_deref(), Some("01"), "state from the key");
        assert_eq!(ok.ags.as_deref(), Some("01002000"));
        let bad = parse(&form(&[
            ("name", "K"),
            ("kind", "castle"),
            ("state", "14"),
            ("ags", "01002000"),
            ("website", "javascript:alert(1)"),
        ]))
        .expect_err("invalid");
        for field in ["name", "kind", "ags", "website"] {
            assert!(bad.get(field).is_some(), "{field}: {bad:?}");
        }
        assert!(
            parse(&form(&[("name", "X Y"), ("kind", "other"), ("ags", "99")]))
                .expect_err("no such state")
                .get("ags")
                .is_some()
        );
    }

    #[test]
    fn since_is_a_month_or_a_day_in_the_past() {
        assert_eq!(check_since("2024-03").as_deref(), Ok("2024-03"));
        assert_eq!(check_since("2024-03-15").as_deref(), Ok("2024-03-15"));
        for bad in [
            "2024-13",
            "2024-3",
            "24-03-15",
            "2024-02-30",
            "2999-01",
            "gestern",
        ] {
            assert!(check_since(bad).is_err(), "{bad}");
        }
    }
}
