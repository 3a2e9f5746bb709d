-- Issue 15, the console: each staff member's secret calendar address (only its SHA-256 is kept;
-- a new one replaces the old, deleting the row revokes it), and an index for the dashboard's
-- "last 7 days by channel", which reads settled outbox rows by when they settled.
create table calendar_feed (
    admin_user_id  bigint primary key references admin_user (admin_user_id) on delete cascade,
    token_hash     text not null unique,
    created_at     bigint not null
);
create index outbox_settled on outbox (updated_at, status, channel);
