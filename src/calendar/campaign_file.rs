//! One campaign file: TOML front matter between `+++` lines, then the Markdown message.

use super::areas::is_slug;
use super::diagnostic::{Diagnostic, Diagnostics};
use crate::domain::campaign::DEFAULT_GRACE;
use crate::domain::{AreaDirectory, Campaign, Channel, MonthDay, Priority, Schedule, Season};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::Path;
use toml::Spanned;

pub(super) const FENCE: &str = "+++";
const MAX_SUBJECT: usize = 120;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCampaign {
    slug: Option<Spanned<String>>,
    title: Spanned<String>,
    priority: Spanned<String>,
    lead: Spanned<String>,
    schedule: Spanned<String>,
    season: Option<RawSeason>,
    starts: Option<Spanned<toml::value::Datetime>>,
    ends: Option<Spanned<toml::value::Datetime>>,
    areas: Spanned<Vec<Spanned<String>>>,
    channels: Spanned<Vec<Spanned<String>>>,
    subject: Spanned<String>,
    summary: Spanned<String>,
    grace: Option<Spanned<String>>,
    repeat_after: Option<Spanned<String>>,
    #[serde(default)]
    urgent: bool,
    kind: Option<Spanned<String>>,
    question: Option<Spanned<String>>,
    /// `"draft"`: valid, kept, but never sent nor shown in feeds or the calendar.
    status: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeason {
    from: Spanned<String>,
    to: Spanned<String>,
}

/// Splits the file into (front matter start offset, front matter, body start offset, body).
pub(super) fn split(text: &str) -> Result<(usize, &str, usize, &str), (usize, String)> {
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != FENCE {
        return Err((
            0,
            format!(
                "a campaign file starts with a `{FENCE}` line, then TOML front matter, then another `{FENCE}` line"
            ),
        ));
    }
    let fm_start = (first_end + 1).min(text.len());
    let mut pos = fm_start;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        if text[pos..end].trim_end() == FENCE {
            let body_start = (end + 1).min(text.len());
            return Ok((
                fm_start,
                &text[fm_start..pos],
                body_start,
                &text[body_start..],
            ));
        }
        pos = end + 1;
    }
    Err((
        0,
        format!("the front matter is never closed; add a `{FENCE}` line before the message"),
    ))
}

fn date(dt: &Spanned<toml::value::Datetime>) -> Result<chrono::NaiveDate, String> {
    let v = dt.get_ref();
    match (&v.date, &v.time) {
        (Some(d), None) => {
            chrono::NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())
                .ok_or_else(|| format!("`{v}` is not a real date"))
        }
        _ => Err(format!(
            "`{v}` must be a date without a time, like 2026-12-01"
        )),
    }
}

/// The campaign in a file, and whether it is a draft (`status = "draft"`).
pub(super) fn parse(
    path: &Path,
    text: &str,
    areas: &AreaDirectory,
    diags: &mut Diagnostics,
) -> Option<(Campaign, bool)> {
    let (fm_start, front, body_start, body) = match split(text) {
        Ok(parts) => parts,
        Err((offset, m)) => {
            diags.push(Diagnostic::at(path, text, offset, m));
            return None;
        }
    };
    let raw: RawCampaign = match toml::from_str(front) {
        Ok(r) => r,
        Err(e) => {
            let offset = fm_start + e.span().map_or(0, |s| s.start);
            diags.push(Diagnostic::at(path, text, offset, e.message().trim()));
            return None;
        }
    };
    let before = diags.len();
    let mut err = |span: std::ops::Range<usize>, m: String| {
        diags.push(Diagnostic::at(path, text, fm_start + span.start, m));
    };

    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("")
        .to_string();
    let slug = match &raw.slug {
        Some(s) => {
            if !is_slug(s.get_ref()) {
                err(
                    s.span(),
                    format!(
                        "slug `{}` must be lower-case letters, digits and hyphens",
                        s.get_ref()
                    ),
                );
            }
            s.get_ref().clone()
        }
        None => {
            if !is_slug(&stem) {
                diags.push(Diagnostic::file(path, format!("the file name `{stem}` is not a slug; rename it in lower-case-with-hyphens.md or set `slug`")));
            }
            stem
        }
    };
    let mut err = |span: std::ops::Range<usize>, m: String| {
        diags.push(Diagnostic::at(path, text, fm_start + span.start, m));
    };

    for (field, value, max) in [
        ("title", &raw.title, 200),
        ("lead", &raw.lead, 200),
        ("subject", &raw.subject, MAX_SUBJECT),
        ("summary", &raw.summary, 600),
    ] {
        let v = value.get_ref();
        if v.trim().is_empty() {
            err(value.span(), format!("`{field}` is empty"));
        } else if v.contains(['\r', '\n']) {
            err(value.span(), format!("`{field}` must be one line"));
        } else if v.chars().count() > max {
            err(
                value.span(),
                format!(
                    "`{field}` is {} characters; keep it to {max} or fewer",
                    v.chars().count()
                ),
            );
        }
    }

    let priority = raw
        .priority
        .get_ref()
        .parse::<Priority>()
        .map_err(|m| err(raw.priority.span(), m))
        .ok();
    let schedule = raw
        .schedule
        .get_ref()
        .parse::<Schedule>()
        .map_err(|m| err(raw.schedule.span(), m))
        .ok();
    let season = raw.season.as_ref().and_then(|s| {
        let from = s
            .from
            .get_ref()
            .parse::<MonthDay>()
            .map_err(|m| err(s.from.span(), m))
            .ok();
        let to =
            s.to.get_ref()
                .parse::<MonthDay>()
                .map_err(|m| err(s.to.span(), m))
                .ok();
        Some(Season {
            from: from?,
            to: to?,
        })
    });
    let starts = raw
        .starts
        .as_ref()
        .and_then(|d| date(d).map_err(|m| err(d.span(), m)).ok());
    let ends = raw
        .ends
        .as_ref()
        .and_then(|d| date(d).map_err(|m| err(d.span(), m)).ok());
    if let (Some(s), Some(e), Some(span)) = (starts, ends, raw.ends.as_ref().map(Spanned::span))
        && e < s
    {
        err(span, format!("`ends` ({e}) is before `starts` ({s})"));
    }

    if raw.areas.get_ref().is_empty() {
        err(raw.areas.span(), "`areas` is empty; use [\"all\"], a district (\"chiltern\", \"south-bucks\") or area slugs".into());
    }
    let mut targets = Vec::new();
    for a in raw.areas.get_ref() {
        match areas.target(a.get_ref()) {
            Some(t) if !targets.contains(&t) => targets.push(t),
            Some(_) => err(a.span(), format!("area `{}` is listed twice", a.get_ref())),
            None => err(
                a.span(),
                format!(
                    "unknown area `{}`; use \"all\", \"chiltern\", \"south-bucks\" or a slug from areas.toml{}",
                    a.get_ref(),
                    crate::domain::suggest::did_you_mean(
                        a.get_ref(),
                        ["all", "chiltern", "south-bucks"]
                            .into_iter()
                            .chain(areas.iter().map(|x| x.slug.as_str()))
                    )
                ),
            ),
        }
    }
    if raw.channels.get_ref().is_empty() {
        err(
            raw.channels.span(),
            "`channels` is empty; use one or more of \"email\", \"feed\", \"webhook\"".into(),
        );
    }
    let mut channels = Vec::new();
    for c in raw.channels.get_ref() {
        match c.get_ref().parse::<Channel>() {
            Ok(ch) if !channels.contains(&ch) => channels.push(ch),
            Ok(_) => err(
                c.span(),
                format!("channel `{}` is listed twice", c.get_ref()),
            ),
            Err(m) => err(c.span(), m),
        }
    }
    let grace = match &raw.grace {
        Some(g) => humantime::parse_duration(g.get_ref())
            .map_err(|e| {
                err(
                    g.span(),
                    format!(
                        "`{}` is not a duration like \"6h\" or \"30m\": {e}",
                        g.get_ref()
                    ),
                )
            })
            .ok(),
        None => Some(DEFAULT_GRACE),
    };
    let repeat_after = match &raw.repeat_after {
        Some(r) => crate::domain::sending::parse_window(r.get_ref())
            .map(Some)
            .map_err(|m| err(r.span(), format!("repeat_after: {m}")))
            .ok(),
        None => Some(None),
    };
    let survey = super::survey_kind::survey(raw.kind.as_ref(), raw.question.as_ref(), &mut err);
    super::survey_kind::check_channels(survey, &raw.channels, &mut err);
    let draft = match &raw.status {
        None => false,
        Some(s) => match s.get_ref().as_str() {
            "draft" => true,
            "scheduled" => false,
            other => {
                err(
                    s.span(),
                    format!("status `{other}` is not known; use \"draft\" or \"scheduled\""),
                );
                false
            }
        },
    };
    if body.trim().is_empty() {
        diags.push(Diagnostic::at(path, text, body_start, "the message body is empty; write the advice residents will read below the front matter"));
    }
    for (offset, why) in crate::domain::crime_vars::problems(body) {
        diags.push(Diagnostic::at(path, text, body_start + offset, why));
    }

    if diags.len() != before {
        return None;
    }
    let campaign = Campaign {
        slug,
        title: raw.title.into_inner().trim().to_string(),
        priority: priority?,
        lead: raw.lead.into_inner().trim().to_string(),
        schedule: schedule?,
        season,
        starts,
        ends,
        areas: targets,
        channels,
        subject: raw.subject.into_inner().trim().to_string(),
        summary: raw.summary.into_inner().trim().to_string(),
        body: body.trim().to_string(),
        grace: grace?,
        content_hash: hex::encode(Sha256::digest(text.as_bytes())),
        repeat_after: repeat_after?,
        urgent: raw.urgent,
        survey,
    };
    Some((campaign, draft))
}

#[cfg(test)]
#[path = "campaign_file_tests.rs"]
mod tests;
