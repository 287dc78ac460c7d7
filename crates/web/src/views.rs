//! Templates (embedded in the binary) and the site chrome every page shares.

use std::sync::LazyLock;

use axum::response::Html;
use codefor_storage::{Db, pages};
use minijinja::{Environment, Value, context};
use serde::Serialize;

use crate::WebError;

static ENV: LazyLock<Environment<'static>> = LazyLock::new(environment);

macro_rules! templates {
    ($env:ident, $($name:literal),* $(,)?) => {
        $(
            if let Err(e) = $env.add_template($name, include_str!(concat!("../templates/", $name))) {
                // Templates are compiled into the binary; a syntax error is caught by
                // the tests that render every page type.
                tracing::error!(template = $name, error = %e, "template does not compile");
            }
        )*
    };
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    templates!(
        env,
        "base.html",
        "macros.html",
        "page.html",
        "section.html",
        "home.html",
        "labs.html",
        "lab.html",
        "projects.html",
        "catalog.html",
        "project.html",
        "projects/import.html",
        "blog.html",
        "post.html",
        "error.html",
        "forms.html",
        "accounts/form.html",
        "accounts/message.html",
        "accounts/account.html",
        "accounts/profile.html",
        "accounts/profile_view.html",
        "admin/index.html",
        "editing/edit.html",
        "editing/history.html",
        "editing/revision.html",
        "editing/delete.html",
        "admin/trash.html",
        "admin/new_lab.html",
        "uploads/form.html",
        "memberships/dashboard.html",
        "proposals/form.html",
        "proposals/queue.html",
        "components/figures.html",
        "components/labs_by_state.html",
        "components/labmap.html",
        "components/posts.html",
        "components/featured.html",
        "components/meetups.html",
        "meetups/index.html",
        "meetups/show.html",
        "meetups/form.html",
        "accounts/calendar.html",
        "organizations/index.html",
        "organizations/form.html",
        "organizations/show.html",
        "organizations/use_page.html",
        "organizations/project_section.html",
        "help_wanted/index.html",
        "help_wanted/page.html",
        "help_wanted/project_section.html",
        "notifications/index.html",
        "datasets/index.html",
        "datasets/show.html",
        "datasets/form.html",
        "datasets/harvest.html",
        "datasets/lab_section.html",
        "datasets/trash.html",
        "needs/index.html",
        "api/index.html",
        "needs/card.html",
        "needs/form.html",
        "needs/show.html",
        "needs/mine.html",
        "needs/lab_section.html",
        "needs/code_of_conduct.html",
        "needs/comments.html",
        "needs/comment_page.html",
        "needs/comment_edit.html",
        "moderation/panel.html",
        "moderation/queue.html",
        "moderation/retry.html",
        "moderation/report.html",
        "link_health/section.html",
        "link_health/dashboard.html",
        "link_health/admin.html",
    );
    env.add_function("page_url", |n: usize| codefor_core::urls::blog_page(n));
    crate::metadata::register(&mut env);
    env.set_formatter(html_formatter);
    env
}

/// Escapes like minijinja's default, except that `/` stays readable: it needs no
/// escaping in HTML text or quoted attributes, and escaped URLs are hard to read.
fn html_formatter(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    match (state.auto_escape(), value.as_str()) {
        (minijinja::AutoEscape::Html, Some(text)) if !value.is_safe() => {
            let mut escaped = String::with_capacity(text.len() + 16);
            for ch in text.chars() {
                match ch {
                    '&' => escaped.push_str("&amp;"),
                    '<' => escaped.push_str("&lt;"),
                    '>' => escaped.push_str("&gt;"),
                    '"' => escaped.push_str("&quot;"),
                    '\'' => escaped.push_str("&#39;"),
                    c => escaped.push(c),
                }
            }
            out.write_str(&escaped).map_err(|e| {
                minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "writing output")
                    .with_source(e)
            })
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// A link in the header or footer.
#[derive(Debug, Clone, Serialize)]
pub struct MenuItem {
    pub url: String,
    pub title: &'static str,
}

/// What every page shows around its content.
#[derive(Debug, Clone, Serialize)]
pub struct Chrome {
    pub name: &'static str,
    pub description: &'static str,
    pub asset_version: &'static str,
    pub menu: Vec<MenuItem>,
    pub footer: Vec<MenuItem>,
}

const HEADER_PAGES: &[(&str, &str)] = &[("community", "Community"), ("ueber", "Über uns")];
const FOOTER_PAGES: &[(&str, &str)] = &[
    ("grundsaetze", "Grundsätze"),
    ("presse", "Presse"),
    ("spenden", "Spenden"),
    ("impressum", "Impressum"),
    ("datenschutz", "Datenschutz"),
];

impl Chrome {
    /// Links only to pages that exist, so the navigation never leads to a 404.
    pub async fn load(db: &Db) -> Result<Chrome, WebError> {
        let existing = pages::list(db).await?;
        let pick = |wanted: &[(&str, &'static str)]| {
            wanted
                .iter()
                .filter(|(path, _)| existing.iter().any(|(p, _)| p == path))
                .map(|(path, title)| MenuItem {
                    url: format!("/{path}/"),
                    title,
                })
                .collect()
        };
        Ok(Chrome {
            menu: pick(HEADER_PAGES),
            footer: pick(FOOTER_PAGES),
            ..Chrome::bare()
        })
    }

    fn bare() -> Chrome {
        Chrome {
            name: "Code for Germany",
            description: "Das Netzwerk für offene Daten, offene Software und Beteiligung: \
                          Labs, Projekte und Termine.",
            asset_version: crate::assets::VERSION.as_str(),
            menu: Vec::new(),
            footer: Vec::new(),
        }
    }
}

/// Renders a page template with the chrome merged into its context.
pub fn render(name: &str, chrome: &Chrome, ctx: Value) -> Result<Html<String>, WebError> {
    let template = ENV.get_template(name)?;
    let visitor = crate::session::current_view();
    let full = context! {
        site => Value::from(minijinja::value::Serde(chrome)),
        visitor => Value::from(minijinja::value::Serde(&visitor)),
        ..ctx
    };
    Ok(Html(template.render(full)?))
}

/// Renders a fragment (a component) without chrome.
pub fn fragment(name: &str, ctx: Value) -> Result<String, WebError> {
    Ok(ENV.get_template(name)?.render(ctx)?)
}

/// The error page; falls back to plain text if even that cannot be rendered.
pub fn error_page(title: &str, message: &str) -> String {
    ENV.get_template("error.html")
        .and_then(|t| {
            t.render(context! {
                site => Value::from(minijinja::value::Serde(Chrome::bare())),
                visitor => Value::from(minijinja::value::Serde(crate::session::current_view())),
                title => title,
                message => message
            })
        })
        .unwrap_or_else(|_| format!("{title}\n\n{message}\n"))
}

/// Whether rendered content brings its own top-level heading.
pub fn has_h1(html: &str) -> bool {
    html.contains("<h1")
}

/// A page's meta description: its summary, else the start of its text.
pub fn description(summary: Option<&str>, markdown: &str) -> String {
    match summary {
        Some(s) if !s.trim().is_empty() => s.to_owned(),
        _ => codefor_content::markdown::summary(markdown, 160),
    }
}
