-- Support search keeps a page's candidates that have every other word too: a prefix of
-- `term` among a few dozen `customer_id`s (docs/design/admin.md "Search"). With an index
-- on `customer_id` alone, PostgreSQL's generic plan for that statement intersected it with
-- a scan of the whole prefix range of the primary key (a word such as "k" covers
-- hundreds of thousands of rows among a million customers): p95 near one second. By
-- customer, then term, both conditions are one index range per candidate on both engines;
-- it also serves everything the old index did (deleting and counting by customer).
DROP INDEX customer_search_customer;
CREATE INDEX customer_search_customer_term ON customer_search (customer_id, term);
