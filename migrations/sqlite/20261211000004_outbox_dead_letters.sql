-- The operator dashboard and /metrics count the outbox rows given up on (dead letters:
-- `failed_at` set) at every read; this index holds only those rows, so the count reads
-- a handful of entries, not the day of delivered ones (docs/design/admin.md
-- "Operator dashboard").
CREATE INDEX outbox_dead_letters ON outbox (failed_at) WHERE failed_at IS NOT NULL;
