//! A lab: a local group of the network (an "OK Lab").

use serde::{Deserialize, Serialize};

use crate::Link;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Lab {
    /// URL slug: the lab lives at `/<slug>/`.
    pub slug: String,
    pub name: String,
    pub city: String,
    /// Official key of the federal state (`"11"` for Berlin), when known.
    pub state_key: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Markdown as written.
    pub body_md: String,
    /// Sanitized HTML rendered from `body_md`.
    pub body_html: String,
    pub active: bool,
    /// Hidden labs are kept but not listed (codefor.de's `hide: true`).
    pub hidden: bool,
    /// Meeting info as free text (`schedule`), when given.
    pub meeting: Option<String>,
    pub links: Vec<Link>,
    /// Contact links that are not people (for example a lab's shared mailbox).
    pub contacts: Vec<Link>,
    /// Calendar and news feeds the lab publishes elsewhere.
    pub feeds: Vec<Link>,
    /// The front matter as read, lossless, for export and for keys we do not model yet.
    pub source: serde_json::Value,
}
