-- A staff member who leaves is disabled, not deleted (the audit log names them): the
-- principal is refused from the next request on, and sign-in fails as for a wrong password.
ALTER TABLE staff ADD COLUMN disabled_at BIGINT;
