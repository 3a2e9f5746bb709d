-- Safe sending (issue 9). A run's delivery state, told truthfully: queued → sending → sent or
-- 'sent with failures' (`status` keeps its own job: whether fan-out has finished). The rules a
-- run was fanned out under, and what they did: residents skipped as a repeat, messages folded
-- into the weekly round-up by the per-resident cap, held until quiet hours end.
-- Kept in lock-step across engines.
alter table run add column state text not null default 'queued'
    check (state in ('queued', 'sending', 'sent', 'sent with failures', 'skipped'));
alter table run add column urgent bigint not null default 0;
alter table run add column repeat_window_ms bigint not null default 0;
alter table run add column skipped_repeat bigint not null default 0;
alter table run add column folded bigint not null default 0;
alter table run add column held_until bigint;
update run set state = 'skipped' where status = 'skipped';
create index run_state on run (state);
-- Why a campaign row is not an ordinary immediate e-mail: 'cap' (folded into the round-up) or
-- 'quiet' (held until quiet hours end).
alter table outbox add column held text;
