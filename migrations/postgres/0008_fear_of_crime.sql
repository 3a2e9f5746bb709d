-- Fear of crime, measured (issue 13). Only aggregates: no row here names or points to a resident,
-- so no report or export can join an answer back to a person.

-- "Did this message help you feel safer?": one counter per run, area and answer.
create table feedback_tally (
    run_id      bigint not null references run (run_id),
    area_id     bigint not null references area (area_id),
    answer      text not null check (answer in ('yes', 'no', 'not_sure')),
    count       bigint not null default 0,
    primary key (run_id, area_id, answer)
);

-- The feel-safe pulse: one counter per survey question, area, calendar quarter ('2026-Q4') and answer.
create table survey_tally (
    question    text not null,
    area_id     bigint not null references area (area_id),
    quarter     text not null,
    answer      text not null,
    count       bigint not null default 0,
    primary key (question, area_id, quarter, answer)
);

-- Recorded crime from police.uk open data, per area, month ('2026-09') and police.uk category slug
-- ('burglary', 'vehicle-crime', 'anti-social-behaviour', ...).
create table crime_count (
    area_id     bigint not null references area (area_id),
    month       text not null,
    category    text not null,
    count       bigint not null default 0,
    primary key (area_id, month, category)
);
