-- Support actions (docs/design/admin.md "Support actions"): what locked an account. A
-- lock after too many failed sign-ins ('failures') is lifted by the mailed unlock link,
-- a password reset or a support lead; a lock by a support lead ('support') only by a
-- support lead. NULL while unlocked. Accounts locked before this column are 'failures'.
ALTER TABLE customers ADD COLUMN lock_kind TEXT CHECK (lock_kind IN ('failures', 'support'));
UPDATE customers SET lock_kind = 'failures' WHERE locked_at IS NOT NULL;
