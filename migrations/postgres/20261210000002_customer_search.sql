-- The terms support finds customers by (docs/design/admin.md "Search"): the address,
-- each name word and the phone digits, folded by the core and kept current by the store
-- in every transaction that writes them. Binary ("C") order, so a prefix is one index
-- range whatever the database's collation.
CREATE TABLE customer_search (
    term         TEXT COLLATE "C" NOT NULL,
    customer_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    PRIMARY KEY (term, customer_id)
);
CREATE INDEX customer_search_customer ON customer_search (customer_id);
-- Finding a customer by a loyalty member number.
CREATE INDEX loyalty_links_number ON loyalty_links (number);
