-- Participation, after review: the comment a notification is about (so hiding the
-- comment hides its notifications), indexes for every foreign key whose parent is
-- deleted or searched (drafts thrown away, accounts deleted), and partial indexes for
-- the moderation queue and the header's unread count.

ALTER TABLE notifications ADD COLUMN comment_id INTEGER
    REFERENCES need_comments (id) ON DELETE CASCADE;
CREATE INDEX notifications_comment ON notifications (comment_id);
CREATE INDEX notifications_need ON notifications (need_id);
CREATE INDEX notifications_unread ON notifications (account_id) WHERE read_at IS NULL;

CREATE INDEX needs_merged_into ON needs (merged_into);
CREATE INDEX needs_contact ON needs (contact_id);
CREATE INDEX needs_organization ON needs (organization_id);
CREATE INDEX needs_held ON needs (id) WHERE held = 1;
CREATE INDEX need_events_actor ON need_events (actor_id);
CREATE INDEX need_versions_account ON need_versions (account_id);
CREATE INDEX need_comments_parent ON need_comments (parent_id);
CREATE INDEX need_comments_held ON need_comments (need_id) WHERE held = 1;
CREATE INDEX reports_need ON reports (need_id);
CREATE INDEX reports_comment ON reports (comment_id);
CREATE INDEX reports_reporter ON reports (reporter_id);
CREATE INDEX reports_resolved_by ON reports (resolved_by);
