-- Beacon's whole data model. Times are UTC milliseconds since the Unix epoch (bigint), the same
-- on both engines, so ordering, ranges and day buckets are portable integer arithmetic.
-- Kept in lock-step with migrations/postgres/0001_init.sql.

create table setting (
    key         text primary key,
    value       text not null,
    created_at  bigint not null
);

create table area (
    area_id     integer primary key,
    slug        text not null unique,
    name        text not null,
    district    text not null,
    households  bigint,
    created_at  bigint not null
);

create table subscriber (
    subscriber_id    integer primary key,
    email            text unique,          -- null once erased
    postcode         text,                 -- null once erased
    status           text not null check (status in ('pending', 'confirmed', 'unsubscribed', 'bounced', 'erased')),
    frequency        text not null default 'immediate' check (frequency in ('immediate', 'weekly')),
    paused           bigint not null default 0,
    consent_version  text not null,
    consent_at       bigint not null,
    source           text not null,
    confirmed_at     bigint,
    unsubscribed_at  bigint,
    bounced_at       bigint,
    erased_at        bigint,
    token_version    bigint not null default 0,
    created_at       bigint not null,
    updated_at       bigint not null
);
create index subscriber_status on subscriber (status, subscriber_id);

create table subscription (
    subscription_id  integer primary key,
    subscriber_id    bigint not null references subscriber (subscriber_id) on delete cascade,
    area_id          bigint not null references area (area_id),
    priority         text not null,
    consent_version  text not null,
    consent_at       bigint not null,
    source           text not null,
    created_at       bigint not null,
    unique (subscriber_id, area_id, priority)
);
create index subscription_fanout on subscription (area_id, priority, subscriber_id);

create table campaign (
    campaign_id   integer primary key,
    slug          text not null unique,
    title         text not null,
    priority      text not null,
    lead          text not null,
    content_hash  text not null,
    definition    text not null,
    paused        bigint not null default 0,
    created_at    bigint not null,
    updated_at    bigint not null
);

create table run (
    run_id             integer primary key,
    campaign_id        bigint not null references campaign (campaign_id),
    fire_at            bigint not null,
    trigger            text not null check (trigger in ('schedule', 'manual')),
    status             text not null check (status in ('fanning', 'queued', 'finished', 'skipped')),
    reason             text,
    content_hash       text not null,
    title              text not null,
    subject            text not null,
    summary            text not null,
    body               text not null,
    lead               text not null,
    priority           text not null,
    areas              text not null,      -- JSON array of the area slugs targeted
    channels           text not null,      -- JSON array of channels
    idempotency_key    text unique,
    fanout_checkpoint  bigint not null default 0,
    created_at         bigint not null,
    finished_at        bigint,
    unique (campaign_id, fire_at)
);

create table outbox (
    outbox_id        integer primary key,
    dedupe_key       text unique,           -- messages outside a run: confirmation, test, webhook
    run_id           bigint references run (run_id),
    subscriber_id    bigint references subscriber (subscriber_id) on delete set null,
    channel          text not null,
    kind             text not null,         -- campaign | confirm | already | digest | test | webhook
    lane             bigint not null,       -- 0 transactional first, 1 bulk
    area_id          bigint,
    target           text,                  -- webhook name
    payload          text,                  -- JSON for messages that are not a campaign run
    status           text not null check (status in ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts         bigint not null default 0,
    next_attempt_at  bigint not null,
    lease_until      bigint,
    last_error       text,
    created_at       bigint not null,
    updated_at       bigint not null,
    sent_at          bigint,
    unique (run_id, subscriber_id, channel)
);
create index outbox_claim on outbox (status, lane, next_attempt_at);
create index outbox_lease on outbox (status, lease_until);
create index outbox_subscriber on outbox (subscriber_id);

create table delivery_attempt (
    delivery_attempt_id  integer primary key,
    outbox_id            bigint not null references outbox (outbox_id) on delete cascade,
    attempt              bigint not null,
    outcome              text not null,     -- transient | permanent
    error                text not null,
    created_at           bigint not null
);
create index delivery_attempt_outbox on delivery_attempt (outbox_id);

create table feed_entry (
    feed_entry_id  integer primary key,
    run_id         bigint not null references run (run_id),
    area_slug      text not null,           -- an area slug, or 'all'
    created_at     bigint not null,
    unique (run_id, area_slug)
);
create index feed_entry_area on feed_entry (area_slug, run_id);

create table event (
    event_id     integer primary key,
    kind         text not null,             -- signup | confirmed | delivered | failed | bounced | unsubscribed | erased | feed_reader
    occurred_at  bigint not null,
    area_id      bigint,
    campaign_id  bigint,
    run_id       bigint,
    priority     text,
    source       text,
    channel      text,
    detail       text,                      -- never personal data; a salted daily hash at most
    count        bigint not null default 1,
    created_at   bigint not null
);
create index event_kind_time on event (kind, occurred_at);
create index event_run on event (run_id, kind);

create table admin_user (
    admin_user_id   integer primary key,
    email           text not null unique,
    password_hash   text not null,
    role            text not null check (role in ('admin', 'editor', 'viewer')),
    disabled        bigint not null default 0,
    failed_logins   bigint not null default 0,
    locked_until    bigint,
    last_login_at   bigint,
    created_at      bigint not null
);

create table session (
    session_id     text primary key,        -- SHA-256 of the cookie value
    admin_user_id  bigint not null references admin_user (admin_user_id) on delete cascade,
    csrf_token     text not null,
    ip             text,
    expires_at     bigint not null,
    created_at     bigint not null
);

create table api_token (
    api_token_id  integer primary key,
    token_hash    text not null unique,
    name          text not null,
    role          text not null check (role in ('admin', 'editor', 'viewer')),
    revoked_at    bigint,
    created_at    bigint not null
);

create table audit_log (
    audit_log_id   integer primary key,
    admin_user_id  bigint,
    actor          text not null,
    action         text not null,
    detail         text,
    ip             text,
    created_at     bigint not null
);
create index audit_log_time on audit_log (created_at);
