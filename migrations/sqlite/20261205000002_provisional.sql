-- The browser that created an account (SHA-256 of its device cookie), so confirming
-- the address from another browser can clear what was set up before the address was
-- proven (issue 10 item 4). NULL for accounts created without one (import, CLI, older rows).
ALTER TABLE customers ADD COLUMN created_device_hash TEXT;
