//! A blog post ("story").

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Post {
    /// URL slug: the post lives at `/blog/<slug>/`.
    pub slug: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Author as written (a name or several).
    pub author: Option<String>,
    pub summary: Option<String>,
    pub body_md: String,
    pub body_html: String,
    /// Slugs of labs the post is about.
    pub labs: Vec<String>,
    pub topics: Vec<String>,
    /// Media path of the lead picture, when any.
    pub image: Option<String>,
    pub draft: bool,
    pub lang: String,
    pub source: serde_json::Value,
}
