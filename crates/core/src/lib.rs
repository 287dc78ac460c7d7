//! Use-cases: what people and operators do with the platform, each as one function that
//! decides what is all-or-nothing and calls storage inside one transaction.
//!
//! - [`import`]: read a codefor.de (Hugo) checkout, render it, write it in one go.
//! - [`demo`]: the small demo network seeded into an empty database.
//! - [`urls`]: where each kind of record lives on the site.
//! - [`accounts`]: registration, sign-in, sessions, reset, export and deletion.
//! - [`admin`]: admins and roles, also for the command line.
//! - [`editing`]: editing any record with revisions, diffs and restore; [`labs`],
//!   [`projects`], [`posts`] and [`pages`] say what each kind's form holds.
//! - [`forms`], [`secrets`], [`mail`]: field errors, tokens and passwords, e-mail.
//! - [`publiccode`]: publiccode.yml (standard 0.5) read, checked and written.
//! - [`repositories`]: one file (a `publiccode.yml`) read from a project's git repository,
//!   shallow, bounded and safe against requests into the own network.
//! - [`organizations`]: organizations (administrations) and the projects they use.
//! - [`help_wanted`]: roles projects look for, offers to help, "Wo kann ich helfen?",
//!   reminders for projects without a sign of life.

pub mod accounts;
pub mod admin;
pub mod calendars;
pub mod datasets;
pub mod dcat;
pub mod demo;
pub mod dump;
pub mod editing;
pub mod forms;
pub mod help_wanted;
pub mod import;
pub mod labs;
pub mod link_health;
pub mod mail;
pub mod meetups;
pub mod memberships;
pub mod moderation;
pub mod need_comments;
pub mod needs;
pub mod notifications;
pub mod open_data;
pub mod organizations;
pub mod pages;
pub mod participation;
pub mod posts;
pub mod profiles;
pub mod projects;
pub mod proposals;
pub mod publiccode;
pub mod repositories;
pub mod secrets;
pub mod uploads;
pub mod urls;
