//! Joining a lab: a signed-in person asks (with an optional message), the lab's leads
//! hear of it by e-mail and answer on the lab's dashboard; members can leave; leads
//! appoint co-leads. Every answer and appointment goes to the audit log.

use codefor_domain::profiles::{Onlooker, Visibility};
use codefor_storage::accounts::{self, Account};
use codefor_storage::labs::LabDetail;
use codefor_storage::memberships::{self, Member};
use codefor_storage::{Db, audit};

use crate::accounts::{AccountError, Limit, check_and_count};
use crate::forms::{self, FieldErrors};
use crate::mail::{Mail, Mailer};

/// Requests to join, per account: enough for real use, too few to pester leads.
pub const JOIN_PER_ACCOUNT: Limit = Limit {
    scope: "join-account",
    max: 10,
    window: 24 * 3600,
};

/// Asks to join `lab`; its leads are told by e-mail.
pub async fn ask(
    db: &Db,
    mailer: &Mailer,
    origin: &str,
    account: &Account,
    lab: &LabDetail,
    message: &str,
) -> Result<(), AccountError> {
    let mut errors = FieldErrors::default();
    let message = forms::optional(&mut errors, "message", "Nachricht", message, 1000);
    errors.into_result(())?;
    if !codefor_storage::labs::accepts_requests(db, lab.id).await? {
        return Err(FieldErrors::one(
            "message",
            "Dieses Lab nimmt über die Plattform gerade keine Beitrittsanfragen an. Komm zu einem Treffen oder schreib der Leitung.",
        )
        .into());
    }
    check_and_count(db, JOIN_PER_ACCOUNT, &account.id.to_string()).await?;
    let mut tx = db.begin().await?;
    let person = accounts::ensure_person(&mut tx, account).await?;
    if !memberships::request(&mut tx, lab.id, person, message.as_deref()).await? {
        return Err(FieldErrors::one("message", "Du gehörst schon zu diesem Lab.").into());
    }
    codefor_storage::commit(tx).await?;
    let text = message
        .as_deref()
        .map(|m| format!("\nDie Nachricht dazu:\n\n{m}\n"))
        .unwrap_or_default();
    for (email, name) in memberships::lead_addresses(db, lab.id).await? {
        mailer
            .send(&Mail {
                to: email,
                subject: format!(
                    "{} möchte bei {} mitmachen",
                    account.display_name, lab.lab.name
                ),
                body: format!(
                    "Hallo {name},\n\n{} möchte bei {} mitmachen.\n{text}\nAnnehmen oder ablehnen: \
                     {origin}/mitglieder/{}/\n",
                    account.display_name, lab.lab.name, lab.lab.slug
                ),
            })
            .await?;
    }
    Ok(())
}

/// A lead (or admin) answers a request; the person hears of it by e-mail.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    db: &Db,
    mailer: &Mailer,
    origin: &str,
    actor: &Account,
    lab: &LabDetail,
    person_id: i64,
    accept: bool,
) -> Result<(), AccountError> {
    let mut tx = db.begin().await?;
    if !memberships::decide(&mut tx, lab.id, person_id, accept).await? {
        return Err(FieldErrors::one("person", "Diese Anfrage gibt es nicht (mehr).").into());
    }
    let name = codefor_storage::people::by_id(db, person_id)
        .await?
        .map(|(_, n)| n)
        .unwrap_or_default();
    let action = if accept {
        "membership.accept"
    } else {
        "membership.decline"
    };
    audit::record(
        &mut tx,
        Some(actor.id),
        &actor.display_name,
        action,
        &lab.lab.slug,
        &name,
    )
    .await?;
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    if let Some(requester) = accounts::by_person(db, person_id).await? {
        let body = if accept {
            format!(
                "Hallo {},\n\nwillkommen bei {}! Deine Anfrage ist angenommen.\n\n{origin}/{}/\n",
                requester.display_name, lab.lab.name, lab.lab.slug
            )
        } else {
            format!(
                "Hallo {},\n\ndeine Anfrage bei {} wurde leider nicht angenommen. Schau gern bei \
                 einem Treffen vorbei oder frag die Leitung direkt.\n\n{origin}/{}/\n",
                requester.display_name, lab.lab.name, lab.lab.slug
            )
        };
        mailer
            .send(&Mail {
                to: requester.email,
                subject: format!("Deine Anfrage bei {}", lab.lab.name),
                body,
            })
            .await?;
    }
    Ok(())
}

/// Leaves the lab (or takes back a request).
pub async fn leave(db: &Db, account: &Account, lab: &LabDetail) -> Result<(), AccountError> {
    let Some(person) = account.person_id else {
        return Ok(());
    };
    let mut tx = db.begin().await?;
    if memberships::leave(&mut tx, lab.id, person).await? {
        audit::record(
            &mut tx,
            Some(account.id),
            &account.display_name,
            "membership.leave",
            &lab.lab.slug,
            "",
        )
        .await?;
        codefor_storage::bump_content_version(&mut tx).await?;
    }
    codefor_storage::commit(tx).await?;
    Ok(())
}

/// Makes a member a co-lead.
pub async fn appoint(
    db: &Db,
    actor: &Account,
    lab: &LabDetail,
    person_id: i64,
) -> Result<(), AccountError> {
    let mut tx = db.begin().await?;
    if !memberships::appoint_lead(&mut tx, lab.id, person_id).await? {
        return Err(FieldErrors::one("person", "Nur Mitglieder können Co-Leitung werden.").into());
    }
    let name = codefor_storage::people::by_id(db, person_id)
        .await?
        .map(|(_, n)| n)
        .unwrap_or_default();
    audit::record(
        &mut tx,
        Some(actor.id),
        &actor.display_name,
        "role.lead.grant",
        &lab.lab.slug,
        &name,
    )
    .await?;
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    Ok(())
}

/// The members a lab's public page may show to `onlooker`: people from content always
/// (the content names them), people with an account as their profile's "labs" part says.
pub fn visible_members(members: Vec<Member>, onlooker: Onlooker) -> Vec<Member> {
    members
        .into_iter()
        .filter(|m| match &m.visibility_json {
            None => true,
            Some(json) => {
                let visibility: std::collections::BTreeMap<String, Visibility> =
                    serde_json::from_str(json).unwrap_or_default();
                onlooker.sees(visibility.get("labs").copied().unwrap_or_default())
            }
        })
        .collect()
}
