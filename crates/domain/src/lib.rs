//! The network's domain: what a lab, a person, a project, a post and a page are.
//!
//! Pure data and rules, no I/O. Every other crate speaks these types; the area names
//! (`labs`, `people`, `projects`, `posts`, `pages`, `redirects`, `media`) repeat in
//! storage, use-cases, web routes and tests.

pub mod datasets;
pub mod labs;
pub mod licenses;
pub mod links;
pub mod media;
pub mod needs;
pub mod organizations;
pub mod pages;
pub mod people;
pub mod permissions;
pub mod posts;
pub mod profiles;
pub mod projects;
pub mod redirects;
pub mod repositories;
pub mod slug;
pub mod states;

pub use labs::Lab;
pub use links::Link;
pub use media::MediaFile;
pub use pages::Page;
pub use people::{Person, PersonRef};
pub use posts::Post;
pub use projects::{DevelopmentStatus, Maintenance, Project, ProjectStatus};
pub use redirects::Redirect;
pub use states::FederalState;
