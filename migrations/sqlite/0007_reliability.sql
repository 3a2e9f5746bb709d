-- Reliability under faults (issue 11). Kept in lock-step across engines.
-- A delivery process's session: rows it holds name it, and its heartbeat tells others it lives,
-- so a dead process's rows return to the queue within seconds instead of a whole lease.
create table worker (
    worker_id     integer primary key,
    host          text not null,
    pid           bigint not null,
    started_at    bigint not null,
    heartbeat_at  bigint not null,
    created_at    bigint not null
);
create index worker_heartbeat on worker (heartbeat_at);
alter table outbox add column owner_id bigint;
create index outbox_owner on outbox (owner_id, status);
-- A channel the circuit breaker paused: nothing is claimed on it until an editor resumes it or a
-- probe succeeds.
create table channel_state (
    channel     text primary key,
    paused_at   bigint,
    reason      text,
    probe_at    bigint,
    updated_at  bigint not null,
    created_at  bigint not null
);
-- The server reply that suppressed an address, so an admin can judge it and lift it.
alter table subscriber add column suppressed_reason text;
