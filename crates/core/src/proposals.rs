//! Proposing a new lab: anyone signed in proposes (city, federal state, first leads, how
//! they will meet); network admins approve — the lab is founded and the proposer leads
//! it — or decline with a reason. The proposer hears either way by mail.

use std::collections::HashMap;

use codefor_storage::accounts::{self, Account};
use codefor_storage::proposals::{self, NewProposal};
use codefor_storage::revisions::Author;
use codefor_storage::{Db, audit, labs, people};

use crate::accounts::{AccountError, Limit, check_and_count};
use crate::editing::value;
use crate::forms::{self, FieldErrors};
use crate::mail::{Mail, Mailer};

/// Proposals per account and day.
pub const PROPOSALS_PER_ACCOUNT: Limit = Limit {
    scope: "proposal-account",
    max: 3,
    window: 24 * 3600,
};

/// Checks and records a proposal; returns its id.
pub async fn propose(
    db: &Db,
    account: &Account,
    form: &HashMap<String, String>,
) -> Result<i64, AccountError> {
    let mut errors = FieldErrors::default();
    let city = forms::required(&mut errors, "city", "Stadt", value(form, "city"), 100);
    let state_key = value(form, "state_key").trim().to_owned();
    if codefor_domain::states::by_key(&state_key).is_none() {
        errors.add("state_key", "Bitte wähle das Bundesland.");
    }
    let name = match value(form, "name").trim() {
        "" if !city.is_empty() => format!("OK Lab {city}"),
        n => forms::required(&mut errors, "name", "Name des Labs", n, 100),
    };
    let leads = forms::optional(
        &mut errors,
        "leads",
        "Weitere Leitung",
        value(form, "leads"),
        500,
    )
    .unwrap_or_default();
    let meeting = forms::required(
        &mut errors,
        "meeting",
        "Wie ihr euch treffen wollt",
        value(form, "meeting"),
        500,
    );
    let note = forms::optional(
        &mut errors,
        "note",
        "Nachricht an das Netzwerk",
        value(form, "note"),
        2000,
    )
    .unwrap_or_default();
    errors.into_result(())?;
    check_and_count(db, PROPOSALS_PER_ACCOUNT, &account.id.to_string()).await?;
    let mut tx = db.begin().await?;
    let id = proposals::create(
        &mut tx,
        account.id,
        &NewProposal {
            name: &name,
            city: &city,
            state_key: &state_key,
            leads: &leads,
            meeting: &meeting,
            note: &note,
        },
    )
    .await?;
    codefor_storage::commit(tx).await?;
    Ok(id)
}

/// An admin's decision. Approving founds the lab (its address from the city, or
/// `slug` when given) with the proposer and the named people as leads; declining needs
/// a reason, which the proposer reads.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    db: &Db,
    mailer: &Mailer,
    origin: &str,
    admin: &Account,
    id: i64,
    approve: bool,
    reason: &str,
    slug: &str,
) -> Result<(), AccountError> {
    let Some(proposal) = proposals::get(db, id).await?.filter(|p| p.status == "open") else {
        return Err(
            FieldErrors::one("proposal", "Über diesen Vorschlag ist schon entschieden.").into(),
        );
    };
    let proposer = match proposal.account_id {
        Some(a) => accounts::get(db, a).await?,
        None => None,
    };
    let author = Author {
        account_id: Some(admin.id),
        name: &admin.display_name,
    };
    if !approve {
        let mut errors = FieldErrors::default();
        let reason = forms::required(&mut errors, "reason", "Begründung", reason, 1000);
        errors.into_result(())?;
        let mut tx = db.begin().await?;
        proposals::decide(&mut tx, id, false, Some(&reason), None).await?;
        audit::record(
            &mut tx,
            author.account_id,
            author.name,
            "proposal.decline",
            &proposal.city,
            &reason,
        )
        .await?;
        codefor_storage::commit(tx).await?;
        if let Some(p) = proposer {
            mailer
                .send(&Mail {
                    to: p.email,
                    subject: format!("Dein Vorschlag: {}", proposal.name),
                    body: format!(
                        "Hallo {},\n\ndanke für deinen Vorschlag „{}“. Das Netzwerk hat ihn \
                         diesmal nicht angenommen. Die Begründung:\n\n{reason}\n\nMelde dich gern, \
                         wenn du Fragen hast.\n",
                        p.display_name, proposal.name
                    ),
                })
                .await?;
        }
        return Ok(());
    }
    let form: HashMap<String, String> = [
        ("name", proposal.name.as_str()),
        ("city", proposal.city.as_str()),
        ("slug", slug),
        ("state_key", proposal.state_key.as_str()),
        ("meeting", proposal.meeting.as_str()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let new = crate::labs::parse_new(&form)?;
    let lab_id = crate::labs::create(db, &new, author).await?;
    let mut tx = db.begin().await?;
    let mut leads = Vec::new();
    if let Some(p) = &proposer {
        leads.push(accounts::ensure_person(&mut tx, p).await?);
    }
    for name in proposal
        .leads
        .lines()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        let person = people::find_or_create(&mut tx, name).await?;
        if !leads.contains(&person) {
            leads.push(person);
        }
    }
    labs::replace_leads(&mut tx, lab_id, &leads).await?;
    proposals::decide(&mut tx, id, true, None, Some(&new.slug)).await?;
    audit::record(
        &mut tx,
        author.account_id,
        author.name,
        "proposal.approve",
        &new.slug,
        &proposal.name,
    )
    .await?;
    if proposer.is_some() {
        audit::record(
            &mut tx,
            author.account_id,
            author.name,
            "role.lead.grant",
            &new.slug,
            "vorschlagende Person",
        )
        .await?;
    }
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    if let Some(p) = proposer {
        mailer
            .send(&Mail {
                to: p.email,
                subject: format!("{} ist gegründet", new.name),
                body: format!(
                    "Hallo {},\n\ndein Vorschlag ist angenommen: {} ist jetzt Teil des Netzwerks, \
                     und du leitest es.\n\nDie Seite des Labs: {origin}/{}/\nBearbeiten: \
                     {origin}/bearbeiten/{}/\n",
                    p.display_name, new.name, new.slug, new.slug
                ),
            })
            .await?;
    }
    Ok(())
}
