-- Staff roles of the support and administration view (docs/design/admin.md): support
-- agents, support leads, brand administrators (limited to the brands in staff_brands)
-- and operators (the earlier 'admin' role).
--
-- SQLite cannot change a CHECK constraint in place, so `staff` is rebuilt. sqlx runs
-- every SQLite migration in a transaction, where foreign keys cannot be switched off;
-- dropping `staff` then deletes the rows that reference it (ON DELETE CASCADE). Those
-- rows are set aside first and put back once the new `staff` (same name, same ids)
-- stands, all in this one transaction.
CREATE TEMP TABLE keep_staff_enrolments AS SELECT * FROM staff_enrolments;
CREATE TEMP TABLE keep_staff_totp AS SELECT * FROM staff_totp;
CREATE TEMP TABLE keep_staff_sessions AS SELECT * FROM staff_sessions;

CREATE TABLE staff_next (
    id                TEXT PRIMARY KEY NOT NULL,
    email             TEXT NOT NULL,
    email_normalized  TEXT NOT NULL UNIQUE,
    name              TEXT,
    role              TEXT NOT NULL CHECK (role IN ('support', 'support_lead', 'brand_admin', 'operator')),
    password_hash     TEXT,
    created_at        INTEGER NOT NULL,
    enrolled_at       INTEGER
);
INSERT INTO staff_next (id, email, email_normalized, name, role, password_hash, created_at, enrolled_at)
    SELECT id, email, email_normalized, name, CASE role WHEN 'admin' THEN 'operator' ELSE role END, password_hash, created_at, enrolled_at FROM staff;
DROP TABLE staff;
ALTER TABLE staff_next RENAME TO staff;

INSERT INTO staff_enrolments SELECT * FROM keep_staff_enrolments;
INSERT INTO staff_totp SELECT * FROM keep_staff_totp;
INSERT INTO staff_sessions SELECT * FROM keep_staff_sessions;
DROP TABLE keep_staff_enrolments;
DROP TABLE keep_staff_totp;
DROP TABLE keep_staff_sessions;

-- The brands a brand administrator administers.
CREATE TABLE staff_brands (
    staff_id    TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    brand_id    TEXT NOT NULL REFERENCES brands (id) ON DELETE CASCADE,
    granted_at  INTEGER NOT NULL,
    PRIMARY KEY (staff_id, brand_id)
);
