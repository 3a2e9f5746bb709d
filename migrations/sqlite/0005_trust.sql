-- Staff: a one-time password must be replaced at first sign-in.
alter table admin_user add column must_change_password bigint not null default 0;

-- A sign-up for an address we already hold waits here until its own confirmation link is used;
-- the resident's record is not touched before then. Removed on confirmation, erasure or expiry.
create table signup_request (
    signup_request_id  integer primary key,
    subscriber_id      bigint not null references subscriber (subscriber_id) on delete cascade,
    postcode           text not null,
    frequency          text not null,
    areas              text not null,      -- JSON array of area slugs
    topics             text not null,      -- JSON array of priorities
    consent_version    text not null,
    source             text not null,
    created_at         bigint not null
);
create index signup_request_subscriber on signup_request (subscriber_id);
create index signup_request_created on signup_request (created_at);

-- Consent history, append-only until erasure: each consent and withdrawal with its wording
-- version, time and source.
create table consent_event (
    consent_event_id  integer primary key,
    subscriber_id     bigint not null references subscriber (subscriber_id) on delete cascade,
    action            text not null check (action in ('consent', 'withdrawal')),
    consent_version   text not null,
    source            text not null,
    occurred_at       bigint not null,
    created_at        bigint not null
);
create index consent_event_subscriber on consent_event (subscriber_id, occurred_at);
