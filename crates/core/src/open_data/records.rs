//! The records of the API: what each collection writes, and how it is assembled from
//! the stored rows (one query per related table and page, never one per record).

use std::collections::HashMap;

use codefor_domain::profiles::{Onlooker, Profile, Sector};
use codefor_domain::states;
use codefor_storage::open_data as q;
use codefor_storage::{Db, DbError};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Collection, Urls};
use crate::link_health::{self, LinkStatus};

/// A named link.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub name: String,
    #[schema(format = "uri")]
    pub url: String,
}

/// A lab of the network.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Lab {
    /// The lab's slug.
    pub id: String,
    #[schema(format = "uri")]
    pub url: String,
    #[schema(format = "uri")]
    pub html_url: String,
    pub name: String,
    pub city: String,
    /// API URL of the federal state.
    #[schema(format = "uri")]
    pub state: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Whether the lab is active (inactive labs stay listed).
    pub active: bool,
    /// Whether the lab is in the lab list and on the map; a lab left out of them (an
    /// earlier lab the network keeps for the record) still has its page.
    pub listed: bool,
    /// When and where the lab meets, in its own words.
    pub meeting: Option<String>,
    /// The lab's description, sanitized HTML.
    pub description_html: String,
    pub links: Vec<Link>,
    /// Ways to reach the lab (e-mail addresses left out).
    pub contacts: Vec<Link>,
    pub feeds: Vec<Link>,
    /// The health of the lab's external links (background link check).
    pub link_status: Vec<LinkStatus>,
    /// Names of the lab's leads, as its page lists them.
    pub leads: Vec<String>,
    /// Number of published projects.
    pub project_count: i64,
    /// API URL of the lab's projects.
    #[schema(format = "uri")]
    pub projects: String,
    /// API URL of the lab's meetups.
    #[schema(format = "uri")]
    pub meetups: String,
}

/// A federal state.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// The state's slug.
    pub id: String,
    #[schema(format = "uri")]
    pub url: String,
    #[schema(format = "uri")]
    pub html_url: String,
    /// Official key (Länderschlüssel), `"01"` to `"16"`.
    pub key: String,
    pub name: String,
    /// ISO 3166-2 code.
    pub iso: String,
    /// Listed labs of the state, as the map counts them (`labs` also has unlisted ones).
    pub lab_count: i64,
    /// Listed labs of the state that are active.
    pub active_lab_count: i64,
    /// API URL of the state's labs (listed or not: see each lab's `listed`).
    #[schema(format = "uri")]
    pub labs: String,
}

/// A published project of the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// The project's slug.
    pub id: String,
    #[schema(format = "uri")]
    pub url: String,
    #[schema(format = "uri")]
    pub html_url: String,
    pub title: String,
    pub summary: Option<String>,
    /// `concept`, `development`, `beta`, `stable` or `obsolete`.
    pub development_status: Option<String>,
    pub maintenance: Option<String>,
    pub looking_for_people: bool,
    /// The status in the project's own words.
    pub status_text: Option<String>,
    #[schema(format = Date)]
    pub date: Option<String>,
    /// SPDX licence expression.
    pub license: Option<String>,
    /// The last sign of life.
    #[schema(format = Date)]
    pub last_activity: Option<String>,
    #[schema(format = "uri")]
    pub repository_url: Option<String>,
    #[schema(format = "uri")]
    pub website_url: Option<String>,
    #[schema(format = "uri")]
    pub documentation_url: Option<String>,
    /// The health of the repository, website and documentation links (background link
    /// check).
    pub link_status: Vec<LinkStatus>,
    pub software_type: Option<String>,
    pub platforms: Vec<String>,
    /// Keys of the catalog's themes.
    pub themes: Vec<String>,
    /// API URLs of the project's labs.
    pub labs: Vec<String>,
    /// API URLs of the organizations that use it.
    pub used_by: Vec<String>,
    /// The project as publiccode.yml.
    #[schema(format = "uri")]
    pub publiccode_url: String,
}

/// An organization (an administration above all).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// The organization's slug.
    pub id: String,
    #[schema(format = "uri")]
    pub url: String,
    #[schema(format = "uri")]
    pub html_url: String,
    pub name: String,
    /// `municipality`, `district`, `state`, `federal`, `public_body`, `association`,
    /// `company` or `other`.
    pub kind: String,
    /// API URL of the federal state.
    pub state: Option<String>,
    /// Amtlicher Gemeindeschlüssel or Regionalschlüssel.
    pub ags: Option<String>,
    #[schema(format = "uri")]
    pub website_url: Option<String>,
    /// Confirmed by the network's admins.
    pub verified: bool,
    /// API URLs of the projects it uses.
    pub uses: Vec<String>,
}

/// A meetup, once or repeating.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Meetup {
    pub id: i64,
    #[schema(format = "uri")]
    pub url: String,
    #[schema(format = "uri")]
    pub html_url: String,
    /// The meetup as iCalendar.
    #[schema(format = "uri")]
    pub ics_url: String,
    pub title: String,
    pub description_html: String,
    /// Start of the first date, RFC 3339 with the offset of `time_zone`.
    #[schema(format = DateTime)]
    pub starts_at: Option<String>,
    #[schema(format = DateTime)]
    pub ends_at: Option<String>,
    /// IANA time zone of the civil times (`Europe/Berlin`).
    pub time_zone: String,
    pub all_day: bool,
    /// RFC 5545 recurrence rule of a series.
    pub rrule: Option<String>,
    pub venue: Option<String>,
    pub address: Option<String>,
    #[schema(format = "uri")]
    pub online_url: Option<String>,
    /// Places per date.
    pub capacity: Option<i64>,
    /// `scheduled` or `cancelled`.
    pub status: String,
    /// API URLs of its labs (none: a meetup of the whole network).
    pub labs: Vec<String>,
}

/// A step of a need's public history.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedStep {
    #[schema(format = DateTime)]
    pub at: Option<String>,
    /// The status the need moved to.
    pub status: String,
    pub reason: String,
    /// API URL of the lab of this step (the adopting lab).
    pub lab: Option<String>,
    /// Public name of who took the step.
    pub by: String,
}

/// A need: what citizens, administrations or politicians lack.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Need {
    pub id: i64,
    #[schema(format = "uri")]
    pub url: String,
    #[schema(format = "uri")]
    pub html_url: String,
    pub title: String,
    pub description_html: String,
    /// Who is affected.
    pub affected: String,
    /// API URL of the federal state.
    pub state: Option<String>,
    pub municipality: String,
    /// API URL of the lab nearby the author named.
    pub lab: Option<String>,
    /// A theme key.
    pub topic: String,
    /// The data or software the author thinks is missing.
    pub missing: String,
    /// Public name of the author (`null` for a deleted account).
    pub author: Option<String>,
    /// API URL of the confirmed organization it was brought in for.
    pub organization: Option<String>,
    /// `submitted`, `discussion`, `adopted`, `in_progress`, `solved`, `not_pursued` or
    /// `merged`.
    pub status: String,
    /// API URL of the lab that adopted it.
    pub adopted_by: Option<String>,
    /// Public name of the adopting lab's contact.
    pub contact: Option<String>,
    /// API URL of the need it was merged into.
    pub merged_into: Option<String>,
    pub support_count: i64,
    pub comment_count: i64,
    #[schema(format = DateTime)]
    pub submitted_at: Option<String>,
    #[schema(format = DateTime)]
    pub last_activity: Option<String>,
    /// The public status history, oldest first.
    pub history: Vec<NeedStep>,
    /// API URLs of the projects that answer it.
    pub projects: Vec<String>,
}

/// A blog post.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Post {
    /// The post's slug.
    pub id: String,
    #[schema(format = "uri")]
    pub url: String,
    #[schema(format = "uri")]
    pub html_url: String,
    pub title: String,
    #[schema(format = Date)]
    pub date: Option<String>,
    /// The author as the post names them.
    pub author: Option<String>,
    pub summary: Option<String>,
    /// Absolute URL of the post's picture.
    #[schema(format = "uri")]
    pub image: Option<String>,
    /// Language (BCP 47).
    pub lang: String,
    pub topics: Vec<String>,
    /// API URLs of the labs it is about.
    pub labs: Vec<String>,
    pub body_html: String,
}

/// A page of the site.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Page {
    pub id: i64,
    #[schema(format = "uri")]
    pub url: String,
    #[schema(format = "uri")]
    pub html_url: String,
    /// The page's path (`impressum`, `archiv/launch`; empty for the home page).
    pub path: String,
    pub title: String,
    pub description: Option<String>,
    pub body_html: String,
}

/// A public profile: only the parts the person made public; the others are left out.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub id: i64,
    #[schema(format = "uri")]
    pub url: String,
    #[schema(format = "uri")]
    pub html_url: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    /// `civil_society`, `administration`, `politics`, `business` or `science`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skills: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interests: Option<Vec<String>>,
    /// API URLs of the labs the person leads or belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labs: Option<Vec<String>>,
}

/// The network's live figures.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    #[schema(format = "uri")]
    pub url: String,
    #[schema(format = "uri")]
    pub html_url: String,
    /// Listed labs that are active, as the map counts them.
    pub labs_active: i64,
    /// Listed labs (those left out of the lab list are not counted).
    pub labs_total: i64,
    pub states_with_active_lab: i64,
    /// People named in the network's content.
    pub people: i64,
    /// Published projects.
    pub projects: i64,
    /// Dates of meetups in the next 90 days.
    pub upcoming_meetups: i64,
}

/// `YYYY-MM-DD` of a stored date or time; `None` when it is none.
fn date(s: &str) -> Option<String> {
    let d = s.get(..10)?;
    jiff::civil::Date::strptime("%Y-%m-%d", d)
        .ok()
        .map(|_| d.to_owned())
}

/// A stored RFC 3339 time (or a bare date, as midnight UTC), written as RFC 3339.
fn timestamp(s: &str) -> Option<String> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return t.format(&Rfc3339).ok();
    }
    date(s)
        .filter(|d| d.len() == s.len())
        .map(|d| format!("{d}T00:00:00Z"))
}

/// A civil time in a time zone, written as RFC 3339 with that zone's offset.
fn zoned(civil: &str, zone: &str) -> Option<String> {
    let tz = jiff::tz::TimeZone::get(zone).ok()?;
    let dt: jiff::civil::DateTime = civil.parse().ok()?;
    let z = dt.to_zoned_datetime(tz).ok()?;
    Some(z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
}

fn state_url(urls: &Urls, key: Option<&str>) -> Option<String> {
    key.and_then(states::by_key)
        .map(|s| urls.api(Collection::States, s.slug))
}

fn api_urls(urls: &Urls, c: Collection, keys: Option<Vec<String>>) -> Vec<String> {
    keys.unwrap_or_default()
        .iter()
        .map(|k| urls.api(c, k))
        .collect()
}

fn links_of(rows: &[q::LabLink], kind: &str) -> Vec<Link> {
    rows.iter()
        .filter(|l| {
            l.kind == kind
                && !l
                    .url
                    .trim_start()
                    .to_ascii_lowercase()
                    .starts_with("mailto:")
        })
        .map(|l| Link {
            name: l.name.clone(),
            url: l.url.clone(),
        })
        .collect()
}

pub(super) async fn labs(db: &Db, urls: &Urls, rows: Vec<q::LabRow>) -> Result<Vec<Lab>, DbError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let links = q::lab_links(db, &ids).await?;
    let mut leads = q::lab_leads(db, &ids).await?;
    let health = link_health::health_of(
        db,
        &links
            .values()
            .flatten()
            .map(|l| l.url.clone())
            .collect::<Vec<_>>(),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let l = links.get(&r.id).map(Vec::as_slice).unwrap_or_default();
            let checked: Vec<&str> = l
                .iter()
                .map(|l| l.url.as_str())
                .filter(|u| link_health::normalize(u).is_some())
                .collect();
            Lab {
                link_status: link_health::statuses_of(&checked, &health),
                url: urls.api(Collection::Labs, &r.slug),
                html_url: urls.html(&crate::urls::lab(&r.slug)),
                state: state_url(urls, r.state_key.as_deref()),
                latitude: r.latitude,
                longitude: r.longitude,
                active: r.active != 0,
                listed: r.hidden == 0,
                meeting: r.meeting.filter(|m| !m.trim().is_empty()),
                description_html: r.body_html,
                links: links_of(l, "link"),
                contacts: links_of(l, "contact"),
                feeds: links_of(l, "feed"),
                leads: leads.remove(&r.id).unwrap_or_default(),
                project_count: r.project_count,
                projects: urls.api_list(Collection::Projects, &[("lab", &r.slug)]),
                meetups: urls.api_list(Collection::Meetups, &[("lab", &r.slug)]),
                name: r.name,
                city: r.city,
                id: r.slug,
            }
        })
        .collect())
}

/// The federal states by slug after `after`, at most `limit`.
pub(super) async fn states(
    db: &Db,
    urls: &Urls,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<State>, DbError> {
    let counts = q::lab_counts_by_state(db).await?;
    let mut all: Vec<_> = states::ALL.iter().collect();
    all.sort_by_key(|s| s.slug);
    Ok(all
        .into_iter()
        .filter(|s| after.is_none_or(|a| s.slug > a))
        .take(usize::try_from(limit).unwrap_or(0))
        .map(|s| {
            let (n, active) = counts.get(s.key).copied().unwrap_or((0, 0));
            State {
                id: s.slug.to_owned(),
                url: urls.api(Collection::States, s.slug),
                html_url: urls.html(&format!("/labs/{}/", s.slug)),
                key: s.key.to_owned(),
                name: s.name.to_owned(),
                iso: s.iso.to_owned(),
                lab_count: n,
                active_lab_count: active,
                labs: urls.api_list(Collection::Labs, &[("state", s.slug)]),
            }
        })
        .collect())
}

pub(super) async fn projects(
    db: &Db,
    urls: &Urls,
    rows: Vec<q::ProjectRow>,
) -> Result<Vec<Project>, DbError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut themes = q::project_themes(db, &ids).await?;
    let mut labs = q::project_labs(db, &ids).await?;
    let mut users = q::project_users(db, &ids).await?;
    let of = |r: &q::ProjectRow| -> Vec<String> {
        [&r.repository_url, &r.website_url, &r.documentation_url]
            .into_iter()
            .flatten()
            .filter(|u| link_health::normalize(u).is_some())
            .cloned()
            .collect()
    };
    let health = link_health::health_of(db, &rows.iter().flat_map(of).collect::<Vec<_>>()).await?;
    Ok(rows
        .into_iter()
        .map(|r| Project {
            link_status: link_health::statuses_of(
                &of(&r).iter().map(String::as_str).collect::<Vec<_>>(),
                &health,
            ),
            url: urls.api(Collection::Projects, &r.slug),
            html_url: urls.html(&crate::urls::project(&r.slug)),
            publiccode_url: urls.html(&format!("/projekte/{}/publiccode.yml", r.slug)),
            title: r.title,
            summary: r.summary,
            development_status: r.development_status,
            maintenance: r.maintenance,
            looking_for_people: r.looking_for_people != 0,
            status_text: r.status_text,
            date: r.date.as_deref().and_then(date),
            license: r.license,
            last_activity: r.last_activity.as_deref().and_then(date),
            repository_url: r.repository_url,
            website_url: r.website_url,
            documentation_url: r.documentation_url,
            software_type: r.software_type,
            platforms: serde_json::from_str(&r.platforms_json).unwrap_or_default(),
            themes: themes.remove(&r.id).unwrap_or_default(),
            labs: api_urls(urls, Collection::Labs, labs.remove(&r.id)),
            used_by: api_urls(urls, Collection::Organizations, users.remove(&r.id)),
            id: r.slug,
        })
        .collect())
}

pub(super) async fn organizations(
    db: &Db,
    urls: &Urls,
    rows: Vec<q::OrganizationRow>,
) -> Result<Vec<Organization>, DbError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut uses = q::organization_uses(db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| Organization {
            url: urls.api(Collection::Organizations, &r.slug),
            html_url: urls.html(&format!("/organisationen/{}/", r.slug)),
            state: state_url(urls, r.state_key.as_deref()),
            name: r.name,
            kind: r.kind,
            ags: r.ags,
            website_url: r.website_url,
            verified: r.verified != 0,
            uses: api_urls(urls, Collection::Projects, uses.remove(&r.id)),
            id: r.slug,
        })
        .collect())
}

pub(super) async fn meetups(
    db: &Db,
    urls: &Urls,
    rows: Vec<q::MeetupRow>,
) -> Result<Vec<Meetup>, DbError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut labs = q::meetup_labs(db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| Meetup {
            url: urls.api(Collection::Meetups, &r.id.to_string()),
            html_url: urls.html(&format!("/termine/{}/", r.id)),
            ics_url: urls.html(&format!("/termine/{}.ics", r.id)),
            starts_at: zoned(&r.starts_at, &r.time_zone),
            ends_at: zoned(&r.ends_at, &r.time_zone),
            title: r.title,
            description_html: r.description_html,
            time_zone: r.time_zone,
            all_day: r.all_day != 0,
            rrule: r.rrule,
            venue: r.venue,
            address: r.address,
            online_url: r.online_url,
            capacity: r.capacity,
            status: r.status,
            labs: api_urls(urls, Collection::Labs, labs.remove(&r.id)),
            id: r.id,
        })
        .collect())
}

pub(super) async fn needs(
    db: &Db,
    urls: &Urls,
    rows: Vec<q::NeedRow>,
) -> Result<Vec<Need>, DbError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut events = q::need_events(db, &ids).await?;
    let mut projects = q::need_projects(db, &ids).await?;
    let lab = |slug: Option<String>| slug.map(|s| urls.api(Collection::Labs, &s));
    Ok(rows
        .into_iter()
        .map(|r| Need {
            url: urls.api(Collection::Needs, &r.id.to_string()),
            html_url: urls.html(&format!("/beduerfnisse/{}/", r.id)),
            title: r.title,
            description_html: r.body_html,
            affected: r.affected,
            state: state_url(urls, r.state_key.as_deref()),
            municipality: r.municipality,
            lab: lab(r.lab_slug),
            topic: r.topic,
            missing: r.missing,
            author: r.author_name,
            organization: r
                .organization_slug
                .map(|s| urls.api(Collection::Organizations, &s)),
            status: r.status,
            adopted_by: lab(r.adopted_lab_slug),
            contact: r.contact_name,
            merged_into: r
                .merged_into
                .map(|n| urls.api(Collection::Needs, &n.to_string())),
            support_count: r.support_count,
            comment_count: r.comment_count,
            submitted_at: r.submitted_at.as_deref().and_then(timestamp),
            last_activity: timestamp(&r.last_activity),
            history: events
                .remove(&r.id)
                .unwrap_or_default()
                .into_iter()
                .map(|e| NeedStep {
                    at: timestamp(&e.created_at),
                    status: e.status,
                    reason: e.reason,
                    lab: lab(e.lab_slug),
                    by: e.actor_name,
                })
                .collect(),
            projects: api_urls(urls, Collection::Projects, projects.remove(&r.id)),
            id: r.id,
        })
        .collect())
}

pub(super) async fn posts(
    db: &Db,
    urls: &Urls,
    rows: Vec<q::PostRow>,
) -> Result<Vec<Post>, DbError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut labs = q::post_labs(db, &ids).await?;
    let mut topics = q::post_topics(db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| Post {
            url: urls.api(Collection::Posts, &r.slug),
            html_url: urls.html(&crate::urls::post(&r.slug)),
            title: r.title,
            date: date(&r.date),
            author: r.author.filter(|a| !a.trim().is_empty()),
            summary: r.summary,
            image: r.image.filter(|i| !i.is_empty()).map(|i| {
                if i.starts_with("http://") || i.starts_with("https://") {
                    i
                } else {
                    urls.html(&crate::urls::media(&i))
                }
            }),
            lang: r.lang,
            topics: topics.remove(&r.id).unwrap_or_default(),
            labs: api_urls(urls, Collection::Labs, labs.remove(&r.id)),
            body_html: r.body_html,
            id: r.slug,
        })
        .collect())
}

pub(super) fn pages(urls: &Urls, rows: Vec<q::PageRow>) -> Vec<Page> {
    rows.into_iter()
        .map(|r| Page {
            url: urls.api(Collection::Pages, &r.id.to_string()),
            html_url: urls.html(&crate::urls::page(&r.path)),
            path: r.path,
            title: r.title,
            description: r.description,
            body_html: r.body_html,
            id: r.id,
        })
        .collect()
}

/// Public profiles: each part only when its visibility lets anyone see it; an account
/// that shows nothing beyond its name is left out (its profile page is "not found"
/// too).
pub(super) async fn people(
    db: &Db,
    urls: &Urls,
    rows: Vec<q::ProfileRow>,
) -> Result<Vec<Person>, DbError> {
    let anyone = Onlooker::Anyone;
    let profile_of = |r: &q::ProfileRow| -> Profile {
        Profile {
            bio: r.bio.clone(),
            sector: r.sector.as_deref().and_then(Sector::parse),
            skills: serde_json::from_str(&r.skills_json).unwrap_or_default(),
            interests: serde_json::from_str(&r.interests_json).unwrap_or_default(),
            visibility: serde_json::from_str(&r.visibility_json).unwrap_or_default(),
        }
    };
    let shows_labs: Vec<i64> = rows
        .iter()
        .filter(|r| anyone.sees(profile_of(r).visibility_of("labs")))
        .map(|r| r.id)
        .collect();
    let mut labs: HashMap<i64, Vec<String>> = q::profile_labs(db, &shows_labs).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let p = profile_of(&r);
            let sees = |field: &str| anyone.sees(p.visibility_of(field));
            let person = Person {
                url: urls.api(Collection::People, &r.id.to_string()),
                html_url: urls.html(&format!("/profil/{}/", r.id)),
                name: r.display_name,
                bio: (sees("bio") && !p.bio.is_empty()).then(|| p.bio.clone()),
                sector: p
                    .sector
                    .filter(|_| sees("sector"))
                    .map(|s| s.as_str().to_owned()),
                skills: (sees("skills") && !p.skills.is_empty()).then(|| p.skills.clone()),
                interests: (sees("interests") && !p.interests.is_empty())
                    .then(|| p.interests.clone()),
                labs: labs
                    .remove(&r.id)
                    .filter(|l| sees("labs") && !l.is_empty())
                    .map(|l| api_urls(urls, Collection::Labs, Some(l))),
                id: r.id,
            };
            let shows = person.bio.is_some()
                || person.sector.is_some()
                || person.skills.is_some()
                || person.interests.is_some()
                || person.labs.is_some();
            shows.then_some(person)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_with_offset() {
        assert_eq!(
            zoned("2026-07-01T19:00:00", "Europe/Berlin").as_deref(),
            Some("2026-07-01T19:00:00+02:00")
        );
        assert_eq!(
            zoned("2026-01-10T19:00:00", "Europe/Berlin").as_deref(),
            Some("2026-01-10T19:00:00+01:00")
        );
        assert_eq!(
            timestamp("2026-01-10T19:00:00Z").as_deref(),
            Some("2026-01-10T19:00:00Z")
        );
        assert_eq!(
            timestamp("2026-01-10").as_deref(),
            Some("2026-01-10T00:00:00Z")
        );
        assert_eq!(timestamp("yesterday"), None);
        assert_eq!(date("2026-01-10T19:00:00Z").as_deref(), Some("2026-01-10"));
        assert_eq!(date("Jan 2026"), None);
    }
}
