//! Use-cases: what people and operators do with the platform, each as one function that
//! decides what is all-or-nothing and calls storage inside one transaction.
//!
//! - [`import`]: read a codefor.de (Hugo) checkout, render it, write it in one go.
//! - [`demo`]: the small demo network seeded into an empty database.
//! - [`urls`]: where each kind of record lives on the site.

pub mod demo;
pub mod import;
pub mod urls;
