//! A need: what citizens, administrations or politicians lack, brought to the network,
//! discussed in the open, supported, adopted by a lab and answered by projects.
//!
//! Its status moves along a public workflow; every step is dated and carries a reason.
//! The topics of needs are the project catalog's themes, so a need and the projects
//! that answer it are found by the same words.

use serde::{Deserialize, Serialize};

/// Where a need stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Saved by its author, not public yet.
    Draft,
    /// Public, waiting for the network to take it up.
    Submitted,
    /// Being discussed: what exactly is missing, who could help.
    Discussion,
    /// A lab took it up (which lab and who is the contact).
    Adopted,
    /// Being worked on in one or more linked projects.
    InProgress,
    /// Answered (how).
    Solved,
    /// Not taken further (why).
    NotPursued,
    /// Merged into another need, which carries it on.
    Merged,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Draft,
        Status::Submitted,
        Status::Discussion,
        Status::Adopted,
        Status::InProgress,
        Status::Solved,
        Status::NotPursued,
        Status::Merged,
    ];

    /// The statuses a public list filters by (not drafts).
    pub const PUBLIC: [Status; 7] = [
        Status::Submitted,
        Status::Discussion,
        Status::Adopted,
        Status::InProgress,
        Status::Solved,
        Status::NotPursued,
        Status::Merged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Discussion => "discussion",
            Status::Adopted => "adopted",
            Status::InProgress => "in_progress",
            Status::Solved => "solved",
            Status::NotPursued => "not_pursued",
            Status::Merged => "merged",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The German word shown on pages.
    pub fn label_de(self) -> &'static str {
        match self {
            Status::Draft => "Entwurf",
            Status::Submitted => "Eingereicht",
            Status::Discussion => "In Diskussion",
            Status::Adopted => "Übernommen",
            Status::InProgress => "In Arbeit",
            Status::Solved => "Gelöst",
            Status::NotPursued => "Nicht weiterverfolgt",
            Status::Merged => "Zusammengeführt",
        }
    }

    /// What the reason of a step to this status should say (form hint).
    pub fn reason_hint_de(self) -> &'static str {
        match self {
            Status::Draft => "",
            Status::Submitted => "Was du dir vom Netzwerk erhoffst.",
            Status::Discussion => "Was zu klären ist, bevor ein Lab es übernehmen kann.",
            Status::Adopted => "Was das Lab vorhat und wie es weitergeht.",
            Status::InProgress => "Woran gearbeitet wird.",
            Status::Solved => "Wie das Bedürfnis gelöst wurde.",
            Status::NotPursued => "Warum es nicht weiterverfolgt wird.",
            Status::Merged => "Warum das andere Bedürfnis es weiterträgt.",
        }
    }

    /// Solved, not pursued or merged: the end of the workflow.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Solved | Status::NotPursued | Status::Merged)
    }

    /// Whether a lab has taken the need up (adopted or later, not ended otherwise).
    pub fn has_lab(self) -> bool {
        matches!(self, Status::Adopted | Status::InProgress | Status::Solved)
    }

    /// The steps the workflow allows from here. Only the author submits a draft; the
    /// rest is decided by moderators (see [`crate::permissions`]). A final status can
    /// be reopened into discussion (with a reason, like every step).
    pub fn next(self) -> &'static [Status] {
        match self {
            Status::Draft => &[Status::Submitted],
            Status::Submitted => &[
                Status::Discussion,
                Status::Adopted,
                Status::NotPursued,
                Status::Merged,
            ],
            Status::Discussion => &[Status::Adopted, Status::NotPursued, Status::Merged],
            Status::Adopted => &[
                Status::InProgress,
                Status::Solved,
                Status::NotPursued,
                Status::Merged,
            ],
            Status::InProgress => &[
                Status::Solved,
                Status::NotPursued,
                Status::Merged,
                Status::Adopted,
            ],
            Status::Solved | Status::NotPursued | Status::Merged => &[Status::Discussion],
        }
    }

    pub fn can_move_to(self, to: Status) -> bool {
        self.next().contains(&to)
    }
}

/// How the URL's `sortierung` orders a list of needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Sort {
    /// Newest submitted first.
    #[default]
    Newest,
    /// Most supports first.
    Support,
    /// Most recent activity (comment, support, status) first.
    Activity,
}

impl Sort {
    pub const ALL: [Sort; 3] = [Sort::Newest, Sort::Support, Sort::Activity];

    pub fn key(self) -> &'static str {
        match self {
            Sort::Newest => "neu",
            Sort::Support => "unterstuetzung",
            Sort::Activity => "aktiv",
        }
    }

    pub fn parse(s: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|v| v.key() == s)
    }

    pub fn label_de(self) -> &'static str {
        match self {
            Sort::Newest => "Neueste zuerst",
            Sort::Support => "Meiste Unterstützung",
            Sort::Activity => "Zuletzt aktiv",
        }
    }
}

/// How a person hears by e-mail of what happens on needs they follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailSetting {
    /// One mail per event.
    Immediate,
    /// At most one mail a day with everything new (the default).
    #[default]
    Daily,
    /// No mail; notifications stay in the platform.
    Off,
}

impl MailSetting {
    pub const ALL: [MailSetting; 3] =
        [MailSetting::Immediate, MailSetting::Daily, MailSetting::Off];

    pub fn as_str(self) -> &'static str {
        match self {
            MailSetting::Immediate => "immediate",
            MailSetting::Daily => "daily",
            MailSetting::Off => "off",
        }
    }

    pub fn parse(s: &str) -> Option<MailSetting> {
        MailSetting::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label_de(self) -> &'static str {
        match self {
            MailSetting::Immediate => "Sofort, eine E-Mail je Neuigkeit",
            MailSetting::Daily => "Einmal am Tag eine Zusammenfassung",
            MailSetting::Off => "Keine E-Mails, nur hier auf der Seite",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_and_the_workflow_only_moves_forward_or_reopens() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
            assert!(!s.next().contains(&Status::Draft), "{s:?}");
            assert!(!s.next().contains(&s), "{s:?}");
        }
        assert!(Status::Draft.can_move_to(Status::Submitted));
        assert!(!Status::Draft.can_move_to(Status::Solved));
        assert!(!Status::Submitted.can_move_to(Status::Solved));
        assert!(Status::Solved.can_move_to(Status::Discussion));
        assert!(Status::Merged.is_final() && !Status::Adopted.is_final());
    }
}
