-- Weekly digests: campaign rows for weekly residents wait on channel 'digest'; when the digest is
-- gathered each is tied to the one e-mail that carried it. Kept in lock-step across engines.
alter table outbox add column digest_id bigint;
create index outbox_digest_items on outbox (channel, status, subscriber_id);
create index outbox_digest_id on outbox (digest_id);
create index outbox_subscriber_kind on outbox (subscriber_id, kind, created_at);
