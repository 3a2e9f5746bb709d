//! The campaign editor's page: the form in words, and for a change the loader accepts, the
//! e-mail (HTML and text) and feed entry for a chosen area, the next five sends in UK time and
//! the e-mails per resident per month it adds.

use super::super::campaign::{AreaOption, areas_of, render_email};
use super::super::{AppState, Chrome};
use crate::calendar::Calendar;
use crate::calendar::editing::CampaignForm;
use crate::calendar::editing::when::{MONTHS, WEEKDAYS, WhenForm};
use crate::domain::signup::FieldError;
use crate::domain::{Campaign, Channel, District, LONDON, Priority};
use crate::web::form_view::{Choice, ErrorSummary, anchored};
use chrono::{DateTime, Utc};

/// A change waiting for an admin, as the editor page mentions it.
pub struct PendingNote {
    pub revision_id: i64,
    pub author: String,
    pub when: String,
}

/// One month of the forecast where this campaign adds e-mail.
pub struct ForecastRow {
    pub month: String,
    pub area: String,
    pub with: u32,
    pub added: i64,
    pub folded: u32,
}

/// What residents will get, rendered by the code the sender uses.
pub struct Preview {
    pub areas: Vec<AreaOption>,
    pub subject: String,
    pub text: String,
    pub summary: String,
    pub feed_html: String,
    pub next_sends: Vec<String>,
    pub forecast: Vec<ForecastRow>,
    pub max_per_week: u32,
}

#[derive(askama::Template)]
#[template(path = "admin/editor.html")]
pub struct EditorPage {
    pub chrome: Chrome,
    pub errors: ErrorSummary,
    pub heading: String,
    /// The campaign being changed; empty for a new one or a copy.
    pub original: String,
    pub copy_of: String,
    pub slug: String,
    pub base_hash: String,
    pub form: CampaignForm,
    pub when: WhenForm,
    pub draft: bool,
    pub reason: String,
    pub priorities: Vec<Choice>,
    pub area_choices: Vec<Choice>,
    pub channel_choices: Vec<Choice>,
    pub repeat_choices: Vec<Choice>,
    pub weekday_choices: Vec<Choice>,
    pub months: Vec<(String, &'static str)>,
    pub preview: Option<Preview>,
    pub pending: Option<PendingNote>,
    pub held_for_approval: bool,
    pub done: String,
}

impl EditorPage {
    pub fn err(&self, field: &str) -> &str {
        self.errors.get(field)
    }
}

/// Everything the page needs besides the values.
pub struct Blank {
    pub priorities: Vec<Choice>,
    pub area_choices: Vec<Choice>,
    pub channel_choices: Vec<Choice>,
    pub repeat_choices: Vec<Choice>,
    pub weekday_choices: Vec<Choice>,
    pub months: Vec<(String, &'static str)>,
}

/// The choices, ticked as `form` and `when` say.
pub fn choices(cal: &Calendar, form: &CampaignForm, when: &WhenForm) -> Blank {
    let has = |list: &[String], v: &str| list.iter().any(|x| x == v);
    let priorities = Priority::ALL
        .iter()
        .map(|p| {
            Choice::new(
                "priority",
                p.slug(),
                p.resident_label(),
                form.priority == p.slug(),
            )
        })
        .collect();
    let mut areas = vec![Choice::new(
        "areas",
        "all",
        "Every area",
        has(&form.areas, "all"),
    )];
    for d in District::ALL {
        areas.push(Choice::new(
            "areas",
            d.slug(),
            &format!("All of {}", d.name()),
            has(&form.areas, d.slug()),
        ));
    }
    for a in cal.areas.iter() {
        areas.push(Choice::new(
            "areas",
            &a.slug,
            &a.name,
            has(&form.areas, &a.slug),
        ));
    }
    let channel_label = |c: Channel| match c {
        Channel::Email => "E-mail to residents who follow the topic",
        Channel::Feed => "The area's web feeds (Atom, RSS, CAP)",
        Channel::Webhook => "Partners' systems (webhooks)",
    };
    let channels = Channel::ALL
        .iter()
        .map(|c| {
            Choice::new(
                "channels",
                c.as_str(),
                channel_label(*c),
                has(&form.channels, c.as_str()),
            )
        })
        .collect();
    let repeat = [
        ("once", "Once, on one date"),
        ("weekly", "Every week, on chosen days"),
        ("monthly", "On one day of each month"),
        ("custom", "A schedule written as cron text"),
    ]
    .iter()
    .map(|(v, l)| Choice::new("repeat", v, l, when.repeat == *v))
    .collect();
    let weekdays = WEEKDAYS
        .iter()
        .map(|(v, l)| Choice::new("weekdays", v, l, has(&when.weekdays, v)))
        .collect();
    Blank {
        priorities: anchored(priorities),
        area_choices: anchored(areas),
        channel_choices: anchored(channels),
        repeat_choices: anchored(repeat),
        weekday_choices: anchored(weekdays),
        months: MONTHS
            .iter()
            .enumerate()
            .map(|(i, m)| ((i + 1).to_string(), *m))
            .collect(),
    }
}

/// `Friday 4 December 2026 at 09:00`.
pub fn in_words(t: DateTime<Utc>) -> String {
    t.with_timezone(&LONDON)
        .format("%A %-d %B %Y at %H:%M")
        .to_string()
}

/// The preview of `c` as it would be with `with` (the calendar including the change as sent).
pub fn preview(
    state: &AppState,
    with: &Calendar,
    c: &Campaign,
    chosen_area: &str,
    paused: &[String],
    now: DateTime<Utc>,
) -> Result<Preview, askama::Error> {
    // Areas come from areas.toml, which a change to a campaign never touches.
    let (areas, _, area_name) = areas_of(state, c, chosen_area);
    let body = render_email(state, c, &area_name)?;
    let next_sends = c
        .fires_between(now, now + chrono::Duration::days(3 * 366))
        .take(5)
        .map(in_words)
        .collect();
    Ok(Preview {
        areas,
        subject: c.subject.clone(),
        text: body.text,
        summary: c.summary.clone(),
        feed_html: crate::render::markdown::to_html(&c.body),
        next_sends,
        forecast: forecast(state, with, c, paused, now),
        max_per_week: state.scheduler.rules.max_per_week,
    })
}

/// Per month, in the campaign's busiest area, the e-mails a resident following everything
/// gets with the campaign scheduled, and how many of them it adds; months it adds none to are
/// left out.
fn forecast(
    state: &AppState,
    with: &Calendar,
    c: &Campaign,
    paused: &[String],
    now: DateTime<Utc>,
) -> Vec<ForecastRow> {
    use crate::calendar::forecast::per_resident;
    let mut scheduled = with.clone();
    scheduled.campaigns.retain(|x| x.slug != c.slug);
    let without = scheduled.clone();
    scheduled.campaigns.push(c.clone());
    let rules = &state.scheduler.rules;
    let digest = state.scheduler.digest.as_ref();
    let mut rows: std::collections::BTreeMap<usize, ForecastRow> = Default::default();
    for a in with.areas.expand(&c.areas) {
        let w = per_resident(&scheduled, &a.slug, now, 12, rules, digest, paused);
        let wo = per_resident(&without, &a.slug, now, 12, rules, digest, paused);
        for (i, (m, b)) in w.iter().zip(wo.iter()).enumerate() {
            let added = i64::from(m.emails) - i64::from(b.emails);
            if added == 0 && m.folded == b.folded {
                continue;
            }
            let row = ForecastRow {
                month: month_words(&m.month),
                area: a.name.clone(),
                with: m.emails,
                added,
                folded: m.folded,
            };
            match rows.get_mut(&i) {
                Some(r) if r.with >= row.with => {}
                Some(r) => *r = row,
                None => {
                    rows.insert(i, row);
                }
            }
        }
    }
    rows.into_values().collect()
}

fn month_words(ym: &str) -> String {
    chrono::NaiveDate::parse_from_str(&format!("{ym}-01"), "%Y-%m-%d")
        .map(|d| d.format("%B %Y").to_string())
        .unwrap_or_else(|_| ym.to_string())
}

/// Problems from the form and the loader, in the page's terms (`form`: not one field's).
pub fn summary(problems: Vec<(&'static str, String)>) -> ErrorSummary {
    ErrorSummary::new(
        problems
            .into_iter()
            .map(|(field, message)| FieldError {
                field: if field.is_empty() { "form" } else { field },
                message,
            })
            .collect(),
    )
}
