-- The customer's time zone (an IANA name such as Europe/Berlin, the OIDC `zoneinfo`
-- claim): pages show times in it, and sign-in sets the `foyer-tz` cookie from it.
ALTER TABLE customers ADD COLUMN zoneinfo TEXT;
