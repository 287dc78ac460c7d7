//! Who may do what: every permission rule of the platform, in one place.
//!
//! The web layer turns a request into a [`Viewer`] (who asks) and an [`Action`] (what
//! they want) and asks [`allows`]. Nothing else decides; the test matrix below and the
//! HTTP tests check every role against every action.

use serde::Serialize;

/// Database id of a lab.
pub type LabId = i64;

/// The roles the platform knows, from least to most trusted. A viewer may hold several
/// (a lead of one lab is a member of another); [`Viewer`] carries all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Role {
    Anonymous,
    SignedIn,
    LabMember,
    LabLead,
    Admin,
}

/// The person asking, with the roles that matter for permissions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Viewer {
    /// The signed-in account, `None` for anonymous visitors.
    pub account_id: Option<i64>,
    pub admin: bool,
    /// Labs this person leads.
    pub leads: Vec<LabId>,
    /// Labs this person is an (active) member of, leads not repeated.
    pub member_of: Vec<LabId>,
}

impl Viewer {
    pub fn anonymous() -> Viewer {
        Viewer::default()
    }

    pub fn is_signed_in(&self) -> bool {
        self.account_id.is_some()
    }

    pub fn leads(&self, lab: LabId) -> bool {
        self.leads.contains(&lab)
    }

    /// The most trusted role this viewer holds anywhere (for display).
    pub fn highest_role(&self) -> Role {
        if self.admin {
            Role::Admin
        } else if !self.leads.is_empty() {
            Role::LabLead
        } else if !self.member_of.is_empty() {
            Role::LabMember
        } else if self.is_signed_in() {
            Role::SignedIn
        } else {
            Role::Anonymous
        }
    }
}

/// Something a viewer wants to do. Records are named by the labs they belong to, which
/// is what the rules depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Read public pages and data.
    ViewPublic,
    /// See and change one's own account, export or delete it.
    ManageOwnAccount,
    /// Edit a lab's page (description, meeting info, links, leads).
    EditLab { lab: LabId },
    /// Edit a project belonging to these labs.
    EditProject { labs: Vec<LabId> },
    /// Edit a post belonging to these labs.
    EditPost { labs: Vec<LabId> },
    /// Edit a page such as About or Imprint.
    EditPage,
    /// Create a new lab.
    CreateLab,
    /// Create a project or post for a lab.
    CreateInLab { lab: LabId },
    /// Delete a record, or bring a deleted one back.
    Delete,
    /// Grant or withdraw admin rights, link accounts to people.
    ManageRoles,
    /// Read the audit log.
    ViewAuditLog,
    /// Upload pictures (for the records one edits).
    Upload,
    /// Ask to join a lab, or leave it.
    JoinLab,
    /// See and answer a lab's join requests, appoint co-leads.
    ManageMembers { lab: LabId },
    /// Create or change meetups of these labs (and their external calendars); a
    /// meetup shared by several labs needs a lead of every one of them.
    ManageMeetups { labs: Vec<LabId> },
    /// Answer whether one comes to a meetup.
    Rsvp,
    /// Offer to help a project, register an organization (one becomes its first staff
    /// member).
    OfferHelp,
    /// Record that an organization uses a project of these labs, or remove the record:
    /// the project's leads, or `staff` of that organization.
    RecordUse { labs: Vec<LabId>, staff: bool },
    /// Confirm that an organization is what it says, and add staff to it.
    VerifyOrganization,
    /// Take part in the dialog on needs: bring a need, support it, comment, follow,
    /// report a need or comment.
    Participate,
    /// Change the text of a need (its author; admins).
    EditNeed { author: bool },
    /// Edit a comment (its author, within the edit window the use-case checks).
    EditComment { author: bool },
    /// Take a need up for this lab (its leads).
    AdoptNeed { lab: LabId },
    /// Move a need along its workflow and link projects to it: the leads of the lab
    /// that adopted it; admins for any need.
    ChangeNeedStatus { adopted_by: Option<LabId> },
    /// Hide and restore a need or its comments, lock its thread, see its reports: the
    /// leads of the lab that adopted it; admins for every need and the whole queue.
    ModerateNeed { adopted_by: Option<LabId> },
}

impl Action {
    /// Every kind of action, with the labs filled in from `own` (a lab the viewer may
    /// hold a role in) — used by the permission matrix in tests and docs.
    pub fn all_for(own: LabId) -> Vec<Action> {
        vec![
            Action::ViewPublic,
            Action::ManageOwnAccount,
            Action::EditLab { lab: own },
            Action::EditProject { labs: vec![own] },
            Action::EditPost { labs: vec![own] },
            Action::EditPage,
            Action::CreateLab,
            Action::CreateInLab { lab: own },
            Action::Delete,
            Action::ManageRoles,
            Action::ViewAuditLog,
            Action::Upload,
            Action::JoinLab,
            Action::ManageMembers { lab: own },
            Action::ManageMeetups { labs: vec![own] },
            Action::Rsvp,
            Action::OfferHelp,
            Action::RecordUse {
                labs: vec![own],
                staff: false,
            },
            Action::RecordUse {
                labs: vec![],
                staff: true,
            },
            Action::VerifyOrganization,
            Action::Participate,
            Action::EditNeed { author: true },
            Action::EditNeed { author: false },
            Action::EditComment { author: true },
            Action::EditComment { author: false },
            Action::AdoptNeed { lab: own },
            Action::ChangeNeedStatus {
                adopted_by: Some(own),
            },
            Action::ChangeNeedStatus { adopted_by: None },
            Action::ModerateNeed {
                adopted_by: Some(own),
            },
            Action::ModerateNeed { adopted_by: None },
        ]
    }
}

/// The rule book. Admins may do everything; leads edit their own labs and what belongs
/// to them; everyone signed in manages their own account; anyone reads.
pub fn allows(viewer: &Viewer, action: &Action) -> bool {
    if viewer.admin {
        return true;
    }
    match action {
        Action::ViewPublic => true,
        Action::ManageOwnAccount
        | Action::JoinLab
        | Action::Rsvp
        | Action::OfferHelp
        | Action::Participate => viewer.is_signed_in(),
        Action::EditNeed { author } | Action::EditComment { author } => {
            viewer.is_signed_in() && *author
        }
        Action::AdoptNeed { lab } => viewer.leads(*lab),
        Action::ChangeNeedStatus { adopted_by } | Action::ModerateNeed { adopted_by } => {
            adopted_by.is_some_and(|lab| viewer.leads(lab))
        }
        Action::RecordUse { labs, staff } => {
            viewer.is_signed_in() && (*staff || labs.iter().any(|lab| viewer.leads(*lab)))
        }
        // A network meetup of no lab, or of labs the viewer does not all lead: admins.
        Action::ManageMeetups { labs } => {
            !labs.is_empty() && labs.iter().all(|lab| viewer.leads(*lab))
        }
        Action::ManageMembers { lab } => viewer.leads(*lab),
        Action::EditLab { lab } | Action::CreateInLab { lab } => viewer.leads(*lab),
        // A record shared by several labs may be edited by a lead of any of them.
        Action::EditProject { labs } | Action::EditPost { labs } => {
            labs.iter().any(|lab| viewer.leads(*lab))
        }
        // Whoever edits something may add pictures to it.
        Action::Upload => !viewer.leads.is_empty(),
        Action::EditPage
        | Action::CreateLab
        | Action::Delete
        | Action::ManageRoles
        | Action::ViewAuditLog
        | Action::VerifyOrganization => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: LabId = 1;
    const B: LabId = 2;

    fn viewer(role: Role, lab: LabId) -> Viewer {
        let signed = Viewer {
            account_id: Some(7),
            ..Viewer::default()
        };
        match role {
            Role::Anonymous => Viewer::anonymous(),
            Role::SignedIn => signed,
            Role::LabMember => Viewer {
                member_of: vec![lab],
                ..signed
            },
            Role::LabLead => Viewer {
                leads: vec![lab],
                ..signed
            },
            Role::Admin => Viewer {
                admin: true,
                ..signed
            },
        }
    }

    /// Every role × every action, on the viewer's own lab A and on another lab B.
    #[test]
    fn permission_matrix() {
        use Role::*;
        // (action index in `Action::all_for`, roles allowed on their own lab A)
        let expected: [(&str, &[Role]); 30] = [
            (
                "view public",
                &[Anonymous, SignedIn, LabMember, LabLead, Admin],
            ),
            ("manage own account", &[SignedIn, LabMember, LabLead, Admin]),
            ("edit lab", &[LabLead, Admin]),
            ("edit project", &[LabLead, Admin]),
            ("edit post", &[LabLead, Admin]),
            ("edit page", &[Admin]),
            ("create lab", &[Admin]),
            ("create in lab", &[LabLead, Admin]),
            ("delete", &[Admin]),
            ("manage roles", &[Admin]),
            ("view audit log", &[Admin]),
            ("upload pictures", &[LabLead, Admin]),
            ("join a lab", &[SignedIn, LabMember, LabLead, Admin]),
            ("manage members", &[LabLead, Admin]),
            ("manage meetups", &[LabLead, Admin]),
            ("rsvp", &[SignedIn, LabMember, LabLead, Admin]),
            ("offer help", &[SignedIn, LabMember, LabLead, Admin]),
            ("record use as lead", &[LabLead, Admin]),
            (
                "record use as staff",
                &[SignedIn, LabMember, LabLead, Admin],
            ),
            ("verify organization", &[Admin]),
            ("participate", &[SignedIn, LabMember, LabLead, Admin]),
            ("edit own need", &[SignedIn, LabMember, LabLead, Admin]),
            ("edit another's need", &[Admin]),
            ("edit own comment", &[SignedIn, LabMember, LabLead, Admin]),
            ("edit another's comment", &[Admin]),
            ("adopt a need", &[LabLead, Admin]),
            (
                "change status of a need adopted by the lab",
                &[LabLead, Admin],
            ),
            ("change status of a need no lab adopted", &[Admin]),
            ("moderate a need adopted by the lab", &[LabLead, Admin]),
            ("moderate a need no lab adopted", &[Admin]),
        ];
        let roles = [Anonymous, SignedIn, LabMember, LabLead, Admin];
        for role in roles {
            // Holding the role in lab A …
            let v = viewer(role, A);
            for ((name, allowed), action) in expected.iter().zip(Action::all_for(A)) {
                assert_eq!(
                    allows(&v, &action),
                    allowed.contains(&role),
                    "{role:?} on own lab: {name}"
                );
            }
            // … gives nothing on lab B beyond what the role gives everywhere.
            let lab_bound = [2, 3, 4, 7, 13, 14, 17, 25, 26, 28];
            for (i, ((name, allowed), action)) in
                expected.iter().zip(Action::all_for(B)).enumerate()
            {
                let want = if lab_bound.contains(&i) {
                    role == Admin
                } else {
                    allowed.contains(&role)
                };
                assert_eq!(
                    allows(&v, &action),
                    want,
                    "{role:?} of lab A on lab B: {name}"
                );
            }
        }
    }

    #[test]
    fn shared_records_follow_any_of_their_labs() {
        let lead_of_b = viewer(Role::LabLead, B);
        assert!(allows(
            &lead_of_b,
            &Action::EditProject { labs: vec![A, B] }
        ));
        assert!(!allows(&lead_of_b, &Action::EditProject { labs: vec![A] }));
        // A project of no lab is the network's: admins only.
        assert!(!allows(&lead_of_b, &Action::EditProject { labs: vec![] }));
        // A meetup shared with another lab needs a lead of both.
        assert!(!allows(
            &lead_of_b,
            &Action::ManageMeetups { labs: vec![A, B] }
        ));
        assert!(!allows(&lead_of_b, &Action::ManageMeetups { labs: vec![] }));
    }

    #[test]
    fn highest_role() {
        assert_eq!(Viewer::anonymous().highest_role(), Role::Anonymous);
        assert_eq!(viewer(Role::LabLead, A).highest_role(), Role::LabLead);
        assert_eq!(viewer(Role::Admin, A).highest_role(), Role::Admin);
    }
}
