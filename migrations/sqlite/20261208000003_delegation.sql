-- Delegated sign-in at a brand (docs/design/household.md "Tokens"): the choice the
-- consent screen's chooser recorded on a pending request: 'self', or the id of the
-- delegation the signed-in delegate acts under. NULL: not chosen yet.
ALTER TABLE oauth_requests ADD COLUMN act_choice TEXT;
