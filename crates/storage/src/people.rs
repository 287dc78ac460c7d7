//! People as content names them (leads, members, collaborators, authors).

use codefor_domain::people::Role;
use codefor_domain::{Link, Person};
use serde::Serialize;

use crate::batch::{self, Val};
use crate::util::{from_json, now};
use crate::{Change, Connection, Db, DbError};

/// A person as pages list them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonSummary {
    pub key: String,
    pub name: String,
    pub github: Option<String>,
    pub twitter: Option<String>,
    pub links: Vec<Link>,
}

/// id, name, github, twitter, links as stored.
type StoredPerson = (i64, String, Option<String>, Option<String>, String);

type PersonRow = (String, String, Option<String>, Option<String>, String);

fn summary(row: PersonRow) -> Result<PersonSummary, DbError> {
    let (key, name, github, twitter, links) = row;
    Ok(PersonSummary {
        key,
        name,
        github,
        twitter,
        links: from_json(&links)?,
    })
}

/// Creates or updates a person by key; returns the id.
pub async fn upsert(conn: &mut Connection, person: &Person) -> Result<(i64, Change), DbError> {
    let links = serde_json::to_string(&person.links)?;
    let existing: Option<StoredPerson> =
        sqlx::query_as("SELECT id, name, github, twitter, links_json FROM people WHERE key = $1")
            .bind(&person.key)
            .fetch_optional(&mut *conn)
            .await?;
    match existing {
        Some((id, name, github, twitter, old_links))
            if name == person.name
                && github == person.github
                && twitter == person.twitter
                && old_links == links =>
        {
            Ok((id, Change::Unchanged))
        }
        Some((id, ..)) => {
            sqlx::query(
                "UPDATE people SET name = $1, github = $2, twitter = $3, links_json = $4, \
                 updated_at = $5 WHERE id = $6",
            )
            .bind(&person.name)
            .bind(&person.github)
            .bind(&person.twitter)
            .bind(&links)
            .bind(now())
            .bind(id)
            .execute(&mut *conn)
            .await?;
            Ok((id, Change::Updated))
        }
        None => {
            let id = sqlx::query_scalar(
                "INSERT INTO people (key, name, github, twitter, links_json, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            )
            .bind(&person.key)
            .bind(&person.name)
            .bind(&person.github)
            .bind(&person.twitter)
            .bind(&links)
            .bind(now())
            .fetch_one(&mut *conn)
            .await?;
            Ok((id, Change::Created))
        }
    }
}

/// The people of a lab with one role, in their listed order.
pub async fn of_lab(db: &Db, lab_id: i64, role: Role) -> Result<Vec<PersonSummary>, DbError> {
    let rows: Vec<PersonRow> = sqlx::query_as(
        "SELECT p.key, p.name, p.github, p.twitter, p.links_json FROM lab_memberships m \
         JOIN people p ON p.id = m.person_id WHERE m.lab_id = $1 AND m.role = $2 \
         AND m.state = 'active' ORDER BY m.position, p.name",
    )
    .bind(lab_id)
    .bind(role.as_str())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(summary).collect()
}

/// The collaborators of a project, in their listed order.
pub async fn of_project(db: &Db, project_id: i64) -> Result<Vec<PersonSummary>, DbError> {
    let rows: Vec<PersonRow> = sqlx::query_as(
        "SELECT p.key, p.name, p.github, p.twitter, p.links_json FROM project_collaborators c \
         JOIN people p ON p.id = c.person_id WHERE c.project_id = $1 ORDER BY c.position, p.name",
    )
    .bind(project_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(summary).collect()
}

pub async fn count(db: &Db) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM people")
        .fetch_one(db.pool())
        .await?)
}

#[derive(sqlx::FromRow)]
struct StoredRow {
    key: String,
    name: String,
    github: Option<String>,
    twitter: Option<String>,
    links_json: String,
}

/// Creates or updates many people at once (an import): one query reads what is stored,
/// new people go in with multi-row inserts. Returns every person's id by key.
pub async fn upsert_many(
    conn: &mut Connection,
    people: &[Person],
) -> Result<(std::collections::HashMap<String, i64>, crate::Tally), DbError> {
    use std::collections::HashMap;
    let stored: Vec<StoredRow> =
        sqlx::query_as("SELECT key, name, github, twitter, links_json FROM people")
            .fetch_all(&mut *conn)
            .await?;
    let stored: HashMap<&str, &StoredRow> = stored.iter().map(|r| (r.key.as_str(), r)).collect();
    let mut tally = crate::Tally::default();
    let now = now();
    let mut fresh = Vec::new();
    let mut links_json = Vec::with_capacity(people.len());
    for person in people {
        links_json.push(serde_json::to_string(&person.links)?);
    }
    for (person, links) in people.iter().zip(&links_json) {
        match stored.get(person.key.as_str()) {
            Some(r)
                if r.name == person.name
                    && r.github == person.github
                    && r.twitter == person.twitter
                    && r.links_json == *links =>
            {
                tally.add(Change::Unchanged);
            }
            Some(_) => {
                upsert(conn, person).await?;
                tally.add(Change::Updated);
            }
            None => {
                fresh.push(vec![
                    Val::Text(&person.key),
                    Val::Text(&person.name),
                    Val::OptText(person.github.as_deref()),
                    Val::OptText(person.twitter.as_deref()),
                    Val::Text(links),
                    Val::Text(&now),
                    Val::Text(&now),
                ]);
                tally.add(Change::Created);
            }
        }
    }
    batch::insert(
        conn,
        "people (key, name, github, twitter, links_json, created_at, updated_at)",
        "",
        &fresh,
    )
    .await?;
    let ids: Vec<(String, i64)> = sqlx::query_as("SELECT key, id FROM people")
        .fetch_all(&mut *conn)
        .await?;
    Ok((ids.into_iter().collect(), tally))
}

/// An ordered list of people attached to a record (a post's authors, a project's
/// collaborators): the statements that read, clear and fill it.
pub(crate) struct OrderedPeople {
    select: &'static str,
    delete: &'static str,
    head: &'static str,
}

pub(crate) const POST_AUTHORS: OrderedPeople = OrderedPeople {
    select: "SELECT person_id FROM post_authors WHERE post_id = $1 ORDER BY position",
    delete: "DELETE FROM post_authors WHERE post_id = $1",
    head: "post_authors (post_id, person_id, position)",
};

pub(crate) const PROJECT_COLLABORATORS: OrderedPeople = OrderedPeople {
    select: "SELECT person_id FROM project_collaborators WHERE project_id = $1 ORDER BY position",
    delete: "DELETE FROM project_collaborators WHERE project_id = $1",
    head: "project_collaborators (project_id, person_id, position)",
};

/// Makes `list` of `owner` exactly `people`, in order; returns whether anything changed.
pub(crate) async fn set_ordered(
    conn: &mut Connection,
    list: &OrderedPeople,
    owner: i64,
    people: &[i64],
) -> Result<bool, DbError> {
    let current: Vec<i64> = sqlx::query_scalar(list.select)
        .bind(owner)
        .fetch_all(&mut *conn)
        .await?;
    if current == people {
        return Ok(false);
    }
    sqlx::query(list.delete)
        .bind(owner)
        .execute(&mut *conn)
        .await?;
    let rows: Vec<_> = people
        .iter()
        .enumerate()
        .map(|(position, person)| {
            vec![
                Val::Int(owner),
                Val::Int(*person),
                Val::Int(position as i64),
            ]
        })
        .collect();
    batch::insert(conn, list.head, "ON CONFLICT DO NOTHING", &rows).await?;
    Ok(true)
}

/// The person with this name's key, created when there is none yet; returns the id.
pub async fn find_or_create(conn: &mut Connection, name: &str) -> Result<i64, DbError> {
    let key = codefor_domain::people::person_key(name);
    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM people WHERE key = $1")
        .bind(&key)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let now = now();
    Ok(sqlx::query_scalar(
        "INSERT INTO people (key, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
    )
    .bind(&key)
    .bind(name)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?)
}

/// A person's id and name by key.
pub async fn by_key(db: &Db, key: &str) -> Result<Option<(i64, String)>, DbError> {
    Ok(sqlx::query_as("SELECT id, name FROM people WHERE key = $1")
        .bind(key)
        .fetch_optional(db.pool())
        .await?)
}

/// A person's key and name by id.
pub async fn by_id(db: &Db, id: i64) -> Result<Option<(String, String)>, DbError> {
    Ok(sqlx::query_as("SELECT key, name FROM people WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}
