//! People as content names them: leads, members, collaborators, authors.
//! (Accounts come later; a person here is a public name with public handles.)

use serde::{Deserialize, Serialize};

use crate::Link;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Person {
    /// Stable key derived from the name (see [`person_key`]).
    pub key: String,
    pub name: String,
    pub github: Option<String>,
    pub twitter: Option<String>,
    pub links: Vec<Link>,
}

/// A reference from a lab, project or post to a person, with the role they have there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonRef {
    pub key: String,
    pub role: Role,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Lead,
    Member,
    Collaborator,
    Author,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Lead => "lead",
            Role::Member => "member",
            Role::Collaborator => "collaborator",
            Role::Author => "author",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "lead" => Role::Lead,
            "member" => Role::Member,
            "collaborator" => Role::Collaborator,
            "author" => Role::Author,
            _ => return None,
        })
    }
}

/// The key under which one name is one person across all content: the slug of the
/// name (`Knut Hühne` and `knut huehne` are the same person).
pub fn person_key(name: &str) -> String {
    crate::slug::slugify(name)
}
