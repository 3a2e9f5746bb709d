//! The SQL steps a resident's journey shares across the store's files, as macros because each
//! runs inside the caller's transaction on either engine (`with_pool!` gives a different type per engine).

/// Appends to a resident's consent history (kept until erasure), in the caller's transaction:
/// `$action` is `consent` or `withdrawal`; the wording version, and the source unless given
/// (`Option<&str>`), are the record's own.
macro_rules! record_consent {
    ($tx:expr, $id:expr, $action:expr, $source:expr, $at:expr, $now:expr) => {
        sqlx::query(
            "insert into consent_event (subscriber_id, action, consent_version, source, occurred_at, created_at)
             select subscriber_id, $2, consent_version, coalesce($3, source), $4, $5 from subscriber where subscriber_id = $1",
        )
        .bind($id)
        .bind($action)
        .bind($source)
        .bind($at)
        .bind($now)
        .execute(&mut *$tx)
        .await?
    };
}

/// Counts a new resident's sign-up anonymously (by first area and source), in the caller's
/// transaction; nothing when they hold no subscription.
macro_rules! record_signup {
    ($tx:expr, $id:expr, $source:expr, $now:expr) => {
        sqlx::query(
            "insert into event (kind, occurred_at, area_id, source, count, created_at)
             select 'signup', $1, min(area_id), $2, 1, $1 from subscription where subscriber_id = $3
             having count(*) > 0",
        )
        .bind($now)
        .bind($source)
        .bind($id)
        .execute(&mut *$tx)
        .await?
    };
}

/// Queues a transactional mail unless the address had its share today; in the caller's transaction.
macro_rules! queue_mail {
    ($tx:expr, $id:expr, $kind:expr, $payload:expr, $now:expr) => {{
        let recent: i64 = sqlx::query_scalar(
            "select count(*) from outbox where subscriber_id = $1 and kind in ('confirm', 'already') and created_at > $2",
        )
        .bind($id)
        .bind($now - Duration::days(1).num_milliseconds())
        .fetch_one(&mut *$tx)
        .await?;
        if recent >= MAILS_PER_ADDRESS_PER_DAY {
            false
        } else {
            sqlx::query(
                "insert into outbox (dedupe_key, subscriber_id, channel, kind, lane, payload, status, next_attempt_at, created_at, updated_at)
                 values ($1, $2, 'email', $3, 0, $4, 'pending', $5, $5, $5)",
            )
            .bind(format!("{}:{}:{}", $kind, $id, crate::auth::token::random_id()))
            .bind($id)
            .bind($kind)
            .bind($payload.to_string())
            .bind($now)
            .execute(&mut *$tx)
            .await?;
            true
        }
    }};
}

/// Replaces a subscriber's subscriptions with areas × topics, keeping rows that stay.
macro_rules! replace_subscriptions {
    ($tx:expr, $id:expr, $areas:expr, $topics:expr, $source:expr, $now:expr) => {{
        let areas: &[String] = $areas;
        let topics: &[String] = $topics;
        let mut q = sqlx::QueryBuilder::new("delete from subscription where subscriber_id = ");
        q.push_bind($id).push(" and (priority not in ");
        $crate::store::push_in!(q, topics);
        q.push(" or area_id not in (select area_id from area where slug in ");
        $crate::store::push_in!(q, areas);
        q.push("))");
        q.build().execute(&mut *$tx).await?;
        for t in topics {
            let mut q = sqlx::QueryBuilder::new(
                "insert into subscription (subscriber_id, area_id, priority, consent_version, consent_at, source, created_at) select ",
            );
            q.push_bind($id).push(", area_id, ").push_bind(t);
            q.push(", ").push_bind(CONSENT_VERSION);
            q.push(", ").push_bind($now);
            q.push(", ").push_bind($source);
            q.push(", ").push_bind($now);
            q.push(" from area where slug in ");
            $crate::store::push_in!(q, areas);
            q.push(" on conflict do nothing");
            q.build().execute(&mut *$tx).await?;
        }
    }};
}

pub(super) use {queue_mail, record_consent, record_signup, replace_subscriptions};
