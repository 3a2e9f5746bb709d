//! `beacon send`: a run now, by the scheduler's own path and under its rules (repeat window,
//! weekly cap, quiet hours), then deliver until the queue is empty.

use crate::app::Services;
use crate::domain::Channel;
use crate::scheduler::SendRequest;
use anyhow::{Context, bail};
use chrono::Utc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub struct SendArgs<'a> {
    pub slug: &'a str,
    pub areas: &'a [String],
    pub dry_run: bool,
    pub wait: bool,
    /// `--resend REASON`: send again to residents who already had it (audited).
    pub resend: Option<String>,
    pub force: bool,
}

pub async fn run(s: &Services, a: SendArgs<'_>) -> anyhow::Result<bool> {
    let cal = s.calendar.get();
    let Some(c) = cal.campaign(a.slug) else {
        bail!(
            "no campaign called `{}`; `beacon calendar` lists them",
            a.slug
        );
    };
    let req = SendRequest {
        slug: a.slug.to_string(),
        areas: a.areas.to_vec(),
        resend: a.resend.clone(),
        force: a.force,
        idempotency_key: None,
    };
    let now = Utc::now();
    if a.dry_run {
        return dry_run(s, c, &req, now).await;
    }
    // Refused (paused, unknown area, no reason for a resend) before anything is delivered.
    s.scheduler.check(&req, now).await?;
    let recent = s
        .store
        .campaign_runs(a.slug, 20)
        .await?
        .into_iter()
        .filter(|r| r.fire_at > now - chrono::Duration::days(crate::scheduler::RECENT_DAYS));
    for r in recent {
        eprintln!(
            "note: `{}` was already sent at {} ({}, {})",
            a.slug, r.fire_at, r.trigger, r.state
        );
    }
    // Delivery starts on the fan-out's first committed batch rather than after its last, so
    // the first residents of a large audience hear of an urgent alert within a second.
    let fanned_out = Arc::new(AtomicBool::new(false));
    let sending = async {
        let sent = s.scheduler.send(&req, now).await;
        fanned_out.store(true, Ordering::Release);
        sent
    };
    let delivering = async {
        if a.wait {
            Some(super::outbox_cmd::drain_while_queueing(s, fanned_out.clone()).await)
        } else {
            None
        }
    };
    let (sent, delivered) = tokio::join!(sending, delivering);
    let Some(run_id) = sent? else {
        bail!("`{}` already has a run at this instant; try again", a.slug);
    };
    audit(s, &a, run_id).await?;
    let this = s
        .store
        .campaign_runs(a.slug, 20)
        .await?
        .into_iter()
        .find(|r| r.run_id == run_id);
    if let Some(r) = &this {
        println!(
            "run {run_id} of `{}` is queued for {} resident(s)",
            a.slug,
            r.queued + r.delivered + r.failed + r.folded
        );
    }
    if let Some(t) = s.scheduler.held_until(c, now) {
        println!("quiet hours: the e-mail waits until {t}; `beacon serve` sends it then");
    }
    if let Some(r) = &this {
        if r.skipped_repeat > 0 {
            println!(
                "{} resident(s) had it recently and were left out",
                r.skipped_repeat
            );
        }
        if r.folded > 0 {
            println!(
                "{} message(s) go into residents' weekly round-up (over the weekly limit)",
                r.folded
            );
        }
    }
    if let Some(delivered) = delivered {
        // The run and its messages are committed: whatever fails now, they are not lost, and
        // sending the campaign again would not be the way to finish them.
        delivered.with_context(|| {
            format!(
                "run {run_id} of `{}` exists and its messages are safely queued, but delivering them \
                 failed here; `beacon serve` (or `beacon outbox` to see why) will complete it. \
                 Do not send it again",
                a.slug
            )
        })?;
        s.store.settle_runs(Utc::now()).await?;
        if let Some(r) = s
            .store
            .campaign_runs(a.slug, 20)
            .await?
            .iter()
            .find(|r| r.run_id == run_id)
        {
            println!("run {run_id}: {}", r.state);
        }
    }
    Ok(true)
}

async fn audit(s: &Services, a: &SendArgs<'_>, run_id: i64) -> anyhow::Result<()> {
    let (action, detail) = match &a.resend {
        Some(reason) => (
            "campaign.resend",
            format!("{} run {run_id} resend because: {reason}", a.slug),
        ),
        None => ("campaign.send", format!("{} run {run_id}", a.slug)),
    };
    s.store
        .audit(
            None,
            &crate::cli::actor::actor(),
            action,
            Some(&detail),
            None,
            Utc::now(),
        )
        .await?;
    Ok(())
}

/// What a send would do, counted by the fan-out's own query; changes nothing.
async fn dry_run(
    s: &Services,
    c: &crate::domain::Campaign,
    req: &SendRequest,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<bool> {
    let plan = s.scheduler.plan_send(req, now).await?;
    println!(
        "dry run: `{}` would reach {} area(s); nothing is changed",
        req.slug,
        plan.areas.len()
    );
    for ch in &c.channels {
        match ch {
            Channel::Email => {
                for (area, n) in &plan.audience.by_area {
                    println!("email    {area:<28} {n:>8} resident(s)");
                }
                println!(
                    "email    in total: {} resident(s) (each once, however many areas they follow)",
                    plan.audience.residents()
                );
                if plan.audience.already_had_it > 0 {
                    println!(
                        "email    {} resident(s) had it recently and are left out (--resend REASON to include them)",
                        plan.audience.already_had_it
                    );
                }
            }
            Channel::Feed => println!("feed     {} area feed(s) and `all`", plan.areas.len()),
            Channel::Webhook => println!(
                "webhook  {} endpoint(s), one post each",
                s.config.webhooks.len()
            ),
        }
    }
    if let Some(t) = plan.held_until {
        println!("note: quiet hours: the e-mail would wait until {t}");
    }
    if let Some(why) = &plan.needs_force {
        println!("note: the campaign {why}; sending it needs --force");
    }
    Ok(true)
}
