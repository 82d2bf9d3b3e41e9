-- Tokens minted while a support agent acts for a customer at a brand
-- (docs/design/admin.md "Signing in at brands for the customer"): the code and the grant
-- name the support access they rest on, so they die with it.
ALTER TABLE authorization_codes ADD COLUMN support_access_id TEXT;
ALTER TABLE oauth_grants ADD COLUMN support_access_id TEXT;
CREATE INDEX oauth_grants_support_access ON oauth_grants (support_access_id);
