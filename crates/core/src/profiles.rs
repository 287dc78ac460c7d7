//! Profiles: a person's name, short bio, sector, skills, interests and labs, each part
//! shown only to whom the person chose; and claiming a person named in content.

use std::collections::{BTreeMap, HashMap};

use codefor_domain::Link;
use codefor_domain::profiles::{
    self, FIELDS, INTERESTS, Onlooker, Profile, SKILLS, Sector, Visibility,
};
use codefor_storage::accounts::{self, Account};
use codefor_storage::{Db, audit, people};
use serde::Serialize;

use crate::accounts::AccountError;
use crate::forms::{self, FieldErrors};

pub const BIO_MAX: usize = 1000;

/// Reads a submitted profile form: `bio`, `sector`, one `skill:<name>` / `interest:<name>`
/// per ticked box, free tags in `skills_free` / `interests_free` (comma-separated), and
/// `visibility:<field>` per part.
pub fn parse(form: &HashMap<String, String>) -> Result<Profile, FieldErrors> {
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let mut errors = FieldErrors::default();
    let bio =
        forms::optional(&mut errors, "bio", "Über mich", get("bio"), BIO_MAX).unwrap_or_default();
    let sector = match get("sector") {
        "" => None,
        s => match Sector::parse(s) {
            Some(s) => Some(s),
            None => {
                errors.add("sector", "Bitte wähle einen Bereich aus der Liste.");
                None
            }
        },
    };
    let skills = tags(&mut errors, form, "skill", SKILLS, "skills_free");
    let interests = tags(&mut errors, form, "interest", INTERESTS, "interests_free");
    let mut visibility = BTreeMap::new();
    for field in FIELDS {
        let v = get(&format!("visibility:{field}"));
        match Visibility::parse(v) {
            Some(v) => {
                visibility.insert(field.to_owned(), v);
            }
            None if v.is_empty() => {}
            None => errors.add(
                "visibility",
                "Bitte wähle für jeden Teil, wer ihn sehen darf.",
            ),
        }
    }
    errors.into_result(Profile {
        bio,
        sector,
        skills,
        interests,
        visibility,
    })
}

/// Ticked boxes from `offered` plus free tags, without repeats.
fn tags(
    errors: &mut FieldErrors,
    form: &HashMap<String, String>,
    prefix: &str,
    offered: &[&str],
    free_field: &'static str,
) -> Vec<String> {
    let mut out: Vec<String> = offered
        .iter()
        .filter(|o| form.contains_key(&format!("{prefix}:{o}")))
        .map(|o| (*o).to_owned())
        .collect();
    let free = form.get(free_field).map(String::as_str).unwrap_or("");
    for tag in free.split([',', '\n']) {
        let tag = tag.trim();
        if tag.is_empty() || out.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            continue;
        }
        if tag.chars().count() > 40 || tag.chars().any(char::is_control) {
            errors.add(
                free_field,
                format!("„{tag}“ ist zu lang (höchstens 40 Zeichen)."),
            );
            break;
        }
        out.push(tag.to_owned());
    }
    if out.len() > 20 {
        errors.add(free_field, "Höchstens 20 Einträge, bitte.");
    }
    out
}

/// Saves the account's profile.
pub async fn update(db: &Db, account: &Account, profile: &Profile) -> Result<(), AccountError> {
    let mut tx = db.begin().await?;
    accounts::set_profile(&mut tx, account.id, profile).await?;
    // Public pages may show parts of it (and a cached "not found" must go).
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    Ok(())
}

/// A profile as one onlooker may see it: parts they may not see are left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Shown {
    pub name: String,
    pub bio: Option<String>,
    pub sector: Option<&'static str>,
    pub skills: Vec<String>,
    pub interests: Vec<String>,
    /// (slug, name) of labs the person leads or belongs to.
    pub labs: Vec<(String, String)>,
}

impl Shown {
    /// Whether anything beyond the name is shown.
    pub fn is_empty(&self) -> bool {
        self.bio.is_none()
            && self.sector.is_none()
            && self.skills.is_empty()
            && self.interests.is_empty()
            && self.labs.is_empty()
    }
}

/// The profile of `account` as `onlooker` may see it; `None` when the account does not
/// exist or shows nothing to this onlooker.
pub async fn shown(
    db: &Db,
    account_id: i64,
    onlooker: Onlooker,
) -> Result<Option<Shown>, AccountError> {
    let (Some(account), Some(profile)) = (
        accounts::get(db, account_id).await?,
        accounts::profile(db, account_id).await?,
    ) else {
        return Ok(None);
    };
    let sees = |field: &str| onlooker.sees(profile.visibility_of(field));
    let mut labs = Vec::new();
    if sees("labs") {
        let roles = accounts::lab_roles(db, account_id).await?;
        let all = codefor_storage::labs::ids(db).await?;
        for id in roles.leads.iter().chain(&roles.member_of) {
            if let Some((_, slug, name)) = all.iter().find(|(lab, _, _)| lab == id) {
                labs.push((slug.clone(), name.clone()));
            }
        }
    }
    let shown = Shown {
        name: account.display_name.clone(),
        bio: (sees("bio") && !profile.bio.is_empty()).then(|| profile.bio.clone()),
        sector: profile
            .sector
            .filter(|_| sees("sector"))
            .map(Sector::label_de),
        skills: if sees("skills") {
            profile.skills.clone()
        } else {
            vec![]
        },
        interests: if sees("interests") {
            profile.interests.clone()
        } else {
            vec![]
        },
        labs,
    };
    Ok((onlooker == Onlooker::Owner || !shown.is_empty()).then_some(shown))
}

/// Claims a person named in content for the account, when the person's own links name
/// the account's confirmed address (`mailto:`). Anything else needs an admin.
pub async fn claim(db: &Db, account: &Account, person_key: &str) -> Result<String, AccountError> {
    let not_yours = || {
        FieldErrors::one(
            "person",
            "Diese Person können wir dir nicht automatisch zuordnen: Ihre Angaben nennen deine \
             E-Mail-Adresse nicht. Bitte wende dich an die Verwaltung des Netzwerks.",
        )
    };
    if !account.confirmed() {
        return Err(not_yours().into());
    }
    let (person_id, name) = people::by_key(db, person_key.trim())
        .await?
        .ok_or_else(|| {
            FieldErrors::one(
                "person",
                format!("Eine Person „{person_key}“ gibt es nicht."),
            )
        })?;
    let links: Vec<Link> = accounts::person_links(db, person_id)
        .await?
        .and_then(|l| serde_json::from_str(&l).ok())
        .unwrap_or_default();
    let named = links.iter().any(|l| {
        l.url
            .strip_prefix("mailto:")
            .is_some_and(|addr| accounts::normalize_email(addr) == account.email)
    });
    if !named {
        return Err(not_yours().into());
    }
    let mut tx = db.begin().await?;
    if !accounts::link_person(&mut tx, account.id, Some(person_id)).await? {
        return Err(FieldErrors::one(
            "person",
            format!("{name} gehört schon zu einem anderen Konto."),
        )
        .into());
    }
    audit::record(
        &mut tx,
        Some(account.id),
        &account.display_name,
        "person.claim",
        &account.email,
        person_key,
    )
    .await?;
    codefor_storage::commit(tx).await?;
    Ok(name)
}

/// What the profile form shows: the offered choices with what is ticked.
#[derive(Debug, Clone, Serialize)]
pub struct FormView {
    pub bio: String,
    pub sector: String,
    pub sectors: Vec<(&'static str, &'static str)>,
    pub skills: Vec<(String, bool)>,
    pub skills_free: String,
    pub interests: Vec<(String, bool)>,
    pub interests_free: String,
    /// (field, label, chosen visibility)
    pub visibility: Vec<(&'static str, &'static str, &'static str)>,
    pub visibilities: Vec<(&'static str, &'static str)>,
}

/// The form as it was sent (after an error), so nothing typed or ticked is lost.
pub fn form_view_sent(form: &HashMap<String, String>) -> FormView {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let ticked = |prefix: &str, offered: &[&str]| -> Vec<(String, bool)> {
        offered
            .iter()
            .map(|o| ((*o).to_owned(), form.contains_key(&format!("{prefix}:{o}"))))
            .collect()
    };
    let mut view = form_view(&Profile::default());
    view.bio = get("bio");
    view.sector = get("sector");
    view.skills = ticked("skill", SKILLS);
    view.skills_free = get("skills_free");
    view.interests = ticked("interest", INTERESTS);
    view.interests_free = get("interests_free");
    for (field, _, chosen) in &mut view.visibility {
        if let Some(v) = form
            .get(&format!("visibility:{field}"))
            .and_then(|v| Visibility::parse(v))
        {
            *chosen = v.as_str();
        }
    }
    view
}

pub fn form_view(profile: &Profile) -> FormView {
    let ticked = |offered: &[&str], have: &[String]| -> (Vec<(String, bool)>, String) {
        let boxes = offered
            .iter()
            .map(|o| ((*o).to_owned(), have.iter().any(|h| h == o)))
            .collect();
        let free = have
            .iter()
            .filter(|h| !offered.contains(&h.as_str()))
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        (boxes, free)
    };
    let (skills, skills_free) = ticked(SKILLS, &profile.skills);
    let (interests, interests_free) = ticked(INTERESTS, &profile.interests);
    let labels = [
        ("bio", "Über mich"),
        ("sector", "Bereich"),
        ("skills", "Fähigkeiten"),
        ("interests", "Interessen"),
        ("labs", "Meine Labs"),
    ];
    FormView {
        bio: profile.bio.clone(),
        sector: profile
            .sector
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        sectors: profiles::Sector::ALL
            .iter()
            .map(|s| (s.as_str(), s.label_de()))
            .collect(),
        skills,
        skills_free,
        interests,
        interests_free,
        visibility: labels
            .iter()
            .map(|(f, l)| (*f, *l, profile.visibility_of(f).as_str()))
            .collect(),
        visibilities: Visibility::ALL
            .iter()
            .map(|v| (v.as_str(), v.label_de()))
            .collect(),
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
    fn reads_boxes_free_tags_and_visibility() {
        let p = parse(&form(&[
            ("bio", "Ich mag Karten."),
            ("sector", "administration"),
            ("skill:Datenanalyse", "1"),
            ("skills_free", "Rust, datenanalyse, QGIS"),
            ("interest:Mobilität", "1"),
            ("visibility:bio", "public"),
            ("visibility:skills", "members"),
        ]))
        .unwrap_or_default();
        assert_eq!(p.skills, ["Datenanalyse", "Rust", "QGIS"]);
        assert_eq!(p.interests, ["Mobilität"]);
        assert_eq!(p.sector, Some(Sector::Administration));
        assert_eq!(p.visibility_of("bio"), Visibility::Public);
        assert_eq!(p.visibility_of("interests"), Visibility::Private);
        let view = form_view(&p);
        assert_eq!(view.skills_free, "Rust, QGIS");
        assert!(view.skills.iter().any(|(s, t)| s == "Datenanalyse" && *t));
    }

    #[test]
    fn refuses_unknown_choices() {
        let e = parse(&form(&[("sector", "adel"), ("visibility:bio", "alle")]))
            .err()
            .unwrap_or_default();
        assert!(e.get("sector").is_some());
        assert!(e.get("visibility").is_some());
    }
}
