-- A client's own token-endpoint rate limit (`foyer client create|update --token-rate N
-- --token-burst N`, issue 10): requests a second and burst. NULL follows the server's
-- FOYER_LIMIT_TOKEN_PER_CLIENT_* settings.
ALTER TABLE oauth_clients ADD COLUMN token_rate_per_second INTEGER;
ALTER TABLE oauth_clients ADD COLUMN token_burst INTEGER;
