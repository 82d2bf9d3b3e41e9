-- Managed members (docs/design/household.md "Managed members and the hand-over"):
-- a guardian's approval of a minor's pending grant is a ledger record collected
-- 'guardian', and the hand-over claim's mailed code has a time of sending (it lives
-- 10 minutes) and a count of codes sent (a claim link is not a mail cannon).

ALTER TABLE household_claims ADD COLUMN code_sent_at BIGINT;
ALTER TABLE household_claims ADD COLUMN code_sends BIGINT NOT NULL DEFAULT 0;

ALTER TABLE consent_ledger DROP CONSTRAINT consent_ledger_collection_check;
ALTER TABLE consent_ledger ADD CONSTRAINT consent_ledger_collection_check
    CHECK (collection IN ('portal', 'brand_sign_in', 'registration', 'support_phone', 'api', 'import', 'guardian'));
