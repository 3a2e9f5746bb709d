//! Campaign Markdown to safe HTML and to plain text.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

fn options() -> Options {
    Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES
}

/// HTML with only harmless tags and attributes: campaign files are trusted, but a mistake in one
/// (or a pasted snippet) must never put script into a resident's inbox.
pub fn to_html(markdown: &str) -> String {
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options()));
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .url_schemes(["https", "http", "mailto", "tel"].into())
        .clean(&raw)
        .to_string()
}

/// Readable plain text: headings and paragraphs separated by blank lines, list items with
/// dashes, links as `text (url)`.
pub fn to_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut links: Vec<String> = Vec::new();
    let mut list_depth = 0usize;
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::Item) => {
                out.push_str(&"  ".repeat(list_depth.saturating_sub(1)));
                out.push_str("- ");
            }
            Event::Start(Tag::List(_)) => list_depth += 1,
            Event::End(TagEnd::List(_)) => {
                list_depth = list_depth.saturating_sub(1);
                if list_depth == 0 {
                    out.push('\n');
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = links.pop()
                    && !out.ends_with(url.as_str())
                {
                    out.push_str(&format!(" ({url})"));
                }
            }
            Event::End(TagEnd::Heading(_)) | Event::End(TagEnd::Paragraph) => {
                out.push('\n');
                if list_depth == 0 {
                    out.push('\n');
                }
            }
            Event::End(TagEnd::Item) if !out.ends_with('\n') => out.push('\n'),
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak | Event::Rule => out.push('\n'),
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_html_without_script() {
        let html = to_html(
            "## Lock up\n\n- Use a **timer** switch\n\n<script>alert(1)</script>\n\n[Police](https://www.police.uk) [x](javascript:alert(1))",
        );
        assert!(html.contains("<h2>Lock up</h2>"));
        assert!(html.contains("<strong>timer</strong>"));
        assert!(html.contains("href=\"https://www.police.uk\""));
        assert!(
            !html.contains("<script") && !html.contains("javascript:"),
            "{html}"
        );
    }

    #[test]
    fn markdown_becomes_plain_text() {
        let text = to_text(
            "## Lock up\n\nClose windows.\n\n- One\n- Two [site](https://a.example)\n\nEnd.",
        );
        assert_eq!(
            text,
            "Lock up\n\nClose windows.\n\n- One\n- Two site (https://a.example)\n\nEnd."
        );
    }
}
