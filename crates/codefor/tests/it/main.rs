//! Integration suite: real HTTP against the running router, a real database (SQLite by
//! default, PostgreSQL when CODEFOR_TEST_DATABASE_URL says so), the real binary.
//!
//! One test binary with modules, so the app links once.

// In tests a panic is a failed assertion with a message: that is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod adoption;
mod api;
mod calendar_sync;
mod catalog;
mod cli;
mod crawl;
mod datasets;
mod import;
mod link_health;
mod map;
mod meetups;
mod metadata;
mod moderation;
mod need_comments;
mod needs;
mod notifications;
mod open_data;
mod publiccode;
mod site;
mod smtp;
mod support;
