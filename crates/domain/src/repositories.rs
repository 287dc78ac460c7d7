//! Source repositories: recognising, among a project's links, the one that points at its
//! code on a forge (GitHub, GitLab, Codeberg, OpenCoDE), reduced to the repository itself.
//!
//! Links are written by hand over many years, so the same repository turns up as
//! `http://github.com/owner/name/`, `https://www.github.com/owner/name.git`,
//! `https://github.com/owner/name/tree/main/docs#readme` or `git@github.com:owner/name.git`;
//! all of them become `https://github.com/owner/name`. Pages that are not a repository
//! (a user or organisation, GitHub Pages, gists, an issue tracker) are not recognised.

use std::fmt;

/// Where a repository is hosted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Forge {
    /// github.com.
    GitHub,
    /// gitlab.com and self-hosted GitLab (hosts named `gitlab.…`).
    GitLab,
    /// codeberg.org (Forgejo).
    Codeberg,
    /// OpenCoDE, the public administration's GitLab at gitlab.opencode.de.
    OpenCoDE,
    /// Any other host, recognised only by a clone address ending in `.git`.
    Other,
}

impl Forge {
    /// The name shown beside a repository link.
    pub fn label(self) -> &'static str {
        match self {
            Self::GitHub => "GitHub",
            Self::GitLab => "GitLab",
            Self::Codeberg => "Codeberg",
            Self::OpenCoDE => "OpenCoDE",
            Self::Other => "Git",
        }
    }
}

impl fmt::Display for Forge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A repository as a link recognised by [`recognise`] names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Repository {
    pub forge: Forge,
    /// The repository's page: `https://github.com/owner/name`.
    pub web_url: String,
    /// What `git` fetches: `https://github.com/owner/name.git`.
    pub clone_url: String,
}

/// Recognises a link that points at a source repository on GitHub, GitLab (gitlab.com and
/// self-hosted hosts whose name starts with `gitlab.`), Codeberg or OpenCoDE
/// (gitlab.opencode.de), reduced to the repository itself:
/// `https://github.com/okfde/x/tree/main/docs` → `https://github.com/okfde/x`.
///
/// `None` for user and organisation pages (`https://github.com/okfde`), GitHub Pages,
/// gists, links into an issue tracker (issues, pull requests, wiki, project boards), links
/// with a user name or password, and anything else that is not a repository. On other
/// hosts a clone address ending in `.git` is recognised as [`Forge::Other`].
pub fn recognise(url: &str) -> Option<Repository> {
    let link = Link::parse(url)?;
    let (forge, path) = match link.host.as_str() {
        "github.com" if link.port.is_none() => (Forge::GitHub, github_path(&link.segments)?),
        // A file's raw content: `/owner/name/branch/path`.
        "raw.githubusercontent.com" if link.port.is_none() => {
            (Forge::GitHub, owner_name(&link.segments, &[], &[])?)
        }
        "codeberg.org" if link.port.is_none() => (
            Forge::Codeberg,
            owner_name(&link.segments, CODEBERG_RESERVED, CODEBERG_TRACKER)?,
        ),
        "gitlab.opencode.de" if link.port.is_none() => {
            (Forge::OpenCoDE, gitlab_path(&link.segments)?)
        }
        "gitlab.com" if link.port.is_none() => (Forge::GitLab, gitlab_path(&link.segments)?),
        host if is_self_hosted_gitlab(host) => (Forge::GitLab, gitlab_path(&link.segments)?),
        _ => (Forge::Other, other_path(&link.segments)?),
    };
    let host = match forge {
        Forge::GitHub => "github.com".to_owned(),
        _ => link.host,
    };
    let authority = match link.port {
        Some(port) => format!("{host}:{port}"),
        None => host,
    };
    let web_url = format!("https://{authority}/{path}");
    let clone_url = format!("{web_url}.git");
    Some(Repository {
        forge,
        web_url,
        clone_url,
    })
}

/// A link taken apart: lowercase host without `www.`, a port other than the scheme's
/// default, and the non-empty path segments (query and fragment dropped).
struct Link {
    host: String,
    port: Option<u16>,
    segments: Vec<String>,
}

impl Link {
    fn parse(url: &str) -> Option<Self> {
        let url = url.trim();
        let url = url.split(['?', '#']).next().unwrap_or_default();
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return None;
        }

        let (authority, path, default_port, git_user) = match url.split_once("://") {
            Some((scheme, rest)) => {
                let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
                match scheme.to_ascii_lowercase().as_str() {
                    "https" => (authority, path, Some(443), false),
                    "http" => (authority, path, Some(80), false),
                    // A clone address over SSH names the same repository; any port is SSH's.
                    "ssh" | "git+ssh" => (authority, path, None, true),
                    _ => return None,
                }
            }
            None => match url.split_once(':') {
                // scp-like SSH address: `git@github.com:owner/name.git`.
                Some((authority, path)) if authority.contains('@') && !path.starts_with('/') => {
                    (authority, path, None, true)
                }
                // Without a scheme: `github.com/owner/name`.
                _ => {
                    let (authority, path) = url.split_once('/')?;
                    if !KNOWN_HOSTS.contains(&authority.to_ascii_lowercase().as_str()) {
                        return None;
                    }
                    (authority, path, Some(443), false)
                }
            },
        };

        let host_port = match authority.rsplit_once('@') {
            // Only SSH's conventional user `git`; never a name or password in a web link.
            Some(("git", host_port)) if git_user => host_port,
            Some(_) => return None,
            None => authority,
        };
        let (host, port) = match host_port.rsplit_once(':') {
            Some((host, port)) => {
                let port: u16 = port.parse().ok()?;
                (host, Some(port))
            }
            None => (host_port, None),
        };
        let port = match (default_port, port) {
            (Some(default), Some(port)) if port != default => Some(port),
            _ => None,
        };

        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let host = host.strip_prefix("www.").map_or(host.as_str(), |rest| rest);
        if !is_domain(host) {
            return None;
        }
        let segments = path
            .split('/')
            .filter(|segment| !segment.is_empty())
            .map(str::to_owned)
            .collect();
        Some(Self {
            host: host.to_owned(),
            port,
            segments,
        })
    }
}

/// Hosts recognised in links written without `https://`.
const KNOWN_HOSTS: &[&str] = &[
    "github.com",
    "www.github.com",
    "gitlab.com",
    "www.gitlab.com",
    "codeberg.org",
    "gitlab.opencode.de",
];

/// First path segments on github.com that are pages of GitHub itself, not an owner.
const GITHUB_RESERVED: &[&str] = &[
    "about",
    "account",
    "apps",
    "blog",
    "codespaces",
    "collections",
    "contact",
    "copilot",
    "customer-stories",
    "dashboard",
    "discussions",
    "education",
    "enterprise",
    "enterprises",
    "events",
    "explore",
    "features",
    "issues",
    "join",
    "login",
    "logout",
    "marketplace",
    "new",
    "nonprofit",
    "notifications",
    "organizations",
    "orgs",
    "pricing",
    "pulls",
    "readme",
    "search",
    "security",
    "sessions",
    "settings",
    "signup",
    "site",
    "solutions",
    "sponsors",
    "stars",
    "team",
    "topics",
    "trending",
    "users",
    "watching",
];

/// Parts of a GitHub repository's site that show its issue tracker, not its code.
const GITHUB_TRACKER: &[&str] = &[
    "discussions",
    "issues",
    "labels",
    "milestone",
    "milestones",
    "projects",
    "pull",
    "pulls",
    "wiki",
];

const CODEBERG_RESERVED: &[&str] = &[
    "-",
    "admin",
    "api",
    "assets",
    "attachments",
    "avatars",
    "explore",
    "issues",
    "login",
    "milestones",
    "notifications",
    "org",
    "pulls",
    "repo",
    "user",
];

const CODEBERG_TRACKER: &[&str] = &[
    "issues",
    "labels",
    "milestones",
    "projects",
    "pulls",
    "wiki",
];

/// First path segments on a GitLab host that are GitLab's own pages.
const GITLAB_RESERVED: &[&str] = &[
    "-",
    "admin",
    "api",
    "dashboard",
    "explore",
    "groups",
    "help",
    "profile",
    "projects",
    "search",
    "snippets",
    "users",
];

/// Parts of a GitLab project's site (after `/-/`) that show its tracker, not its code.
const GITLAB_TRACKER: &[&str] = &[
    "boards",
    "issues",
    "labels",
    "merge_requests",
    "milestones",
    "requirements_management",
    "wikis",
];

/// Routes that older GitLab links carry without the `/-/` separator; the project path
/// ends before them.
const GITLAB_LEGACY_ROUTES: &[&str] = &[
    "blob",
    "commit",
    "commits",
    "issues",
    "merge_requests",
    "raw",
    "tags",
    "tree",
    "wikis",
];

fn github_path(segments: &[String]) -> Option<String> {
    let path = owner_name(segments, GITHUB_RESERVED, GITHUB_TRACKER)?;
    // GitHub user names are letters, digits and dashes.
    let owner = segments.first()?;
    owner
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        .then_some(path)
}

/// `owner/name` from the first two segments, unless the owner is one of the site's own
/// pages or the rest of the link points into the tracker.
fn owner_name(segments: &[String], reserved: &[&str], tracker: &[&str]) -> Option<String> {
    let [owner, name, rest @ ..] = segments else {
        return None;
    };
    if reserved.contains(&owner.to_ascii_lowercase().as_str()) {
        return None;
    }
    if rest
        .first()
        .is_some_and(|part| tracker.contains(&part.as_str()))
    {
        return None;
    }
    let name = strip_git(name);
    (is_name(owner) && is_name(name)).then(|| format!("{owner}/{name}"))
}

/// A GitLab project path: groups and subgroups up to the project, which ends at `/-/` or,
/// in older links, before a route such as `tree` or `blob`.
fn gitlab_path(segments: &[String]) -> Option<String> {
    let first = segments.first()?;
    if GITLAB_RESERVED.contains(&first.to_ascii_lowercase().as_str()) {
        return None;
    }
    let end = match segments.iter().position(|segment| segment == "-") {
        Some(dash) => {
            if segments
                .get(dash + 1)
                .is_some_and(|part| GITLAB_TRACKER.contains(&part.as_str()))
            {
                return None;
            }
            dash
        }
        None => segments
            .iter()
            .enumerate()
            .skip(2)
            .find(|(_, segment)| GITLAB_LEGACY_ROUTES.contains(&segment.as_str()))
            .map_or(segments.len(), |(index, _)| index),
    };
    let project = segments.get(..end)?;
    if project.len() < 2 {
        return None;
    }
    if segments
        .get(end)
        .is_some_and(|route| matches!(route.as_str(), "issues" | "merge_requests" | "wikis"))
    {
        return None;
    }
    let (last, groups) = project.split_last()?;
    let last = strip_git(last);
    let valid = groups.iter().all(|group| is_gitlab_name(group)) && is_gitlab_name(last);
    valid.then(|| {
        let mut path = groups.join("/");
        path.push('/');
        path.push_str(last);
        path
    })
}

/// Any other host: only an address whose last segment ends in `.git`.
fn other_path(segments: &[String]) -> Option<String> {
    let (last, dirs) = segments.split_last()?;
    let name = last.strip_suffix(".git")?;
    let valid = dirs.iter().all(|dir| is_name(dir)) && is_name(name);
    valid.then(|| {
        let mut path = dirs.join("/");
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(name);
        path
    })
}

fn is_self_hosted_gitlab(host: &str) -> bool {
    // `gitlab.io` serves GitLab Pages; a GitLab host has a name below a domain.
    host.starts_with("gitlab.") && host.split('.').count() >= 3
}

fn strip_git(name: &str) -> &str {
    name.strip_suffix(".git").unwrap_or(name)
}

/// A repository or owner name as the forges allow them: letters, digits, `.`, `_`, `-`.
fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// GitLab paths also must not start with `-` (that is its route separator).
fn is_gitlab_name(name: &str) -> bool {
    is_name(name) && !name.starts_with('-')
}

/// A host name with at least two labels whose last one is not a number (so no IPv4
/// address).
fn is_domain(host: &str) -> bool {
    host.contains('.')
        && host
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.bytes().any(|b| b.is_ascii_alphabetic()))
        && host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn web(url: &str) -> Option<String> {
        recognise(url).map(|repo| repo.web_url)
    }

    #[track_caller]
    fn same(url: &str, expected: &str) {
        assert_eq!(web(url).as_deref(), Some(expected), "{url}");
    }

    #[track_caller]
    fn none(url: &str) {
        assert_eq!(recognise(url), None, "{url}");
    }

    #[test]
    fn github_links_in_every_shape() {
        let repo = "https://github.com/oklab-musterstadt/baumkataster";
        for url in [
            "https://github.com/oklab-musterstadt/baumkataster",
            "https://github.com/oklab-musterstadt/baumkataster/",
            "http://github.com/oklab-musterstadt/baumkataster",
            "http://github.com/oklab-musterstadt/baumkataster/",
            "https://www.github.com/oklab-musterstadt/baumkataster",
            "HTTPS://GitHub.COM/oklab-musterstadt/baumkataster",
            "https://github.com./oklab-musterstadt/baumkataster",
            "https://github.com:443/oklab-musterstadt/baumkataster",
            "https://github.com/oklab-musterstadt/baumkataster.git",
            "https://github.com/oklab-musterstadt/baumkataster.git/",
            "https://github.com//oklab-musterstadt/baumkataster//",
            "  https://github.com/oklab-musterstadt/baumkataster  ",
            "https://github.com/oklab-musterstadt/baumkataster#readme",
            "https://github.com/oklab-musterstadt/baumkataster?tab=readme-ov-file",
            "https://github.com/oklab-musterstadt/baumkataster?tab=readme-ov-file#mitmachen",
            "https://github.com/oklab-musterstadt/baumkataster/tree/main/docs",
            "https://github.com/oklab-musterstadt/baumkataster/tree/master/tools/Generator",
            "https://github.com/oklab-musterstadt/baumkataster/blob/master/README.md",
            "https://github.com/oklab-musterstadt/baumkataster/blob/master/docs/vortrag.pdf",
            "https://github.com/oklab-musterstadt/baumkataster/graphs/contributors",
            "https://github.com/oklab-musterstadt/baumkataster/actions",
            "https://github.com/oklab-musterstadt/baumkataster/releases/tag/v1.0",
            "https://github.com/oklab-musterstadt/baumkataster/commits/main",
            "https://raw.githubusercontent.com/oklab-musterstadt/baumkataster/master/data/baeume.json",
            "github.com/oklab-musterstadt/baumkataster",
            "www.github.com/oklab-musterstadt/baumkataster",
            "git@github.com:oklab-musterstadt/baumkataster.git",
            "ssh://git@github.com/oklab-musterstadt/baumkataster.git",
            "ssh://git@github.com:22/oklab-musterstadt/baumkataster.git",
        ] {
            same(url, repo);
        }
        let found = recognise("http://github.com/oklab-musterstadt/baumkataster/").unwrap();
        assert_eq!(found.forge, Forge::GitHub);
        assert_eq!(found.clone_url, format!("{repo}.git"));
    }

    #[test]
    fn names_keep_their_dots_underscores_and_case() {
        same(
            "https://github.com/Muster-Lab/Wo_ist.Markt.github.io/blob/master/package.json",
            "https://github.com/Muster-Lab/Wo_ist.Markt.github.io",
        );
        same(
            "https://github.com/OKLab/kiez-karte",
            "https://github.com/OKLab/kiez-karte",
        );
    }

    #[test]
    fn github_pages_that_are_no_repository() {
        for url in [
            // Users and organisations.
            "https://github.com/oklab-musterstadt",
            "https://github.com/oklab-musterstadt/",
            "http://github.com/oklab-musterstadt",
            "https://github.com/orgs/oklab-musterstadt/projects/2",
            "https://github.com/orgs/oklab-musterstadt",
            "https://github.com/sponsors/oklab-musterstadt",
            "https://github.com/topics/open-data",
            "https://github.com/settings/profile",
            "https://github.com/",
            "https://github.com",
            // The tracker.
            "https://github.com/oklab-musterstadt/baumkataster/issues",
            "https://github.com/oklab-musterstadt/baumkataster/issues/57",
            "https://github.com/oklab-musterstadt/baumkataster/pulls",
            "https://github.com/oklab-musterstadt/baumkataster/pull/12/files",
            "https://github.com/oklab-musterstadt/baumkataster/projects/2",
            "https://github.com/oklab-musterstadt/baumkataster/wiki",
            "https://github.com/oklab-musterstadt/baumkataster/discussions/3",
            // GitHub Pages, gists, the API.
            "https://oklab-musterstadt.github.io/baumkataster/",
            "http://oklab-musterstadt.github.io/baumkataster",
            "https://oklab-musterstadt.github.io/",
            "https://oklab-musterstadt.github.io/baumkataster/#/karte",
            "https://gist.github.com/musterfrau",
            "https://gist.github.com/musterfrau/0123456789abcdef",
            "https://api.github.com/repos/oklab-musterstadt/baumkataster",
            // Credentials, other schemes, odd characters.
            "https://user:secret@github.com/oklab-musterstadt/baumkataster",
            "https://token@github.com/oklab-musterstadt/baumkataster",
            "ftp://github.com/oklab-musterstadt/baumkataster",
            "file:///srv/baumkataster.git",
            "https://github.com/oklab-musterstadt/baum kataster",
            "https://github.com/oklab-musterstadt/baumkataster</a",
            "https://github.com/oklab-musterstadt/%2e%2e",
            "https://github.com/oklab-musterstadt/..",
            "https://github.com/oklab_musterstadt/baumkataster",
            "https://github.com:8443/oklab-musterstadt/baumkataster",
            "mailto:info@example.org",
            "",
            "github",
        ] {
            none(url);
        }
    }

    #[test]
    fn gitlab_projects_groups_and_subgroups() {
        same(
            "https://gitlab.com/musterfrau/klimadashboard",
            "https://gitlab.com/musterfrau/klimadashboard",
        );
        same(
            "https://gitlab.com/musterfrau/klimadashboard/",
            "https://gitlab.com/musterfrau/klimadashboard",
        );
        same(
            "http://www.gitlab.com/musterfrau/klimadashboard.git",
            "https://gitlab.com/musterfrau/klimadashboard",
        );
        same(
            "https://gitlab.com/oklab/sensoren/feinstaub-karte",
            "https://gitlab.com/oklab/sensoren/feinstaub-karte",
        );
        same(
            "https://gitlab.com/oklab/sensoren/feinstaub-karte/-/tree/main/src",
            "https://gitlab.com/oklab/sensoren/feinstaub-karte",
        );
        same(
            "https://gitlab.com/oklab/sensoren/feinstaub-karte/-/blob/main/README.md?ref_type=heads",
            "https://gitlab.com/oklab/sensoren/feinstaub-karte",
        );
        same(
            "https://gitlab.com/oklab/feinstaub-karte/-/releases",
            "https://gitlab.com/oklab/feinstaub-karte",
        );
        // Older links without the `/-/` separator.
        same(
            "https://gitlab.com/oklab/feinstaub-karte/tree/master",
            "https://gitlab.com/oklab/feinstaub-karte",
        );
        same(
            "https://gitlab.com/oklab/sensoren/feinstaub-karte/blob/master/index.js",
            "https://gitlab.com/oklab/sensoren/feinstaub-karte",
        );
        same(
            "git@gitlab.com:oklab/sensoren/feinstaub-karte.git",
            "https://gitlab.com/oklab/sensoren/feinstaub-karte",
        );
        let found =
            recognise("https://gitlab.com/oklab/sensoren/feinstaub-karte/-/tree/main").unwrap();
        assert_eq!(found.forge, Forge::GitLab);
        assert_eq!(
            found.clone_url,
            "https://gitlab.com/oklab/sensoren/feinstaub-karte.git"
        );

        for url in [
            "https://gitlab.com/musterfrau",
            "https://gitlab.com/musterfrau/",
            "https://gitlab.com/groups/oklab",
            "https://gitlab.com/users/musterfrau/projects",
            "https://gitlab.com/explore/projects",
            "https://gitlab.com/-/snippets/123",
            "https://gitlab.com/oklab/feinstaub-karte/-/issues",
            "https://gitlab.com/oklab/feinstaub-karte/-/issues/4",
            "https://gitlab.com/oklab/feinstaub-karte/-/merge_requests/9",
            "https://gitlab.com/oklab/feinstaub-karte/-/wikis/home",
            "https://gitlab.com/oklab/feinstaub-karte/issues/4",
            "https://gitlab.com/oklab/-/tree/main",
            "https://oklab.gitlab.io/feinstaub-karte/",
            "https://gitlab.io/oklab/feinstaub-karte",
        ] {
            none(url);
        }
    }

    #[test]
    fn self_hosted_gitlab_and_opencode() {
        let found =
            recognise("https://gitlab.example.org/stadtverwaltung/ratsinfo/-/tree/main").unwrap();
        assert_eq!(found.forge, Forge::GitLab);
        assert_eq!(
            found.web_url,
            "https://gitlab.example.org/stadtverwaltung/ratsinfo"
        );
        same(
            "https://GitLab.Example.ORG:8443/team/sub/ratsinfo.git",
            "https://gitlab.example.org:8443/team/sub/ratsinfo",
        );

        let found = recognise("https://gitlab.opencode.de/musterbehoerde/fachverfahren").unwrap();
        assert_eq!(found.forge, Forge::OpenCoDE);
        assert_eq!(found.forge.label(), "OpenCoDE");
        assert_eq!(
            found.clone_url,
            "https://gitlab.opencode.de/musterbehoerde/fachverfahren.git"
        );
        same(
            "https://gitlab.opencode.de/musterbehoerde/digitalisierung/fachverfahren/-/blob/main/publiccode.yml",
            "https://gitlab.opencode.de/musterbehoerde/digitalisierung/fachverfahren",
        );
        none("https://gitlab.opencode.de/musterbehoerde");
        none("https://opencode.de/de/software/fachverfahren");
        none("https://gitlabs.example.org/team/ratsinfo");
    }

    #[test]
    fn codeberg_repositories() {
        let found =
            recognise("https://codeberg.org/musterfrau/radwege/src/branch/main/README.md").unwrap();
        assert_eq!(found.forge, Forge::Codeberg);
        assert_eq!(found.web_url, "https://codeberg.org/musterfrau/radwege");
        assert_eq!(
            found.clone_url,
            "https://codeberg.org/musterfrau/radwege.git"
        );
        same(
            "http://codeberg.org/musterfrau/radwege.git",
            "https://codeberg.org/musterfrau/radwege",
        );
        none("https://codeberg.org/musterfrau");
        none("https://codeberg.org/musterfrau/radwege/issues/3");
        none("https://codeberg.org/explore/repos");
        none("https://musterfrau.codeberg.page/radwege/");
    }

    #[test]
    fn other_hosts_only_with_a_clone_address() {
        let found = recognise("https://git.example.org/oklab/sensoren.git").unwrap();
        assert_eq!(found.forge, Forge::Other);
        assert_eq!(found.forge.label(), "Git");
        assert_eq!(found.web_url, "https://git.example.org/oklab/sensoren");
        assert_eq!(
            found.clone_url,
            "https://git.example.org/oklab/sensoren.git"
        );
        none("https://git.example.org/oklab/sensoren");
        none("https://example.org/");
        none("https://oklab.example.org/projekte/sensoren");
        none("https://127.0.0.1/oklab/sensoren.git");
        none("https://[::1]/oklab/sensoren.git");
    }

    #[test]
    fn labels() {
        assert_eq!(Forge::GitHub.label(), "GitHub");
        assert_eq!(Forge::GitLab.label(), "GitLab");
        assert_eq!(Forge::Codeberg.to_string(), "Codeberg");
    }
}
