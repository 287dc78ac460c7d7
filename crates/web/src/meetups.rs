//! Meetups in the browser: `/termine/` across the network (filter by lab and federal
//! state), a meetup's page with its dates and answers, the leads' form, and the
//! calendar feeds — network (`/termine.ics`), lab (`/termine/lab/<slug>.ics`), one
//! meetup (`/termine/<id>.ics`) and a person's own (`/kalender/<secret>.ics`).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use codefor_core::accounts::AccountError;
use codefor_core::calendars::ics;
use codefor_core::forms::FieldErrors;
use codefor_core::meetups::{self, Dated, Outcome};
use codefor_domain::permissions::{Action, allows};
use codefor_domain::states;
use codefor_storage::meetups::{Filter, Meetup};
use codefor_storage::{calendars, labs};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::forms::{FormToken, private, see_other};
use crate::session::{SignedIn, Visitor};
use crate::views::{Chrome, fragment, render};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/termine/", get(index))
        .route("/termine.ics", get(network_feed))
        .route("/termine/neu/", get(new_form).post(create))
        .route("/termine/lab/{file}", get(lab_feed))
        .route("/termine/{file}", get(single_ics))
        .route("/termine/{id}/", get(show))
        .route("/termine/{id}/bearbeiten", get(edit_form).post(update))
        .route("/termine/{id}/antwort", post(answer))
        .route("/termine/{id}/absagen", post(cancel))
        .route("/termine/{id}/loeschen", post(delete))
        .route("/kalender/{file}", get(personal_feed))
        .route("/konto/kalender/", get(calendar_page).post(reset_token))
}

/// How many dates `/termine/` shows per page.
const PAGE: usize = 50;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    lab: String,
    #[serde(default)]
    land: String,
    /// Show dates from this day on (`2026-12-01`); the next page's link sets it.
    #[serde(default)]
    ab: String,
}

/// One date as templates show it.
#[derive(Debug, Clone, Serialize)]
pub struct DateView {
    #[serde(flatten)]
    pub dated: Dated,
    pub day: String,
    pub time: String,
    pub place: String,
    pub url: String,
}

const WEEKDAYS: [&str; 7] = ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"];

/// `Di, 10. März 2026` and `19:00–21:00 Uhr` for a date.
fn labels(start: &str, end: &str, all_day: bool) -> (String, String) {
    let (Ok(s), Ok(e)) = (
        start.parse::<jiff::civil::DateTime>(),
        end.parse::<jiff::civil::DateTime>(),
    ) else {
        return (start.to_owned(), String::new());
    };
    let weekday = WEEKDAYS[usize::from(s.weekday().to_monday_zero_offset().unsigned_abs())];
    let day = format!("{weekday}, {}", crate::dates::german(&s.date().to_string()));
    let time = if all_day {
        "ganztägig".to_owned()
    } else if e.date() == s.date() {
        format!("{}–{} Uhr", s.strftime("%H:%M"), e.strftime("%H:%M"))
    } else {
        format!(
            "{} Uhr bis {}, {} Uhr",
            s.strftime("%H:%M"),
            crate::dates::german(&e.date().to_string()),
            e.strftime("%H:%M")
        )
    };
    (day, time)
}

pub fn view(dated: Dated) -> DateView {
    let (day, time) = labels(&dated.start, &dated.end, dated.all_day);
    let place = match (&dated.venue, &dated.address, &dated.online_url) {
        (Some(v), Some(a), _) => format!("{v}, {a}"),
        (Some(v), None, _) => v.clone(),
        (None, Some(a), _) => a.clone(),
        (None, None, Some(_)) => "Online".to_owned(),
        (None, None, None) => String::new(),
    };
    let url = format!("/termine/{}/", dated.id);
    DateView {
        dated,
        day,
        time,
        place,
        url,
    }
}

/// The upcoming dates of a lab (or the network), as a list for other pages.
pub async fn upcoming_list(
    state: &AppState,
    lab_id: Option<i64>,
    max: usize,
) -> Result<String, WebError> {
    let filter = Filter {
        lab_id,
        ..Filter::default()
    };
    let dates: Vec<DateView> = meetups::upcoming(&state.db, filter, max)
        .await?
        .into_iter()
        .map(view)
        .collect();
    fragment(
        "components/meetups.html",
        crate::ctx! { dates => dates, lab => lab_id.is_some() },
    )
}

async fn index(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let chrome = Chrome::load(&state.db).await?;
    let all_labs = labs::list(&state.db).await?;
    let lab = all_labs.iter().find(|l| l.slug == q.lab && l.hidden == 0);
    let land = states::by_slug(&q.land).or_else(|| states::by_key(&q.land));
    let from = match q.ab.parse::<jiff::civil::Date>() {
        Ok(day) => jiff::tz::TimeZone::get(codefor_core::calendars::recurrence::BERLIN)
            .and_then(|tz| tz.to_timestamp(day.to_datetime(jiff::civil::Time::midnight())))
            .unwrap_or_else(|_| Timestamp::now()),
        Err(_) => Timestamp::now(),
    };
    let from = from.max(Timestamp::now());
    let to = from
        .checked_add(jiff::SignedDuration::from_hours(24 * 366))
        .unwrap_or(from);
    let filter = Filter {
        lab_id: lab.map(|l| l.id),
        state_key: land.map(|s| s.key),
        ..Filter::default()
    };
    let found = meetups::dates(&state.db, filter, from, to, PAGE + 1).await?;
    // Pages end at a day's end, so the next page (`?ab=<day>`) misses no date: the
    // dates of the day the page would cut are left to the next one — unless the page
    // holds nothing but that day (Open Data Day), then that day is shown whole.
    let day_of = |d: &Dated| d.start.get(..10).unwrap_or_default().to_owned();
    let (found, next_day) = match found.get(PAGE).map(day_of) {
        None => (found, None),
        Some(cut) if found.first().map(day_of).as_deref() != Some(cut.as_str()) => {
            let before: Vec<Dated> = found.into_iter().filter(|d| day_of(d) < cut).collect();
            (before, Some(cut))
        }
        Some(cut) => {
            let day: jiff::civil::Date = cut.parse().map_err(|_| WebError::NotFound)?;
            let after = day.tomorrow().map_err(|_| WebError::NotFound)?;
            let end = jiff::tz::TimeZone::get(codefor_core::calendars::recurrence::BERLIN)
                .and_then(|tz| tz.to_timestamp(after.to_datetime(jiff::civil::Time::midnight())))
                .unwrap_or(to);
            let whole = meetups::dates(&state.db, filter, end.min(to), to, 1).await?;
            let more = (!whole.is_empty()).then(|| after.to_string());
            let whole = meetups::dates(&state.db, filter, from, end.min(to), 5000).await?;
            (whole, more)
        }
    };
    let dates: Vec<DateView> = found.into_iter().map(view).collect();
    let next = next_day.map(|day| {
        let mut query = format!("?ab={day}");
        if let Some(l) = lab {
            query.push_str(&format!("&lab={}", l.slug));
        }
        if let Some(s) = land {
            query.push_str(&format!("&land={}", s.slug));
        }
        query
    });
    let mut feed = String::from("/termine.ics");
    if let Some(l) = lab {
        feed = format!("/termine/lab/{}.ics", l.slug);
    }
    let lab_options: Vec<_> = all_labs
        .iter()
        .filter(|l| l.hidden == 0)
        .map(|l| serde_json::json!({ "slug": l.slug, "name": l.name }))
        .collect();
    let title = match (lab, land) {
        (Some(l), _) => format!("Termine: {}", l.name),
        (None, Some(s)) => format!("Termine in {}", s.name),
        (None, None) => "Termine".to_owned(),
    };
    render(
        "meetups/index.html",
        &chrome,
        crate::ctx! {
            nav => "termine",
            title => title,
            description => "Offene Treffen der OK Labs und des Netzwerks: wann, wo, online oder vor Ort.",
            dates => dates,
            labs => lab_options,
            states => states::ALL,
            lab => lab.map(|l| l.slug.clone()).unwrap_or_default(),
            land => land.map(|s| s.slug).unwrap_or_default(),
            next => next,
            feed => feed,
        },
    )
}

async fn load(state: &AppState, id: &str) -> Result<Meetup, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    codefor_storage::meetups::get(&state.db, id)
        .await?
        .ok_or(WebError::NotFound)
}

/// The labs of a meetup, for permission checks.
async fn lab_ids(state: &AppState, meetup: &Meetup) -> Result<Vec<i64>, WebError> {
    Ok(codefor_storage::meetups::labs_of(&state.db, &[meetup.id])
        .await?
        .remove(&meetup.id)
        .unwrap_or_default()
        .into_iter()
        .map(|l| l.lab_id)
        .collect())
}

async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let meetup = load(&state, &id).await?;
    meetup_page(&state, &visitor, &meetup, StatusCode::OK, None, None).await
}

async fn meetup_page(
    state: &AppState,
    visitor: &Visitor,
    meetup: &Meetup,
    status: StatusCode,
    notice: Option<String>,
    alert: Option<String>,
) -> Result<Response, WebError> {
    let chrome = Chrome::load(&state.db).await?;
    let labs = codefor_storage::meetups::labs_of(&state.db, &[meetup.id])
        .await?
        .remove(&meetup.id)
        .unwrap_or_default();
    let manage = allows(
        &visitor.viewer,
        &Action::ManageMeetups {
            labs: labs.iter().map(|l| l.lab_id).collect(),
        },
    );
    let filter = Filter {
        ids: Some(&[meetup.id]),
        ..Filter::default()
    };
    let now = Timestamp::now();
    let year = now
        .checked_add(jiff::SignedDuration::from_hours(24 * 366))
        .unwrap_or(now);
    let dates = meetups::dates(&state.db, filter, now, year, 8).await?;
    // All answers of the dates shown in one query: counts for everyone, names for the
    // leads only, and the visitor's own.
    let mut by_date: HashMap<String, Vec<codefor_storage::meetups::Rsvp>> = HashMap::new();
    if let Some(first) = dates.first() {
        for r in codefor_storage::meetups::rsvps_from(&state.db, meetup.id, &first.start).await? {
            by_date.entry(r.occurrence.clone()).or_default().push(r);
        }
    }
    let me = visitor.current.as_ref().map(|c| c.account.id);
    let none = Vec::new();
    let next_date = dates.first().map(|d| crate::metadata::EventDate {
        start: d.start.clone(),
        end: d.end.clone(),
        cancelled: d.cancelled,
    });
    let mut rows = Vec::new();
    for dated in dates {
        let answers = by_date.get(&dated.start).unwrap_or(&none);
        let my = answers
            .iter()
            .find(|r| Some(r.account_id) == me)
            .map(|r| (r.answer.clone(), r.waitlisted));
        rows.push(serde_json::json!({
            "date": view(dated),
            "my_answer": my.as_ref().map(|m| m.0.clone()),
            "my_waitlisted": my.as_ref().is_some_and(|m| m.1 != 0),
            "answers": if manage { answers.as_slice() } else { &[] },
            "yes": answers.iter().filter(|a| a.answer == "yes" && a.waitlisted == 0).count(),
            "maybe": answers.iter().filter(|a| a.answer == "maybe").count(),
            "waiting": answers.iter().filter(|a| a.waitlisted != 0).count(),
        }));
    }
    let start: Option<jiff::civil::DateTime> = meetup.starts_at.parse().ok();
    let repeats = match (&meetup.rrule, start) {
        (Some(rule), Some(start)) => {
            let words = meetups::describe(rule, start);
            let mut chars = words.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
        }
        _ => None,
    };
    let (day, time) = labels(&meetup.starts_at, &meetup.ends_at, meetup.all_day != 0);
    let source = match meetup.source_id {
        Some(id) => calendars::get(&state.db, id).await?.map(|s| s.url),
        None => None,
    };
    let html = render(
        "meetups/show.html",
        &chrome,
        crate::ctx! {
            nav => "termine",
            jsonld => crate::metadata::meetup(meetup, &labs, next_date),
            title => meetup.title.clone(),
            description => format!("{} – {}", meetup.title, labs.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join(", ")),
            meetup => meetup,
            labs => labs,
            rows => rows,
            repeats => repeats,
            first_day => day,
            first_time => time,
            manage => manage,
            signed_in => visitor.signed_in(),
            csrf => visitor.csrf(),
            notice => notice,
            alert => alert,
            source => source,
        },
    )?;
    if visitor.signed_in() {
        Ok(private(status, html))
    } else {
        Ok((status, html).into_response())
    }
}

/// The form's fields plus the labs ticked in it.
fn split_form(pairs: Vec<(String, String)>) -> (HashMap<String, String>, Vec<String>) {
    let mut labs = Vec::new();
    let mut form = HashMap::new();
    for (k, v) in pairs {
        if k == "lab" {
            labs.push(v);
        } else {
            form.insert(k, v);
        }
    }
    (form, labs)
}

/// Labs the visitor may plan meetups for: all for admins, else the ones they lead.
async fn plannable(state: &AppState, visitor: &Visitor) -> Result<Vec<labs::LabSummary>, WebError> {
    Ok(labs::list(&state.db)
        .await?
        .into_iter()
        .filter(|l| {
            visitor.viewer.admin
                || allows(&visitor.viewer, &Action::ManageMeetups { labs: vec![l.id] })
        })
        .collect())
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    visitor: &Visitor,
    action: &str,
    title: &str,
    values: &HashMap<String, String>,
    chosen: &[String],
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, WebError> {
    let chrome = Chrome::load(&state.db).await?;
    let choices: Vec<_> = plannable(state, visitor)
        .await?
        .into_iter()
        .map(|l| serde_json::json!({ "slug": l.slug, "name": l.name, "checked": chosen.contains(&l.slug) }))
        .collect();
    let repeats: Vec<_> = meetups::REPEATS
        .iter()
        .map(|(k, label)| serde_json::json!({ "key": k, "label": label }))
        .collect();
    let token = FormToken::for_visitor(state, visitor)?;
    let html = render(
        "meetups/form.html",
        &chrome,
        crate::ctx! {
            nav => "termine",
            title => title,
            action => action,
            v => values,
            err => errors.by_field(),
            error_count => errors.0.len(),
            labs => choices,
            admin => visitor.viewer.admin,
            repeats => repeats,
            csrf => token.token,
        },
    )?;
    Ok(token.page(status, html))
}

#[derive(Debug, Default, Deserialize)]
struct NewQuery {
    #[serde(default)]
    lab: String,
}

async fn new_form(
    State(state): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    if plannable(&state, &visitor).await?.is_empty() {
        return Err(WebError::Forbidden);
    }
    let values = HashMap::from([
        ("repeat".to_owned(), "none".to_owned()),
        ("start".to_owned(), "19:00".to_owned()),
        ("end".to_owned(), "21:00".to_owned()),
    ]);
    form_page(
        &state,
        &visitor,
        "/termine/neu/",
        "Neuer Termin",
        &values,
        &[q.lab],
        &FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// The ticked labs, checked: each must exist and be plannable by the visitor; none
/// at all is a network meetup, for admins only.
async fn chosen_labs(
    state: &AppState,
    visitor: &Visitor,
    slugs: &[String],
    errors: &mut FieldErrors,
) -> Result<Vec<i64>, WebError> {
    let all = labs::list(&state.db).await?;
    let mut ids = Vec::new();
    for slug in slugs {
        match all.iter().find(|l| &l.slug == slug) {
            Some(l) => ids.push(l.id),
            None => errors.add("lab", format!("Das Lab „{slug}“ gibt es nicht.")),
        }
    }
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() && !visitor.viewer.admin {
        errors.add("lab", "Bitte wähle das Lab, das zum Treffen einlädt.");
    } else if !ids.is_empty()
        && !allows(
            &visitor.viewer,
            &Action::ManageMeetups { labs: ids.clone() },
        )
    {
        errors.add(
            "lab",
            "Du kannst nur Termine der Labs anlegen, die du leitest; gemeinsame Termine mit anderen Labs legt die Netzwerk-Verwaltung an.",
        );
    }
    Ok(ids)
}

async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    SignedIn { visitor, current }: SignedIn,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    if plannable(&state, &visitor).await?.is_empty() {
        return Err(WebError::Forbidden);
    }
    let (form, slugs) = split_form(pairs);
    let mut errors = FieldErrors::default();
    let lab_ids = chosen_labs(&state, &visitor, &slugs, &mut errors).await?;
    let planned = meetups::parse(&form);
    let planned = match planned {
        Ok(p) if errors.is_empty() => p,
        other => {
            if let Err(more) = other {
                errors.0.extend(more.0);
            }
            return form_page(
                &state,
                &visitor,
                "/termine/neu/",
                "Neuer Termin",
                &form,
                &slugs,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let host = state
        .origin(&headers)
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .to_owned();
    let id = meetups::create(&state.db, &current.account, &planned, &lab_ids, &host).await?;
    state.cache.recheck();
    Ok(see_other(&format!("/termine/{id}/")))
}

/// The meetup and whether the visitor may change it.
async fn managed(state: &AppState, visitor: &Visitor, id: &str) -> Result<Meetup, WebError> {
    let meetup = load(state, id).await?;
    let labs = lab_ids(state, &meetup).await?;
    if !allows(&visitor.viewer, &Action::ManageMeetups { labs }) {
        return Err(WebError::Forbidden);
    }
    Ok(meetup)
}

async fn edit_form(
    State(state): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let meetup = managed(&state, &visitor, &id).await?;
    let exceptions = codefor_storage::meetups::exceptions(&state.db, &[meetup.id])
        .await?
        .remove(&meetup.id)
        .unwrap_or_default();
    let values = meetups::form_values(&meetup, &exceptions);
    let slugs: Vec<String> = codefor_storage::meetups::labs_of(&state.db, &[meetup.id])
        .await?
        .remove(&meetup.id)
        .unwrap_or_default()
        .into_iter()
        .map(|l| l.slug)
        .collect();
    form_page(
        &state,
        &visitor,
        &format!("/termine/{}/bearbeiten", meetup.id),
        &format!("Termin bearbeiten: {}", meetup.title),
        &values,
        &slugs,
        &FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    SignedIn { visitor, current }: SignedIn,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let meetup = managed(&state, &visitor, &id).await?;
    let (form, slugs) = split_form(pairs);
    let mut errors = FieldErrors::default();
    let lab_ids = chosen_labs(&state, &visitor, &slugs, &mut errors).await?;
    match meetups::parse(&form) {
        Ok(planned) if errors.is_empty() => {
            let origin = state.origin(&headers);
            meetups::update(
                &state.db,
                &state.config.mailer,
                &origin,
                &current.account,
                &meetup,
                &planned,
                &lab_ids,
            )
            .await?;
            state.cache.recheck();
            Ok(see_other(&format!("/termine/{}/", meetup.id)))
        }
        other => {
            if let Err(more) = other {
                errors.0.extend(more.0);
            }
            form_page(
                &state,
                &visitor,
                &format!("/termine/{}/bearbeiten", meetup.id),
                &format!("Termin bearbeiten: {}", meetup.title),
                &form,
                &slugs,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct AnswerForm {
    #[serde(default)]
    occurrence: String,
    #[serde(default)]
    answer: String,
}

async fn answer(
    State(state): State<AppState>,
    headers: HeaderMap,
    SignedIn { visitor, current }: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, WebError> {
    let meetup = load(&state, &id).await?;
    if !allows(&visitor.viewer, &Action::Rsvp) {
        return Err(WebError::Forbidden);
    }
    let origin = state.origin(&headers);
    let result = meetups::answer(
        &state.db,
        &state.config.mailer,
        &origin,
        &current.account,
        &meetup,
        &form.occurrence,
        &form.answer,
    )
    .await;
    state.cache.recheck();
    match result {
        Ok(outcome) => {
            let notice = match outcome {
                Outcome::Confirmed => "Du hast zugesagt. Bis bald!",
                Outcome::Waitlisted => {
                    "Der Termin ist voll: du stehst auf der Warteliste und rückst nach, sobald ein Platz frei wird (du bekommst dann eine E-Mail)."
                }
                Outcome::Noted => "Danke, deine Antwort ist gespeichert.",
                Outcome::Withdrawn => "Deine Antwort ist zurückgezogen.",
            };
            meetup_page(
                &state,
                &visitor,
                &meetup,
                StatusCode::OK,
                Some(notice.to_owned()),
                None,
            )
            .await
        }
        Err(e) => refused(&state, &visitor, &meetup, e).await,
    }
}

/// The meetup's page again with what was wrong, or the error page.
async fn refused(
    state: &AppState,
    visitor: &Visitor,
    meetup: &Meetup,
    error: AccountError,
) -> Result<Response, WebError> {
    match error {
        AccountError::Invalid(errors) => {
            let alert = Some(errors.joined());
            meetup_page(
                state,
                visitor,
                meetup,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                alert,
            )
            .await
        }
        e => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct CancelForm {
    #[serde(default)]
    occurrence: String,
    #[serde(default)]
    cancel: String,
    #[serde(default)]
    reason: String,
}

async fn cancel(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<CancelForm>,
) -> Result<Response, WebError> {
    let meetup = managed(&state, &visitor, &id).await?;
    match meetups::cancel(
        &state.db,
        &current.account,
        &meetup,
        &form.occurrence,
        form.cancel == "1",
        &form.reason,
    )
    .await
    {
        Ok(()) => {
            state.cache.recheck();
            Ok(see_other(&format!("/termine/{}/", meetup.id)))
        }
        Err(e) => refused(&state, &visitor, &meetup, e).await,
    }
}

#[derive(Debug, Default, Deserialize)]
struct DeleteForm {
    #[serde(default)]
    confirm: String,
}

async fn delete(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<DeleteForm>,
) -> Result<Response, WebError> {
    let meetup = managed(&state, &visitor, &id).await?;
    if form.confirm != "1" {
        let errors = FieldErrors::one(
            "confirm",
            "Bitte bestätige das Löschen mit dem Häkchen; gelöschte Termine und Antworten kommen nicht zurück.",
        );
        return refused(&state, &visitor, &meetup, errors.into()).await;
    }
    meetups::delete(&state.db, &current.account, &meetup).await?;
    state.cache.recheck();
    Ok(see_other("/termine/"))
}

/// An iCalendar response with an `ETag` of its content, so polling calendar clients
/// get a 304 when nothing changed; `private` ones (a person's own feed) are never
/// cached on the way.
fn ics_response(request: &HeaderMap, body: String, filename: &str, private: bool) -> Response {
    let etag = format!(
        "\"{}\"",
        codefor_core::secrets::fingerprint(body.as_bytes())
            .get(..32)
            .unwrap_or_default()
    );
    let cache = HeaderValue::from_static(if private {
        "private, no-store"
    } else {
        "public, max-age=300"
    });
    let mut response = if crate::cache::not_modified(request, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = body.into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/calendar; charset=utf-8"),
        );
        if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{filename}\"")) {
            response
                .headers_mut()
                .insert(header::CONTENT_DISPOSITION, v);
        }
        response
    };
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }
    headers.insert(header::CACHE_CONTROL, cache);
    if private {
        headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    }
    response
}

/// Feed items for meetups (series masters, or single dates with `only`).
async fn feed(
    state: &AppState,
    origin: &str,
    name: &str,
    description: &str,
    chosen: Vec<Meetup>,
    only: Option<&HashMap<i64, Vec<(String, bool)>>>,
) -> Result<String, WebError> {
    let ids: Vec<i64> = chosen.iter().map(|m| m.id).collect();
    let labs = codefor_storage::meetups::labs_of(&state.db, &ids).await?;
    let exceptions = codefor_storage::meetups::exceptions(&state.db, &ids).await?;
    let urls: HashMap<i64, String> = chosen
        .iter()
        .map(|m| (m.id, format!("{origin}/termine/{}/", m.id)))
        .collect();
    let none_labs = Vec::new();
    let none_ex = Vec::new();
    let mut items = Vec::new();
    for m in &chosen {
        let base = ics::Item {
            meetup: m,
            labs: labs.get(&m.id).unwrap_or(&none_labs),
            exceptions: exceptions.get(&m.id).unwrap_or(&none_ex),
            url: urls.get(&m.id).map(String::as_str).unwrap_or(""),
            only: None,
            tentative: false,
        };
        match only.and_then(|o| o.get(&m.id)) {
            Some(dates) => {
                for (d, tentative) in dates {
                    items.push(ics::Item {
                        only: Some(d.as_str()),
                        tentative: *tentative,
                        ..base
                    });
                }
            }
            None => items.push(base),
        }
    }
    Ok(ics::calendar(name, description, &items))
}

/// Meetups for a feed: from half a year back, and all ahead.
async fn feed_meetups(state: &AppState, filter: Filter<'_>) -> Result<Vec<Meetup>, WebError> {
    let now = Timestamp::now().as_second();
    Ok(codefor_storage::meetups::in_window(
        &state.db,
        now - 183 * 86_400,
        now + 20 * 366 * 86_400,
        filter,
    )
    .await?)
}

async fn network_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let land = states::by_slug(&q.land).or_else(|| states::by_key(&q.land));
    let filter = Filter {
        state_key: land.map(|s| s.key),
        ..Filter::default()
    };
    let chosen = feed_meetups(&state, filter).await?;
    let origin = state.origin(&headers);
    let name = match land {
        Some(s) => format!("Code for Germany: Termine in {}", s.name),
        None => "Code for Germany: Termine".to_owned(),
    };
    let body = feed(
        &state,
        &origin,
        &name,
        "Treffen der OK Labs und des Netzwerks",
        chosen,
        None,
    )
    .await?;
    Ok(ics_response(&headers, body, "termine.ics", false))
}

async fn lab_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let slug = file.strip_suffix(".ics").ok_or(WebError::NotFound)?;
    let lab = labs::get(&state.db, slug)
        .await?
        .ok_or(WebError::NotFound)?;
    let filter = Filter {
        lab_id: Some(lab.id),
        ..Filter::default()
    };
    let chosen = feed_meetups(&state, filter).await?;
    let origin = state.origin(&headers);
    let body = feed(
        &state,
        &origin,
        &lab.lab.name,
        &format!("Termine von {}", lab.lab.name),
        chosen,
        None,
    )
    .await?;
    Ok(ics_response(&headers, body, &format!("{slug}.ics"), false))
}

async fn single_ics(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let id = file.strip_suffix(".ics").ok_or(WebError::NotFound)?;
    let meetup = load(&state, id).await?;
    let origin = state.origin(&headers);
    let name = meetup.title.clone();
    let body = feed(&state, &origin, &name, "", vec![meetup], None).await?;
    Ok(ics_response(
        &headers,
        body,
        &format!("termin-{id}.ics"),
        false,
    ))
}

async fn personal_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let token = file.strip_suffix(".ics").ok_or(WebError::NotFound)?;
    let hash = codefor_core::secrets::token_hash(token);
    let account = calendars::account_for_token(&state.db, &hash)
        .await?
        .ok_or(WebError::NotFound)?;
    // Yes and maybe; a maybe or a place on the waitlist is tentative.
    let mut only: HashMap<i64, Vec<(String, bool)>> = HashMap::new();
    for r in codefor_storage::meetups::rsvps_of(&state.db, account).await? {
        if r.answer != "no" {
            let tentative = r.answer == "maybe" || r.waitlisted != 0;
            only.entry(r.meetup_id)
                .or_default()
                .push((r.occurrence, tentative));
        }
    }
    let ids: Vec<i64> = only.keys().copied().collect();
    let filter = Filter {
        ids: Some(&ids),
        ..Filter::default()
    };
    let chosen = feed_meetups(&state, filter).await?;
    let origin = state.origin(&headers);
    let body = feed(
        &state,
        &origin,
        "Meine Termine (Code for Germany)",
        "Die Termine, zu denen du zugesagt hast",
        chosen,
        Some(&only),
    )
    .await?;
    Ok(ics_response(&headers, body, "meine-termine.ics", true))
}

async fn calendar_page(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
) -> Result<Response, WebError> {
    let created = calendars::token_created(&state.db, current.account.id).await?;
    calendar_view(&state, &visitor, created, None).await
}

async fn calendar_view(
    state: &AppState,
    visitor: &Visitor,
    created: Option<String>,
    url: Option<String>,
) -> Result<Response, WebError> {
    // The dates ahead the person said yes or maybe to, with the answer.
    let mut mine: HashMap<(i64, String), (String, bool)> = HashMap::new();
    if let Some(c) = &visitor.current {
        for r in codefor_storage::meetups::rsvps_of(&state.db, c.account.id).await? {
            if r.answer != "no" {
                mine.insert((r.meetup_id, r.occurrence), (r.answer, r.waitlisted != 0));
            }
        }
    }
    let ids: Vec<i64> = mine.keys().map(|(id, _)| *id).collect();
    let now = Timestamp::now();
    let year = now
        .checked_add(jiff::SignedDuration::from_hours(24 * 366))
        .unwrap_or(now);
    let filter = Filter {
        ids: Some(&ids),
        ..Filter::default()
    };
    let ahead: Vec<_> = meetups::dates(&state.db, filter, now, year, 500)
        .await?
        .into_iter()
        .filter_map(|d| {
            let (answer, waiting) = mine.get(&(d.id, d.start.clone()))?.clone();
            Some(serde_json::json!({ "date": view(d), "answer": answer, "waiting": waiting }))
        })
        .collect();
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "accounts/calendar.html",
        &chrome,
        crate::ctx! {
            title => "Mein Kalender-Abo",
            created => created.as_deref().map(crate::dates::german_datetime),
            url => url,
            csrf => visitor.csrf(),
            ahead => ahead,
        },
    )?;
    Ok(private(StatusCode::OK, html))
}

/// Makes a new secret address for the person's feed; the old one stops working.
async fn reset_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    SignedIn { visitor, current }: SignedIn,
) -> Result<Response, WebError> {
    let token =
        codefor_core::secrets::random_token().map_err(|e| WebError::Internal(e.to_string()))?;
    let mut tx = state.db.begin().await?;
    calendars::set_token(
        &mut tx,
        current.account.id,
        &codefor_core::secrets::token_hash(&token),
    )
    .await?;
    codefor_storage::commit(tx).await?;
    let url = format!("{}/kalender/{token}.ics", state.origin(&headers));
    let created = calendars::token_created(&state.db, current.account.id).await?;
    calendar_view(&state, &visitor, created, Some(url)).await
}
