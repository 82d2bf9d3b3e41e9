-- Brand profile attributes, their values per customer, per-brand preferences and the
-- brands' topics (docs/design/consent.md "Brand attributes", "Preferences"). Times are
-- Unix milliseconds. Values are text, checked by the core against their declaration.

-- What a brand (or the group: brand_id NULL) asks its customers beyond the standard claims.
CREATE TABLE attribute_definitions (
    id              TEXT PRIMARY KEY NOT NULL,
    brand_id        TEXT REFERENCES brands (id),
    -- [a-z][a-z0-9_]{0,39}, never a standard claim name; unique per brand / per group, and
    -- a group-wide key is unique across the group (checked by the core).
    key             TEXT NOT NULL,
    -- JSON {"en": "Seat", "de": "Sitzplatz"}; "en" always present.
    labels          TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('text', 'number', 'date', 'choice')),
    -- JSON [{"value": "aisle", "labels": {"en": "Aisle", "de": "Gang"}}] (choice only).
    choices         TEXT NOT NULL DEFAULT '[]',
    -- JSON validation: text {max_length, pattern}, number {min, max, integer}, date {min, max}.
    rules           TEXT NOT NULL DEFAULT '{}',
    required        INTEGER NOT NULL CHECK (required IN (0, 1)),
    ask_at_sign_in  INTEGER NOT NULL CHECK (ask_at_sign_in IN (0, 1)),
    -- Every brand reads it (claims, pages); always 1 for the group's own.
    group_wide      INTEGER NOT NULL CHECK (group_wide IN (0, 1)),
    position        INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    CHECK (brand_id IS NOT NULL OR group_wide = 1),
    CHECK (ask_at_sign_in = 0 OR required = 1)
);
CREATE UNIQUE INDEX attribute_definitions_key ON attribute_definitions (COALESCE(brand_id, ''), key);

-- A customer's value of an attribute (checked text; numbers and dates in canonical form).
CREATE TABLE customer_attributes (
    customer_id   TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    attribute_id  TEXT NOT NULL REFERENCES attribute_definitions (id),
    value         TEXT NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (customer_id, attribute_id)
);

-- The topics a brand offers (its newsletter sections and the like).
CREATE TABLE brand_topics (
    brand_id    TEXT NOT NULL REFERENCES brands (id),
    key         TEXT NOT NULL,
    -- JSON {"en": "Deals", "de": "Angebote"}; "en" always present.
    labels      TEXT NOT NULL,
    position    INTEGER NOT NULL,
    PRIMARY KEY (brand_id, key)
);

-- A customer's preferences for one brand.
CREATE TABLE brand_preferences (
    customer_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    brand_id     TEXT NOT NULL REFERENCES brands (id),
    -- A shipped locale tag, or NULL: the profile's language.
    language     TEXT,
    frequency    TEXT CHECK (frequency IN ('as_it_happens', 'weekly', 'monthly', 'never')),
    -- JSON list of the brand's topic keys.
    topics       TEXT NOT NULL DEFAULT '[]',
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (customer_id, brand_id)
);

-- Progressive profiling: the request's one short form was shown and answered or skipped.
ALTER TABLE oauth_requests ADD COLUMN profile_done_at INTEGER;
