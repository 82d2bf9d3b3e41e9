-- Staff roles of the support and administration view (docs/design/admin.md): support
-- agents, support leads, brand administrators (limited to the brands in staff_brands)
-- and operators (the earlier 'admin' role).
ALTER TABLE staff DROP CONSTRAINT staff_role_check;
UPDATE staff SET role = 'operator' WHERE role = 'admin';
ALTER TABLE staff ADD CONSTRAINT staff_role_check CHECK (role IN ('support', 'support_lead', 'brand_admin', 'operator'));

-- The brands a brand administrator administers.
CREATE TABLE staff_brands (
    staff_id    TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    brand_id    TEXT NOT NULL REFERENCES brands (id) ON DELETE CASCADE,
    granted_at  BIGINT NOT NULL,
    PRIMARY KEY (staff_id, brand_id)
);
