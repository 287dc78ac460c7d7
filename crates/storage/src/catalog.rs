//! The project catalog's faceted search: filters by theme, lab, federal state, development
//! status, licence, "in use by administrations" and "looking for people", combinable,
//! with counts per facet value, sorted and paged.
//!
//! Facet counts are disjunctive, as shops and catalogs count them: the counts of one
//! facet are taken under every *other* active filter, so each count says how many
//! projects a click on that value would show.

use std::collections::HashMap;

use codefor_domain::DevelopmentStatus;
use serde::Serialize;
use sqlx::AssertSqlSafe;

use crate::projects::{ProjectSummary, SUMMARY_COLUMNS, summaries};
use crate::{Backend, Db, DbError};

/// How a page of the catalog is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Newest first (by the project's date).
    #[default]
    Newest,
    /// Most recent sign of life first.
    Activity,
    /// Used by the most organizations first.
    Users,
    /// Alphabetically.
    Title,
}

impl Sort {
    pub const ALL: [Sort; 4] = [Sort::Newest, Sort::Activity, Sort::Users, Sort::Title];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "neu",
            Sort::Activity => "aktiv",
            Sort::Users => "nutzung",
            Sort::Title => "name",
        }
    }

    pub fn parse(s: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label_de(self) -> &'static str {
        match self {
            Sort::Newest => "Neueste zuerst",
            Sort::Activity => "Zuletzt aktiv",
            Sort::Users => "Meistgenutzt",
            Sort::Title => "Name (A–Z)",
        }
    }

    fn order_by(self) -> &'static str {
        match self {
            Sort::Newest => " ORDER BY p.date IS NULL, p.date DESC, p.title, p.id",
            Sort::Activity => {
                " ORDER BY p.last_activity IS NULL, p.last_activity DESC, p.title, p.id"
            }
            Sort::Users => {
                " ORDER BY (SELECT COUNT(*) FROM project_users u WHERE u.project_id = p.id) DESC, \
                 p.title, p.id"
            }
            Sort::Title => " ORDER BY p.title, p.id",
        }
    }
}

/// The active filters; `None`/`false` means "any".
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub theme: Option<String>,
    pub lab: Option<String>,
    /// A federal state's key (`"11"`): projects of its labs and projects used there.
    pub state: Option<String>,
    pub status: Option<DevelopmentStatus>,
    pub license: Option<String>,
    pub in_use: bool,
    pub looking: bool,
}

impl Filters {
    pub fn any(&self) -> bool {
        self.theme.is_some()
            || self.lab.is_some()
            || self.state.is_some()
            || self.status.is_some()
            || self.license.is_some()
            || self.in_use
            || self.looking
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dim {
    Theme,
    Lab,
    State,
    Status,
    License,
    InUse,
    Looking,
}

/// "In use by administrations": organizations of a public kind
/// (`codefor_domain::organizations::Kind::is_public`), not associations or companies.
const IN_USE: &str = "p.id IN (SELECT u.project_id FROM project_users u \
     JOIN organizations o ON o.id = u.organization_id \
     WHERE o.kind IN ('municipality', 'district', 'state', 'federal', 'public_body'))";
/// `IN`, not `EXISTS`: inside the `OR` PostgreSQL then hashes the open roles once instead
/// of probing them for every project.
const LOOKING: &str = "(p.looking_for_people = 1 OR p.id IN (SELECT r.project_id \
     FROM project_roles r WHERE r.open = 1))";

/// How `p.id IN (…)` is written for sets that may hold tens of thousands of projects (a
/// theme, a federal state). SQLite would walk such a set and read each project's row by
/// its id, the whole row with its bodies; `+p.id` makes it scan the narrow
/// `projects_catalog` index instead and look each project up in the set. PostgreSQL plans
/// such a semi-join well by itself, and could not estimate `+p.id`.
fn large_set_id(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "+p.id",
        Backend::Postgres => "p.id",
    }
}

/// Published projects: not deleted, not drafts.
const VISIBLE: &str = " WHERE p.deleted_at IS NULL AND p.draft = 0";

/// A `WHERE` clause under construction, with its numbered placeholders.
struct Clause {
    sql: String,
    binds: Vec<String>,
}

impl Clause {
    fn bind(&mut self, value: &str) -> String {
        self.binds.push(value.to_owned());
        format!("${}", self.binds.len())
    }
}

impl Filters {
    /// The conditions of every active filter except those in `except`, for table alias
    /// `p`.
    fn clause(&self, except: &[Dim], backend: Backend) -> Clause {
        let mut c = Clause {
            sql: String::from(VISIBLE),
            binds: Vec::new(),
        };
        let on = |d: Dim| !except.contains(&d);
        let large = large_set_id(backend);
        if let Some(theme) = self.theme.as_deref().filter(|_| on(Dim::Theme)) {
            let n = c.bind(theme);
            c.sql.push_str(&format!(
                " AND {large} IN (SELECT t.project_id FROM project_themes t WHERE t.theme = {n})"
            ));
        }
        if let Some(lab) = self.lab.as_deref().filter(|_| on(Dim::Lab)) {
            let n = c.bind(lab);
            c.sql.push_str(&format!(
                " AND p.id IN (SELECT pl.project_id FROM project_labs pl JOIN labs l \
                 ON l.id = pl.lab_id WHERE l.slug = {n})"
            ));
        }
        if let Some(state) = self.state.as_deref().filter(|_| on(Dim::State)) {
            // The projects of the state's labs and those its organizations use.
            let n = c.bind(state);
            c.sql.push_str(&format!(
                " AND {large} IN (SELECT pl.project_id FROM labs l JOIN project_labs pl \
                 ON pl.lab_id = l.id WHERE l.state_key = {n} AND l.deleted_at IS NULL \
                 UNION SELECT u.project_id FROM organizations o JOIN project_users u \
                 ON u.organization_id = o.id WHERE o.state_key = {n})"
            ));
        }
        if let Some(status) = self.status.filter(|_| on(Dim::Status)) {
            let n = c.bind(status.as_str());
            c.sql.push_str(&format!(" AND p.development_status = {n}"));
        }
        if let Some(license) = self.license.as_deref().filter(|_| on(Dim::License)) {
            let n = c.bind(license);
            c.sql.push_str(&format!(" AND p.license = {n}"));
        }
        if self.in_use && on(Dim::InUse) {
            c.sql.push_str(&format!(" AND {IN_USE}"));
        }
        if self.looking && on(Dim::Looking) {
            c.sql.push_str(&format!(" AND {LOOKING}"));
        }
        c
    }

    /// The `WHERE` clause of every active filter over published projects (alias `p`)
    /// and its bound values (`$1`, …), for the open-data API's keyset pages.
    pub fn where_clause(&self, backend: Backend) -> (String, Vec<String>) {
        let c = self.clause(&[], backend);
        (c.sql, c.binds)
    }

    /// "`column` is a project matching every active filter except `except`".
    fn member(&self, column: &str, except: Dim, backend: Backend) -> Clause {
        let c = self.clause(&[except], backend);
        if c.sql == VISIBLE {
            // No other filter: the few hidden projects are the shorter list to look up.
            return Clause {
                sql: format!(
                    "{column} NOT IN (SELECT p.id FROM projects p \
                     WHERE p.deleted_at IS NOT NULL OR p.draft <> 0)"
                ),
                binds: c.binds,
            };
        }
        Clause {
            sql: format!("{column} IN (SELECT p.id FROM projects p{})", c.sql),
            binds: c.binds,
        }
    }
}

/// One value of a facet and how many projects it would show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub value: String,
    pub count: i64,
}

/// The counts of every facet under the active filters.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facets {
    pub themes: Vec<Count>,
    /// Lab slugs.
    pub labs: Vec<Count>,
    /// Federal state keys.
    pub states: Vec<Count>,
    pub statuses: Vec<Count>,
    /// The most used licences (at most [`LICENSE_FACET`]), plus the chosen one.
    pub licenses: Vec<Count>,
    pub in_use: i64,
    pub looking: i64,
}

/// How many licences the licence facet offers.
pub const LICENSE_FACET: usize = 15;

/// A page of the catalog.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// Projects matching all filters.
    pub total: i64,
    pub items: Vec<Item>,
    pub facets: Facets,
}

/// A project on a catalog page, with what the card says about adoption and help.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    #[serde(flatten)]
    pub project: ProjectSummary,
    /// Organizations using it.
    pub users: i64,
    /// Open roles.
    pub open_roles: i64,
}

/// One page (`page` counts from 1) of `per_page` projects matching `filters`.
///
/// The page and the facets are independent queries, run side by side on the pool's
/// connections.
pub async fn search(
    db: &Db,
    filters: &Filters,
    sort: Sort,
    page: u32,
    per_page: u32,
) -> Result<Page, DbError> {
    let (items, (total, facets)) = tokio::try_join!(
        items(db, filters, sort, page, per_page),
        facets(db, filters)
    )?;
    Ok(Page {
        total,
        items,
        facets,
    })
}

async fn items(
    db: &Db,
    filters: &Filters,
    sort: Sort,
    page: u32,
    per_page: u32,
) -> Result<Vec<Item>, DbError> {
    let all = filters.clause(&[], db.backend());
    let offset = u64::from(page.max(1) - 1) * u64::from(per_page);
    // The page's ids first, from the narrow index; then the 24 rows with their columns.
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM projects p WHERE p.id IN (SELECT p.id FROM projects p\
         {}{} LIMIT {per_page} OFFSET {offset}){}",
        all.sql,
        sort.order_by(),
        sort.order_by()
    );
    let rows = bound_rows(db, sql, &all.binds).await?;
    let projects = summaries(db, rows).await?;
    let ids: Vec<i64> = projects.iter().map(|p| p.id).collect();
    let (users, roles) = adoption_counts(db, &ids).await?;
    Ok(projects
        .into_iter()
        .map(|p| Item {
            users: users.get(&p.id).copied().unwrap_or(0),
            open_roles: roles.get(&p.id).copied().unwrap_or(0),
            project: p,
        })
        .collect())
}

/// The number of projects matching all filters, and the counts of every facet.
async fn facets(db: &Db, filters: &Filters) -> Result<(i64, Facets), DbError> {
    let backend = db.backend();
    // Themes, labs and states: each counted over the projects matching the other filters.
    let s = filters.member("t.project_id", Dim::Theme, backend);
    let themes = format!(
        "SELECT t.theme, COUNT(*) FROM project_themes t WHERE {} \
         GROUP BY t.theme ORDER BY COUNT(*) DESC, t.theme",
        s.sql
    );
    let themes = grouped_counts(db, themes, &s.binds);
    let s = filters.member("pl.project_id", Dim::Lab, backend);
    let labs = format!(
        "SELECT l.slug, COUNT(*) FROM project_labs pl JOIN labs l ON l.id = pl.lab_id \
         WHERE l.deleted_at IS NULL AND {} GROUP BY l.slug ORDER BY COUNT(*) DESC, l.slug",
        s.sql
    );
    let labs = grouped_counts(db, labs, &s.binds);
    // A project counts once per state, however many of its labs and users are there:
    // `UNION` keeps each (state, project) pair once. Both conditions have the same
    // placeholders.
    let (of_labs, s) = (
        filters.member("pl.project_id", Dim::State, backend),
        filters.member("u.project_id", Dim::State, backend),
    );
    let states = format!(
        "SELECT s.state_key, COUNT(*) FROM (SELECT l.state_key, pl.project_id \
         FROM project_labs pl JOIN labs l ON l.id = pl.lab_id WHERE l.deleted_at IS NULL \
         AND l.state_key IS NOT NULL AND {} \
         UNION SELECT o.state_key, u.project_id FROM project_users u \
         JOIN organizations o ON o.id = u.organization_id WHERE o.state_key IS NOT NULL \
         AND {}) s GROUP BY s.state_key ORDER BY s.state_key",
        of_labs.sql, s.sql
    );
    let states = grouped_counts(db, states, &s.binds);
    // Status, licence, "in use" and "looking", and the total, from one pass: projects
    // matching every filter but status and licence, grouped by both, with how many of
    // them are in use and look for people among those of the chosen status and licence.
    let mut c = filters.clause(&[Dim::Status, Dim::License], backend);
    let mut chosen = String::from("1 = 1");
    if let Some(status) = filters.status {
        let n = c.bind(status.as_str());
        chosen.push_str(&format!(" AND p.development_status = {n}"));
    }
    if let Some(license) = filters.license.as_deref() {
        let n = c.bind(license);
        chosen.push_str(&format!(" AND p.license = {n}"));
    }
    let grouped = format!(
        "SELECT p.development_status, p.license, COUNT(*), \
         SUM(CASE WHEN {chosen} AND {IN_USE} THEN 1 ELSE 0 END), \
         SUM(CASE WHEN {chosen} AND {LOOKING} THEN 1 ELSE 0 END) \
         FROM projects p{} GROUP BY p.development_status, p.license",
        c.sql
    );
    let grouped = by_status_and_license(db, grouped, &c.binds);
    let (themes, labs, states, groups) = tokio::try_join!(themes, labs, states, grouped)?;

    let status_ok = |s: Option<&str>| filters.status.is_none_or(|f| s == Some(f.as_str()));
    let license_ok = |l: Option<&str>| filters.license.as_deref().is_none_or(|f| l == Some(f));
    let mut statuses: HashMap<&str, i64> = HashMap::new();
    let mut licenses: HashMap<&str, i64> = HashMap::new();
    let (mut total, mut in_use, mut looking) = (0, 0, 0);
    for g in &groups {
        let (status, license) = (g.status.as_deref(), g.license.as_deref());
        if let Some(s) = status.filter(|_| license_ok(license)) {
            *statuses.entry(s).or_default() += g.count;
        }
        if let Some(l) = license.filter(|_| status_ok(status)) {
            *licenses.entry(l).or_default() += g.count;
        }
        if status_ok(status) && license_ok(license) {
            total += g.count;
            in_use += g.in_use;
            looking += g.looking;
        }
    }
    let counts = |map: HashMap<&str, i64>| -> Vec<Count> {
        map.into_iter()
            .filter(|(_, count)| *count > 0)
            .map(|(value, count)| Count {
                value: value.to_owned(),
                count,
            })
            .collect()
    };
    let mut statuses = counts(statuses);
    statuses.sort_by(|a, b| a.value.cmp(&b.value));
    let mut licenses = counts(licenses);
    licenses.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    let chosen = licenses
        .iter()
        .position(|l| Some(&l.value) == filters.license.as_ref());
    if let Some(i) = chosen.filter(|&i| i >= LICENSE_FACET) {
        let keep = licenses.swap_remove(i);
        licenses.truncate(LICENSE_FACET - 1);
        licenses.push(keep);
    }
    licenses.truncate(LICENSE_FACET);
    Ok((
        total,
        Facets {
            themes,
            labs,
            states,
            statuses,
            licenses,
            in_use,
            looking,
        },
    ))
}

/// Projects of one development status and licence, and how many of the chosen ones are in
/// use and look for people.
struct Group {
    status: Option<String>,
    license: Option<String>,
    count: i64,
    in_use: i64,
    looking: i64,
}

async fn by_status_and_license(
    db: &Db,
    sql: String,
    binds: &[String],
) -> Result<Vec<Group>, DbError> {
    // Only constant fragments and numbered placeholders make up `sql`.
    let mut q =
        sqlx::query_as::<_, (Option<String>, Option<String>, i64, i64, i64)>(AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(b);
    }
    Ok(q.fetch_all(db.pool())
        .await?
        .into_iter()
        .map(|(status, license, count, in_use, looking)| Group {
            status,
            license,
            count,
            in_use,
            looking,
        })
        .collect())
}

async fn grouped_counts(db: &Db, sql: String, binds: &[String]) -> Result<Vec<Count>, DbError> {
    // Only constant fragments and numbered placeholders make up `sql`.
    let mut q = sqlx::query_as::<_, (Option<String>, i64)>(AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(b);
    }
    Ok(q.fetch_all(db.pool())
        .await?
        .into_iter()
        .filter_map(|(value, count)| value.map(|value| Count { value, count }))
        .collect())
}

async fn bound_rows(
    db: &Db,
    sql: String,
    binds: &[String],
) -> Result<Vec<crate::projects::SummaryRow>, DbError> {
    // Only constant fragments, integers and numbered placeholders make up `sql`.
    let mut q = sqlx::query_as::<_, crate::projects::SummaryRow>(AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(b);
    }
    Ok(q.fetch_all(db.pool()).await?)
}

/// Organizations using and open roles of these projects, for cards outside the catalog.
pub async fn adoption_counts(
    db: &Db,
    ids: &[i64],
) -> Result<(HashMap<i64, i64>, HashMap<i64, i64>), DbError> {
    Ok((
        counts_by_project(db, "project_users", "", ids).await?,
        counts_by_project(db, "project_roles", " AND open = 1", ids).await?,
    ))
}

/// Rows per project in `table` (with an extra constant condition), for these projects.
async fn counts_by_project(
    db: &Db,
    table: &'static str,
    condition: &'static str,
    ids: &[i64],
) -> Result<HashMap<i64, i64>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "SELECT project_id, COUNT(*) FROM {table} WHERE project_id IN ({}){condition} \
         GROUP BY project_id",
        list.join(",")
    );
    // Only constants and integers make up `sql`.
    let rows: Vec<(i64, i64)> = sqlx::query_as(AssertSqlSafe(sql))
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().collect())
}
