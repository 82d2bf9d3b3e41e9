-- A refresh whose answer was lost may be retried (FOYER_REFRESH_RETRY_SECONDS, off by
-- default; docs/design/oidc.md "Retrying a refresh whose answer was lost"). A rotation
-- records the token that replaced the one it spent: a spent token may be presented again
-- within the window only while that successor is unused. A successor set aside by such a
-- retry keeps NULL here, so it can never be retried itself.
ALTER TABLE refresh_tokens ADD COLUMN next_hash TEXT;
