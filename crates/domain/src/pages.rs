//! A page: About, Imprint, Principles, section indexes and archive pages.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Page {
    /// The page's path without slashes around it, e.g. `impressum`, `community`,
    /// `archiv/launch`. The home page is the empty path.
    pub path: String,
    pub title: String,
    pub description: Option<String>,
    pub body_md: String,
    pub body_html: String,
    pub draft: bool,
    pub source: serde_json::Value,
}
