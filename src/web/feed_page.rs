//! The page a person sees on opening an Atom or RSS feed in a browser: chosen by content
//! negotiation, so no browser is asked to run XSLT (Chromium is removing it, and says so on
//! the page).

use crate::domain::{FeedItem, LONDON};
use crate::render::feeds::{FeedSite, feed_title};
use axum::http::HeaderMap;
use axum_extra::headers::HeaderMapExt;
use headers_accept::Accept;
use mediatype::{MediaType, names};

const ATOM: MediaType =
    MediaType::from_parts(names::APPLICATION, names::ATOM, Some(names::XML), &[]);
const RSS: MediaType = MediaType::from_parts(names::APPLICATION, names::RSS, Some(names::XML), &[]);
const HTML: MediaType = MediaType::new(names::TEXT, names::HTML);

/// What a feed URL offers, in the order we prefer on a tie: the feed (under any type a feed
/// reader might name for it), then the page. So `*/*`, no `Accept` or one we cannot parse get
/// the feed, and the page goes only to a client that ranks `text/html` above every feed type,
/// as browsers do when navigating (`text/html,…,application/xml;q=0.9,*/*;q=0.8`).
const OFFERED: [MediaType; 5] = [
    ATOM,
    RSS,
    MediaType::new(names::APPLICATION, names::XML),
    MediaType::new(names::TEXT, names::XML),
    HTML,
];

/// Whether the client would rather have the page than the feed (RFC 9110 §12.5.1: q-values,
/// the most specific range winning, `q=0` refusing).
pub(super) fn prefers_html(headers: &HeaderMap) -> bool {
    headers
        .typed_get::<Accept>()
        .and_then(|accept| accept.negotiate(OFFERED.iter()).cloned())
        == Some(HTML)
}

struct Entry {
    url: String,
    title: String,
    /// For `<time datetime>`.
    iso: String,
    published: String,
    lead: String,
    summary: String,
}

#[derive(askama::Template)]
#[template(path = "pages/feed.html")]
struct FeedPage<'a> {
    title: String,
    /// "Atom" or "RSS": the format of the address the person opened.
    format: &'a str,
    feed_url: String,
    media_type: &'a str,
    /// The same alerts in the other format, for readers that take only that one.
    other_format: &'a str,
    other_url: String,
    entries: Vec<Entry>,
}

/// The page for the feed `file` (`atom.xml` or `rss.xml`) of `area`, from the items the feed
/// itself shows.
pub(super) fn render(
    site: &FeedSite<'_>,
    area: &str,
    area_name: &str,
    file: &str,
    items: &[FeedItem],
) -> Result<String, askama::Error> {
    let (format, media_type, other_format, other_file) = match file {
        "rss.xml" => ("RSS", "application/rss+xml", "Atom", "atom.xml"),
        _ => ("Atom", "application/atom+xml", "RSS", "rss.xml"),
    };
    let entries = items
        .iter()
        .map(|i| {
            let local = i.published.with_timezone(&LONDON);
            Entry {
                url: site.message_url(i.run_id),
                title: i.title.clone(),
                iso: i.published.to_rfc3339(),
                published: local.format("%-d %B %Y").to_string(),
                lead: i.lead.clone(),
                summary: i.summary.clone(),
            }
        })
        .collect();
    // The layout's header and footer read the organisation as the runtime value `org`, as on
    // every other public page (`pages::render`).
    let settings = super::site::settings();
    let org: &dyn std::any::Any = &settings.organisation;
    askama::Template::render_with_values(
        &FeedPage {
            title: feed_title(area_name),
            format,
            feed_url: site.feed_url(area, file),
            media_type,
            other_format,
            other_url: site.feed_url(area, other_file),
            entries,
        },
        &("org", org),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header;

    fn html_for(accept: &str) -> bool {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, accept.parse().expect("test header"));
        prefers_html(&h)
    }

    #[test]
    fn browsers_navigating_get_the_page() {
        // Chromium, Firefox and Safari as they navigate to a link.
        assert!(html_for(
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,\
             image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
        ));
        assert!(html_for(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        ));
        assert!(html_for("text/html, application/atom+xml;q=0.5"));
        assert!(html_for("text/html, text/*;q=0.5, */*;q=0.1"));
    }

    #[test]
    fn feed_readers_and_everything_else_get_the_feed() {
        assert!(!html_for("application/atom+xml, text/html;q=0.5"));
        assert!(!html_for("application/rss+xml, text/html;q=0.5"));
        assert!(!html_for(
            "application/rss+xml, application/rdf+xml;q=0.8, application/atom+xml;q=0.6, \
             application/xml;q=0.4, text/xml;q=0.4"
        ));
        assert!(!html_for("application/xml, text/html;q=0.9"));
        assert!(!html_for("*/*"));
        assert!(!html_for("text/html;q=0, */*"));
        assert!(!html_for("text/*;q=0.2, application/*"));
        // `text/*` takes `text/xml` as gladly as `text/html`: a tie goes to the feed.
        assert!(!html_for("text/*, */*;q=0.1"));
        assert!(!html_for("image/png"));
        assert!(!html_for("not a media type;;"));
        assert!(!prefers_html(&HeaderMap::new()));
    }
}
