//! Accounts in the browser: register, confirm, sign in and out, reset a forgotten
//! password, and the account page (name, address, password, export, deletion).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use codefor_core::accounts::{self, AccountError, Registration};
use codefor_core::forms::FieldErrors;
use serde::{Deserialize, Serialize};

use crate::forms::{FormToken, local_next, private, see_other};
use crate::session::{SESSION_COOKIE, SignedIn, Visitor, set_cookie};
use crate::views::{Chrome, render};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/anmelden/", get(sign_in_form).post(sign_in))
        .route("/abmelden/", post(sign_out))
        .route("/registrieren/", get(register_form).post(register))
        .route(
            "/konto/bestaetigen/{token}",
            get(confirm_form).post(confirm),
        )
        .route("/passwort-vergessen/", get(forgot_form).post(forgot))
        .route("/passwort-neu/{token}", get(reset_form).post(reset))
        .route("/konto/", get(account))
        .route("/konto/name", post(change_name))
        .route("/konto/passwort", post(change_password))
        .route("/konto/email", post(change_email))
        .route(
            "/konto/email/{token}",
            get(email_confirm_form).post(email_confirm),
        )
        .route("/konto/export.json", get(export))
        .route("/konto/loeschen", post(delete))
        .route("/konto/profil/", get(profile_form).post(profile_save))
        .route("/konto/person", post(claim_person))
        .route("/profil/{id}/", get(profile_view))
}

async fn profile_page(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    view: codefor_core::profiles::FormView,
    errors: &FieldErrors,
    notice: Option<&str>,
) -> Result<Response, WebError> {
    let Some(current) = &visitor.current else {
        return Ok(see_other("/anmelden/?next=/konto/profil/"));
    };
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "accounts/profile.html",
        &chrome,
        crate::ctx! {
            title => "Dein Profil",
            p => view,
            account => current.account,
            err => errors.by_field(),
            error_count => errors.0.len(),
            notice => notice,
            csrf => current.session.csrf_token,
        },
    )?;
    Ok(private(status, html))
}

async fn profile_form(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
) -> Result<Response, WebError> {
    let profile = codefor_storage::accounts::profile(&state.db, current.account.id)
        .await?
        .unwrap_or_default();
    let view = codefor_core::profiles::form_view(&profile);
    profile_page(
        &state,
        &visitor,
        StatusCode::OK,
        view,
        &FieldErrors::default(),
        None,
    )
    .await
}

async fn profile_save(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let map: std::collections::HashMap<String, String> = form.into_iter().collect();
    match codefor_core::profiles::parse(&map) {
        Ok(profile) => {
            codefor_core::profiles::update(&state.db, &current.account, &profile).await?;
            let view = codefor_core::profiles::form_view(&profile);
            profile_page(
                &state,
                &visitor,
                StatusCode::OK,
                view,
                &FieldErrors::default(),
                Some("Dein Profil ist gespeichert."),
            )
            .await
        }
        Err(errors) => {
            // Show what was sent, with the errors beside it.
            let view = codefor_core::profiles::form_view_sent(&map);
            profile_page(
                &state,
                &visitor,
                StatusCode::UNPROCESSABLE_ENTITY,
                view,
                &errors,
                None,
            )
            .await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct ClaimForm {
    #[serde(default)]
    person: String,
}

async fn claim_person(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Form(form): Form<ClaimForm>,
) -> Result<Response, WebError> {
    match codefor_core::profiles::claim(&state.db, &current.account, &form.person).await {
        Ok(name) => {
            let notice = format!("Du bist jetzt als {name} eingetragen.");
            account_page(
                &state,
                &visitor,
                StatusCode::OK,
                &FieldErrors::default(),
                Some(&notice),
            )
            .await
        }
        Err(e) => after(&state, &visitor, Err(e), "").await,
    }
}

async fn profile_view(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    use codefor_domain::profiles::Onlooker;
    let onlooker = match &visitor.current {
        Some(c) if c.account.id == id => Onlooker::Owner,
        Some(_) => Onlooker::Member,
        None => Onlooker::Anyone,
    };
    let Some(shown) = codefor_core::profiles::shown(&state.db, id, onlooker).await? else {
        return Err(WebError::NotFound);
    };
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "accounts/profile_view.html",
        &chrome,
        crate::ctx! {
            title => shown.name.clone(),
            og_type => "profile",
            profile => shown,
            own => onlooker == Onlooker::Owner,
        },
    )?;
    // What a page shows depends on who looks: never from or into a shared cache.
    Ok(private(StatusCode::OK, html))
}

/// One input of a generic form page.
#[derive(Debug, Clone, Serialize)]
struct Field {
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    value: String,
    autocomplete: &'static str,
    hint: &'static str,
    error: Option<String>,
}

fn field(
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    autocomplete: &'static str,
) -> Field {
    Field {
        name,
        label,
        kind,
        value: String::new(),
        autocomplete,
        hint: "",
        error: None,
    }
}

impl Field {
    fn value(mut self, v: &str) -> Field {
        self.value = v.to_owned();
        self
    }
    fn hint(mut self, h: &'static str) -> Field {
        self.hint = h;
        self
    }
}

fn with_errors(mut fields: Vec<Field>, errors: &FieldErrors) -> Vec<Field> {
    for f in &mut fields {
        f.error = errors.get(f.name).map(str::to_owned);
    }
    fields
}

/// Everything a generic form page shows.
struct FormPage<'a> {
    title: &'a str,
    intro: &'a str,
    action: String,
    submit: &'a str,
    fields: Vec<Field>,
    /// An error about the whole form (wrong password, rate limit).
    alert: Option<String>,
    links: Vec<(&'a str, &'a str)>,
    hidden: Vec<(&'a str, String)>,
}

async fn form_page(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    page: FormPage<'_>,
) -> Result<Response, WebError> {
    let token = FormToken::for_visitor(state, visitor)?;
    let chrome = Chrome::load(&state.db).await?;
    let error_count = page.fields.iter().filter(|f| f.error.is_some()).count();
    let links: Vec<_> = page
        .links
        .iter()
        .map(|(url, text)| serde_json::json!({ "url": url, "text": text }))
        .collect();
    let hidden: Vec<_> = page
        .hidden
        .iter()
        .map(|(name, value)| serde_json::json!({ "name": name, "value": value }))
        .collect();
    let html = render(
        "accounts/form.html",
        &chrome,
        crate::ctx! {
            title => page.title,
            intro => page.intro,
            action => page.action,
            submit => page.submit,
            fields => page.fields,
            error_count => error_count,
            alert => page.alert,
            links => links,
            hidden => hidden,
            csrf => token.token.clone(),
        },
    )?;
    Ok(token.page(status, html))
}

/// A page with a message and, optionally, one button that posts a form.
async fn message(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    title: &str,
    text: &str,
    button: Option<(&str, &str)>,
) -> Result<Response, WebError> {
    let token = FormToken::for_visitor(state, visitor)?;
    let chrome = Chrome::load(&state.db).await?;
    let button =
        button.map(|(action, label)| serde_json::json!({ "action": action, "label": label }));
    let html = render(
        "accounts/message.html",
        &chrome,
        crate::ctx! { title => title, text => text, button => button, csrf => token.token.clone() },
    )?;
    Ok(token.page(status, html))
}

/// Turns a use-case error into the form shown again with what was wrong.
fn form_error(e: AccountError) -> Result<(FieldErrors, Option<String>), WebError> {
    match e {
        AccountError::Invalid(errors) => Ok((errors, None)),
        AccountError::BadCredentials => Ok((
            FieldErrors::default(),
            Some("E-Mail-Adresse oder Passwort stimmen nicht.".into()),
        )),
        AccountError::NotConfirmed => Ok((
            FieldErrors::default(),
            Some(
                "Bitte bestätige zuerst deine E-Mail-Adresse: Wir haben dir den Link noch \
                 einmal geschickt."
                    .into(),
            ),
        )),
        AccountError::RateLimited { minutes } => Ok((
            FieldErrors::default(),
            Some(format!(
                "Zu viele Versuche in kurzer Zeit. Bitte warte {minutes} Minuten und versuche es \
                 dann noch einmal."
            )),
        )),
        other => Err(other.into()),
    }
}

fn status_of(alert: &Option<String>, errors: &FieldErrors) -> StatusCode {
    match alert {
        Some(a) if a.starts_with("Zu viele") => StatusCode::TOO_MANY_REQUESTS,
        Some(_) => StatusCode::UNAUTHORIZED,
        None if !errors.is_empty() => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    }
}

#[derive(Debug, Deserialize)]
struct NextQuery {
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

fn sign_in_page<'a>(
    next: &str,
    email: &str,
    errors: &FieldErrors,
    alert: Option<String>,
) -> FormPage<'a> {
    FormPage {
        title: "Anmelden",
        intro: "Melde dich mit deiner E-Mail-Adresse und deinem Passwort an.",
        action: "/anmelden/".into(),
        submit: "Anmelden",
        fields: with_errors(
            vec![
                field("email", "E-Mail-Adresse", "email", "email").value(email),
                field("password", "Passwort", "password", "current-password"),
            ],
            errors,
        ),
        alert,
        links: vec![
            ("/passwort-vergessen/", "Passwort vergessen?"),
            ("/registrieren/", "Noch kein Konto? Registrieren"),
        ],
        hidden: vec![("next", next.to_owned())],
    }
}

async fn sign_in_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    if visitor.signed_in() {
        return Ok(see_other(&local_next(q.next.as_deref())));
    }
    let next = local_next(q.next.as_deref());
    form_page(
        &state,
        &visitor,
        StatusCode::OK,
        sign_in_page(&next, "", &FieldErrors::default(), None),
    )
    .await
}

async fn sign_in(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Result<Response, WebError> {
    let next = local_next(form.next.as_deref());
    let origin = state.origin(&headers);
    match accounts::sign_in(
        &state.db,
        &state.config.mailer,
        &origin,
        &form.email,
        &form.password,
        &visitor.client,
        state.config.sessions,
    )
    .await
    {
        Ok(session) => {
            let mut response = see_other(&next);
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    SESSION_COOKIE,
                    &session.token,
                    session.max_age_secs,
                    state.secure_cookies(),
                    "Lax",
                ),
            );
            Ok(response)
        }
        Err(e) => {
            let (errors, alert) = form_error(e)?;
            let status = status_of(&alert, &errors);
            form_page(
                &state,
                &visitor,
                status,
                sign_in_page(&next, &form.email, &errors, alert),
            )
            .await
        }
    }
}

async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    if let Some(token) = crate::session::cookie(&headers, SESSION_COOKIE) {
        accounts::sign_out(&state.db, &token).await?;
    }
    let mut response = see_other("/");
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, state.secure_cookies(), "Lax"),
    );
    Ok(response)
}

#[derive(Debug, Default, Deserialize)]
struct RegisterForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_repeat: String,
}

fn register_page<'a>(
    form: &RegisterForm,
    errors: &FieldErrors,
    alert: Option<String>,
) -> FormPage<'a> {
    FormPage {
        title: "Registrieren",
        intro: "Mit einem Konto kannst du dein Lab und eure Projekte pflegen. Wir speichern \
                nur, was dafür nötig ist: deine E-Mail-Adresse, deinen Namen und dein \
                Passwort (verschlüsselt). Du kannst alles jederzeit herunterladen oder löschen.",
        action: "/registrieren/".into(),
        submit: "Konto anlegen",
        fields: with_errors(
            vec![
                field("display_name", "Name", "text", "name")
                    .value(&form.display_name)
                    .hint("So erscheinst du auf der Plattform."),
                field("email", "E-Mail-Adresse", "email", "email").value(&form.email),
                field("password", "Passwort", "password", "new-password")
                    .hint("Mindestens 10 Zeichen."),
                field(
                    "password_repeat",
                    "Passwort wiederholen",
                    "password",
                    "new-password",
                ),
            ],
            errors,
        ),
        alert,
        links: vec![("/anmelden/", "Schon ein Konto? Anmelden")],
        hidden: vec![],
    }
}

async fn register_form(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    form_page(
        &state,
        &visitor,
        StatusCode::OK,
        register_page(&RegisterForm::default(), &FieldErrors::default(), None),
    )
    .await
}

async fn register(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Form(form): Form<RegisterForm>,
) -> Result<Response, WebError> {
    let input = Registration {
        email: form.email.clone(),
        display_name: form.display_name.clone(),
        password: form.password.clone(),
        password_repeat: form.password_repeat.clone(),
    };
    let origin = state.origin(&headers);
    match accounts::register(
        &state.db,
        &state.config.mailer,
        &origin,
        &input,
        &visitor.client,
    )
    .await
    {
        Ok(()) => {
            message(
                &state,
                &visitor,
                StatusCode::OK,
                "Fast geschafft",
                "Wir haben dir eine E-Mail geschickt. Bitte öffne den Link darin, um deine \
                 Adresse zu bestätigen; danach kannst du dich anmelden.",
                None,
            )
            .await
        }
        Err(e) => {
            let (errors, alert) = form_error(e)?;
            let status = status_of(&alert, &errors);
            form_page(
                &state,
                &visitor,
                status,
                register_page(&form, &errors, alert),
            )
            .await
        }
    }
}

async fn confirm_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    // A button, not an automatic confirmation: mail scanners open links too.
    let action = format!("/konto/bestaetigen/{}", sanitize_token(&token));
    message(
        &state,
        &visitor,
        StatusCode::OK,
        "E-Mail-Adresse bestätigen",
        "Bitte bestätige mit dem Knopf, dass diese E-Mail-Adresse dir gehört.",
        Some((&action, "Adresse bestätigen")),
    )
    .await
}

async fn confirm(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    match accounts::confirm(&state.db, &token).await {
        Ok(_) => {
            message(
                &state,
                &visitor,
                StatusCode::OK,
                "Adresse bestätigt",
                "Danke! Deine E-Mail-Adresse ist bestätigt. Du kannst dich jetzt anmelden.",
                None,
            )
            .await
        }
        Err(AccountError::TokenInvalid) => invalid_link(&state, &visitor).await,
        Err(e) => Err(e.into()),
    }
}

async fn invalid_link(state: &AppState, visitor: &Visitor) -> Result<Response, WebError> {
    message(
        state,
        visitor,
        StatusCode::BAD_REQUEST,
        "Link ungültig",
        "Dieser Link ist ungültig, schon benutzt oder abgelaufen. Fordere bei Bedarf einen \
         neuen an (zum Beispiel über „Passwort vergessen?“ oder indem du dich anmeldest).",
        None,
    )
    .await
}

/// Tokens are hex; anything else cannot match and is not echoed into pages.
fn sanitize_token(token: &str) -> String {
    token
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(64)
        .collect()
}

#[derive(Debug, Default, Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

fn forgot_page<'a>(email: &str, errors: &FieldErrors, alert: Option<String>) -> FormPage<'a> {
    FormPage {
        title: "Passwort vergessen",
        intro: "Gib die E-Mail-Adresse deines Kontos an. Wir schicken dir einen Link, mit dem \
                du ein neues Passwort festlegen kannst.",
        action: "/passwort-vergessen/".into(),
        submit: "Link schicken",
        fields: with_errors(
            vec![field("email", "E-Mail-Adresse", "email", "email").value(email)],
            errors,
        ),
        alert,
        links: vec![("/anmelden/", "Zurück zur Anmeldung")],
        hidden: vec![],
    }
}

async fn forgot_form(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    form_page(
        &state,
        &visitor,
        StatusCode::OK,
        forgot_page("", &FieldErrors::default(), None),
    )
    .await
}

async fn forgot(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Form(form): Form<EmailForm>,
) -> Result<Response, WebError> {
    let origin = state.origin(&headers);
    match accounts::request_reset(
        &state.db,
        &state.config.mailer,
        &origin,
        &form.email,
        &visitor.client,
    )
    .await
    {
        Ok(()) => {
            message(
                &state,
                &visitor,
                StatusCode::OK,
                "Schau in dein Postfach",
                "Wenn zu dieser Adresse ein Konto gehört, haben wir einen Link geschickt. Er ist \
                 eine Stunde gültig.",
                None,
            )
            .await
        }
        Err(e) => {
            let (errors, alert) = form_error(e)?;
            let status = status_of(&alert, &errors);
            form_page(
                &state,
                &visitor,
                status,
                forgot_page(&form.email, &errors, alert),
            )
            .await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct NewPasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_repeat: String,
}

fn reset_page<'a>(token: &str, errors: &FieldErrors) -> FormPage<'a> {
    FormPage {
        title: "Neues Passwort",
        intro: "Lege ein neues Passwort fest. Danach bist du überall abgemeldet und meldest dich \
                mit dem neuen Passwort an.",
        action: format!("/passwort-neu/{}", sanitize_token(token)),
        submit: "Passwort speichern",
        fields: with_errors(
            vec![
                field("password", "Neues Passwort", "password", "new-password")
                    .hint("Mindestens 10 Zeichen."),
                field(
                    "password_repeat",
                    "Passwort wiederholen",
                    "password",
                    "new-password",
                ),
            ],
            errors,
        ),
        alert: None,
        links: vec![],
        hidden: vec![],
    }
}

async fn reset_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    if !accounts::reset_token_valid(&state.db, &token).await? {
        return invalid_link(&state, &visitor).await;
    }
    form_page(
        &state,
        &visitor,
        StatusCode::OK,
        reset_page(&token, &FieldErrors::default()),
    )
    .await
}

async fn reset(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    Form(form): Form<NewPasswordForm>,
) -> Result<Response, WebError> {
    match accounts::reset_password(&state.db, &token, &form.password, &form.password_repeat).await {
        Ok(_) => {
            message(
                &state,
                &visitor,
                StatusCode::OK,
                "Passwort geändert",
                "Dein neues Passwort ist gespeichert. Du kannst dich jetzt damit anmelden.",
                None,
            )
            .await
        }
        Err(AccountError::TokenInvalid) => invalid_link(&state, &visitor).await,
        Err(AccountError::Invalid(errors)) => {
            form_page(
                &state,
                &visitor,
                StatusCode::UNPROCESSABLE_ENTITY,
                reset_page(&token, &errors),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The account page with its forms; `errors` and `notice` from the last submission.
async fn account_page(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    errors: &FieldErrors,
    notice: Option<&str>,
) -> Result<Response, WebError> {
    let Some(current) = &visitor.current else {
        return Ok(see_other("/anmelden/?next=/konto/"));
    };
    let chrome = Chrome::load(&state.db).await?;
    let labs = codefor_storage::labs::ids(&state.db).await?;
    let name_of = |id: &i64| {
        labs.iter()
            .find(|(lab, _, _)| lab == id)
            .map(|(_, slug, name)| serde_json::json!({ "slug": slug, "name": name }))
    };
    let leads: Vec<_> = visitor.viewer.leads.iter().filter_map(name_of).collect();
    let member_of: Vec<_> = visitor
        .viewer
        .member_of
        .iter()
        .filter_map(name_of)
        .collect();
    let html = render(
        "accounts/account.html",
        &chrome,
        crate::ctx! {
            title => "Dein Konto",
            account => current.account,
            leads => leads,
            member_of => member_of,
            err => errors.by_field(),
            error_count => errors.0.len(),
            notice => notice,
            csrf => current.session.csrf_token,
        },
    )?;
    Ok(private(status, html))
}

async fn account(
    State(state): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
) -> Result<Response, WebError> {
    account_page(
        &state,
        &visitor,
        StatusCode::OK,
        &FieldErrors::default(),
        None,
    )
    .await
}

/// Shows the account page again after a form: with the notice, or with the errors.
async fn after(
    state: &AppState,
    visitor: &Visitor,
    result: Result<(), AccountError>,
    notice: &str,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => {
            account_page(
                state,
                visitor,
                StatusCode::OK,
                &FieldErrors::default(),
                Some(notice),
            )
            .await
        }
        Err(e) => {
            let (errors, alert) = form_error(e)?;
            match alert {
                Some(alert) => Err(WebError::BadRequest(alert.trim_end_matches('.').to_owned())),
                None => {
                    account_page(
                        state,
                        visitor,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &errors,
                        None,
                    )
                    .await
                }
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct NameForm {
    #[serde(default)]
    display_name: String,
}

async fn change_name(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Form(form): Form<NameForm>,
) -> Result<Response, WebError> {
    let result = accounts::change_name(&state.db, &current.account, &form.display_name).await;
    let mut refreshed = visitor.clone();
    if result.is_ok()
        && let Some(c) = refreshed.current.as_mut()
    {
        c.account.display_name = form.display_name.trim().to_owned();
    }
    after(&state, &refreshed, result, "Dein Name ist geändert.").await
}

#[derive(Debug, Default, Deserialize)]
struct PasswordChangeForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_repeat: String,
}

async fn change_password(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Form(form): Form<PasswordChangeForm>,
) -> Result<Response, WebError> {
    let result = accounts::change_password(
        &state.db,
        &current,
        &form.current_password,
        &form.password,
        &form.password_repeat,
    )
    .await;
    after(
        &state,
        &visitor,
        result,
        "Dein Passwort ist geändert. Alle anderen Geräte sind abgemeldet.",
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
struct EmailChangeForm {
    #[serde(default)]
    new_email: String,
    #[serde(default)]
    email_password: String,
}

async fn change_email(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    headers: HeaderMap,
    Form(form): Form<EmailChangeForm>,
) -> Result<Response, WebError> {
    let origin = state.origin(&headers);
    let result = accounts::request_email_change(
        &state.db,
        &state.config.mailer,
        &origin,
        &current.account,
        &form.new_email,
        &form.email_password,
    )
    .await;
    after(
        &state,
        &visitor,
        result,
        "Wir haben einen Bestätigungslink an die neue Adresse geschickt. Bis du ihn öffnest, \
         bleibt die alte Adresse gültig.",
    )
    .await
}

async fn email_confirm_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let action = format!("/konto/email/{}", sanitize_token(&token));
    message(
        &state,
        &visitor,
        StatusCode::OK,
        "Neue E-Mail-Adresse bestätigen",
        "Bitte bestätige mit dem Knopf, dass die neue Adresse dir gehört.",
        Some((&action, "Neue Adresse bestätigen")),
    )
    .await
}

async fn email_confirm(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    match accounts::confirm_email_change(&state.db, &token).await {
        Ok(account) => {
            let text = format!("Deine E-Mail-Adresse ist jetzt {}.", account.email);
            message(
                &state,
                &visitor,
                StatusCode::OK,
                "Adresse geändert",
                &text,
                None,
            )
            .await
        }
        Err(AccountError::TokenInvalid) => invalid_link(&state, &visitor).await,
        Err(AccountError::Invalid(errors)) => {
            let text = errors
                .0
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default();
            message(
                &state,
                &visitor,
                StatusCode::CONFLICT,
                "Adresse nicht geändert",
                &text,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn export(
    State(state): State<AppState>,
    SignedIn { current, .. }: SignedIn,
) -> Result<Response, WebError> {
    let data = accounts::export(&state.db, &current.account).await?;
    let body =
        serde_json::to_string_pretty(&data).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"codefor-konto.json\"",
            ),
        ],
        body,
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
struct DeleteForm {
    #[serde(default)]
    delete_password: String,
}

async fn delete(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Form(form): Form<DeleteForm>,
) -> Result<Response, WebError> {
    match accounts::delete(&state.db, &current.account, &form.delete_password).await {
        Ok(()) => {
            let anonymous = Visitor {
                client: visitor.client.clone(),
                ..Visitor::default()
            };
            let mut response = message(
                &state,
                &anonymous,
                StatusCode::OK,
                "Konto gelöscht",
                "Dein Konto und deine persönlichen Daten sind gelöscht. Was du öffentlich \
                 beigetragen hast, bleibt erhalten und wird einem ehemaligen Mitglied \
                 zugeschrieben.",
                None,
            )
            .await?;
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, "", 0, state.secure_cookies(), "Lax"),
            );
            Ok(response)
        }
        Err(e) => after(&state, &visitor, Err(e), "").await,
    }
}
