-- Every version of every campaign file (issue 16): saved in the console, held for approval, or
-- found changed on the server. `state`: 'saved' (written to the file), 'server' (the file was
-- changed by hand; found on load or reload), 'pending' (an editor's change waiting for an
-- admin; not in the file), 'approved' (a pending change an admin wrote to the file),
-- 'rejected' (a pending change an admin turned down), 'superseded' (a pending change replaced
-- by a later one before anyone approved it).
create table campaign_revision (
    revision_id   bigint generated always as identity primary key,
    slug          text not null,
    content       text not null,
    content_hash  text not null,
    base_hash     text not null default '',
    state         text not null check (state in ('saved', 'server', 'pending', 'approved', 'rejected', 'superseded')),
    author        text not null,
    admin_user_id bigint,
    reason        text not null,
    created_at    bigint not null,
    decided_by    text,
    decided_at    bigint
);
create index campaign_revision_slug on campaign_revision (slug, revision_id);
