//! The content pipeline: everything between a Markdown file on disk and sanitized HTML,
//! without a database.
//!
//! - [`frontmatter`]: split YAML (`---`) or TOML (`+++`) front matter from the body.
//! - [`shortcodes`]: Hugo shortcodes → semantic HTML or live components.
//! - [`links`]: check, repair and resolve links against the site's known paths.
//! - [`markdown`]: CommonMark/GFM → sanitized HTML with heading anchors.
//! - [`hugo`]: read a whole codefor.de checkout into domain records plus a report.
//! - [`report`]: the warnings and fatal errors every step reports (file, line, field).

pub mod frontmatter;
pub mod hugo;
pub mod links;
pub mod markdown;
pub mod report;
pub mod shortcodes;
