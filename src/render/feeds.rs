//! Per-area alert feeds: Atom (RFC 4287) and RSS 2.0, built with the feed crates.

use crate::domain::FeedItem;
use atom_syndication as atom;
use chrono::{DateTime, FixedOffset, Utc};

/// What is common to every feed of one site.
#[derive(Debug, Clone)]
pub struct FeedSite<'a> {
    pub base_url: &'a str,
    /// For tag URIs: the host of `base_url`.
    pub authority: &'a str,
}

impl FeedSite<'_> {
    pub fn message_url(&self, run_id: i64) -> String {
        format!("{}/messages/{run_id}", self.base_url)
    }
    pub fn cap_url(&self, run_id: i64) -> String {
        format!("{}/alerts/{run_id}/cap.xml", self.base_url)
    }
    /// Where the feed `file` (`atom.xml`, `rss.xml`, `cap.xml`) of `area` is served.
    pub fn feed_url(&self, area: &str, file: &str) -> String {
        format!("{}/feeds/{area}/{file}", self.base_url)
    }
    pub fn entry_id(&self, run_id: i64) -> String {
        format!("tag:{},2026:message/{run_id}", self.authority)
    }
    fn feed_id(&self, area: &str, kind: &str) -> String {
        format!("tag:{},2026:feed/{area}/{kind}", self.authority)
    }
}

/// The XSLT that makes a page of a feed fetched as XML (see `static/feed.xsl`). Browsers
/// navigating to a feed are sent an HTML page instead (content negotiation in `web/`), so this
/// serves only clients that ask for XML and still run stylesheets. Root-relative, so it is
/// always same-origin with the feed, as browsers require of a stylesheet.
pub const STYLESHEET: &str = "/static/feed.xsl";

/// `xml` with an `<?xml-stylesheet?>` instruction after its declaration: a client that runs
/// XSLT shows the feed as a page for people; feed readers skip the instruction.
fn for_people(xml: String) -> String {
    let pi = format!("<?xml-stylesheet type=\"text/xsl\" href=\"{STYLESHEET}\"?>");
    match xml.strip_prefix("<?xml").and_then(|rest| rest.find("?>")) {
        Some(end) => {
            let at = "<?xml".len() + end + "?>".len();
            format!("{}\n{pi}{}", &xml[..at], &xml[at..])
        }
        None => format!("{pi}\n{xml}"),
    }
}

/// The newest message's time, or `since` (when the feed began) for a feed with none yet.
fn updated(items: &[FeedItem], since: DateTime<Utc>) -> DateTime<Utc> {
    items.iter().map(|i| i.published).max().unwrap_or(since)
}

fn fixed(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.fixed_offset()
}

/// The feed's title, which its page for people shows too.
pub fn feed_title(area_name: &str) -> String {
    format!("Community safety alerts: {area_name}")
}

/// The Atom feed of messages for an area (or `all`), newest first; `since` is when the feed
/// began, its `updated` date while it has no messages. The CAP index is for machines only and
/// carries no stylesheet.
pub fn atom(
    site: &FeedSite<'_>,
    area: &str,
    area_name: &str,
    items: &[FeedItem],
    since: DateTime<Utc>,
    cap_index: bool,
) -> String {
    let kind = if cap_index { "cap" } else { "atom" };
    let self_url = site.feed_url(area, &format!("{kind}.xml"));
    let updated = updated(items, since);
    let entries: Vec<atom::Entry> = items
        .iter()
        .map(|i| {
            let (href, mime) = if cap_index {
                (site.cap_url(i.run_id), "application/cap+xml")
            } else {
                (site.message_url(i.run_id), "text/html")
            };
            atom::EntryBuilder::default()
                .id(site.entry_id(i.run_id))
                .title(i.title.clone())
                .updated(fixed(i.published))
                .published(Some(fixed(i.published)))
                .authors(vec![
                    atom::PersonBuilder::default().name(i.lead.clone()).build(),
                ])
                .categories(vec![
                    atom::CategoryBuilder::default()
                        .term(i.priority.clone())
                        .build(),
                ])
                .links(vec![
                    atom::LinkBuilder::default()
                        .href(href)
                        .rel("alternate")
                        .mime_type(Some(mime.to_string()))
                        .build(),
                ])
                .summary(Some(atom::Text::plain(i.summary.clone())))
                .content(Some(
                    atom::ContentBuilder::default()
                        .content_type(Some("html".to_string()))
                        .value(Some(super::markdown::to_html(&i.body_markdown)))
                        .build(),
                ))
                .build()
        })
        .collect();
    let xml = atom::FeedBuilder::default()
        .id(site.feed_id(area, kind))
        .title(feed_title(area_name))
        .subtitle(Some(atom::Text::plain("Crime-prevention advice and alerts from the Chiltern and South Bucks Community Safety Partnership")))
        .updated(fixed(updated))
        .lang(Some("en-GB".to_string()))
        .authors(vec![atom::PersonBuilder::default().name("Chiltern and South Bucks Community Safety Partnership").build()])
        .links(vec![
            atom::LinkBuilder::default().href(self_url).rel("self").mime_type(Some("application/atom+xml".to_string())).build(),
            atom::LinkBuilder::default().href(format!("{}/", site.base_url)).rel("alternate").build(),
        ])
        .entries(entries)
        .build()
        .to_string();
    if cap_index { xml } else { for_people(xml) }
}

/// The RSS 2.0 feed of messages for an area (or `all`), newest first, with its own address in
/// `atom:link rel="self"` (as the RSS Advisory Board recommends); `since` as for [`atom`].
pub fn rss(
    site: &FeedSite<'_>,
    area: &str,
    area_name: &str,
    items: &[FeedItem],
    since: DateTime<Utc>,
) -> String {
    let rss_items: Vec<rss::Item> = items
        .iter()
        .map(|i| {
            rss::ItemBuilder::default()
                .title(Some(i.title.clone()))
                .link(Some(site.message_url(i.run_id)))
                .guid(Some(
                    rss::GuidBuilder::default()
                        .value(site.entry_id(i.run_id))
                        .permalink(false)
                        .build(),
                ))
                .pub_date(Some(i.published.to_rfc2822()))
                .author(None)
                .description(Some(i.summary.clone()))
                .content(Some(super::markdown::to_html(&i.body_markdown)))
                .categories(vec![
                    rss::CategoryBuilder::default()
                        .name(i.priority.clone())
                        .build(),
                ])
                .dublin_core_ext(Some(
                    rss::extension::dublincore::DublinCoreExtensionBuilder::default()
                        .creators(vec![i.lead.clone()])
                        .build(),
                ))
                .build()
        })
        .collect();
    let self_link = atom::LinkBuilder::default()
        .href(site.feed_url(area, "rss.xml"))
        .rel("self")
        .mime_type(Some("application/rss+xml".to_string()))
        .build();
    let xml = rss::ChannelBuilder::default()
        .title(feed_title(area_name))
        .link(format!("{}/", site.base_url))
        .description("Crime-prevention advice and alerts from the Chiltern and South Bucks Community Safety Partnership")
        .language(Some("en-GB".to_string()))
        .last_build_date(Some(updated(items, since).to_rfc2822()))
        .atom_ext(Some(rss::extension::atom::AtomExtension {
            links: vec![self_link],
        }))
        .items(rss_items)
        .build()
        .to_string();
    for_people(xml)
}
