-- Delivery rewrites a row's lease and owner at the claim, at every heartbeat and at the outcome.
-- Indexed only while the row is being sent, those writes touch a small index instead of two that
-- held every row of the outbox (issue 17: about an eighth less written per recorded outcome).
-- Every query that reads them asks for status = 'sending'.
drop index if exists outbox_lease;
drop index if exists outbox_owner;
create index outbox_sending on outbox (owner_id, lease_until) where status = 'sending';

-- The claim orders by (lane, next_attempt_at, outbox_id) under status = 'pending': with the id in
-- the index the planner reads the first 200 in order instead of sorting every pending row of a
-- 100,000-message run for each claim (EXPLAIN ANALYZE in benches/RESULTS.md: 35 ms to 5.6 ms at
-- 20,000 pending).
drop index if exists outbox_claim;
create index outbox_claim on outbox (status, lane, next_attempt_at, outbox_id);
