//! `beacon send`: a run now, by the scheduler's own path and under its rules (repeat window,
//! weekly cap, quiet hours), then deliver until the queue is empty.

use crate::app::Services;
use crate::domain::Channel;
use crate::scheduler::SendRequest;
use anyhow::{Context, bail};
use chrono::Utc;

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
    let plan = s.scheduler.plan_send(&req, now).await?;
    if a.dry_run {
        println!(
            "dry run: `{}` would reach {} area(s); nothing is changed",
            a.slug,
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
        return Ok(true);
    }
    for r in &plan.recent {
        eprintln!(
            "note: `{}` was already sent at {} ({}, {})",
            a.slug, r.fire_at, r.trigger, r.state
        );
    }
    let Some(run_id) = s.scheduler.send(&req, now).await? else {
        bail!("`{}` already has a run at this instant; try again", a.slug);
    };
    if let Some(reason) = &a.resend {
        s.store
            .audit(
                None,
                &crate::cli::actor::actor(),
                "campaign.resend",
                Some(&format!("{} run {run_id} resend because: {reason}", a.slug)),
                None,
                Utc::now(),
            )
            .await?;
    } else {
        s.store
            .audit(
                None,
                &crate::cli::actor::actor(),
                "campaign.send",
                Some(&format!("{} run {run_id}", a.slug)),
                None,
                Utc::now(),
            )
            .await?;
    }
    let run = s.store.campaign_runs(a.slug, 20).await?;
    let this = run.iter().find(|r| r.run_id == run_id);
    println!(
        "run {run_id} of `{}` is queued for {} resident(s)",
        a.slug,
        plan.audience.residents()
    );
    if let Some(t) = plan.held_until {
        println!("quiet hours: the e-mail waits until {t}; `beacon serve` sends it then");
    }
    if let Some(r) = this {
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
    if a.wait {
        // The run and its messages are committed: whatever fails now, they are not lost, and
        // sending the campaign again would not be the way to finish them.
        super::outbox_cmd::drain(s).await.with_context(|| {
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
