-- Collecting the answers (issue 13): "Did this message help you feel safer?" and the
-- feel-safe pulse. The counts themselves live in feedback_tally and survey_tally (0008).

-- The pulse is a separate consent: when it was given and to which wording (null: not given).
alter table subscriber add column pulse_version text;
alter table subscriber add column pulse_at bigint;
-- A sign-up for an address already on file carries its pulse choice until it is confirmed.
alter table signup_request add column pulse bigint not null default 0;
-- A survey run carries its question from the fixed bank (null: an ordinary message).
alter table run add column survey_question text;

-- One row per answer already counted, so a second one from the same resident is refused.
-- receipt = HMAC(server key, kind + resident + run); resident = HMAC(server key, subscriber id),
-- which erasure recomputes to delete the person's rows. Neither names the answer given, and
-- both go after 30 days.
create table answer_receipt (
    receipt     text primary key,
    resident    text not null,
    created_at  bigint not null
);
create index answer_receipt_resident on answer_receipt (resident);
create index answer_receipt_created on answer_receipt (created_at);

-- "What would help?": free text beside an answer, with no link to who wrote it. Kept 12 months;
-- editors can hide an abusive one from the console.
create table feedback_comment (
    comment_id  bigint generated always as identity primary key,
    run_id      bigint not null references run (run_id),
    area_id     bigint not null references area (area_id),
    answer      text not null check (answer in ('yes', 'no', 'not_sure')),
    body        text not null,
    hidden      bigint not null default 0,
    created_at  bigint not null
);
create index feedback_comment_run on feedback_comment (run_id, created_at);
create index feedback_comment_created on feedback_comment (created_at);
