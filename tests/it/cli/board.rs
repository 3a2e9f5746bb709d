//! The board report as a board member gets it: `beacon demo`'s believable history, the HTML
//! report printed to PDF by headless Chromium, and the PDF checked with poppler's tools.

use super::*;
use std::path::Path;

/// `program` is installed, or a reason (fatal under CI, where `.ci/run` installs it).
fn tool(program: &str, package: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{program} is missing under CI (apt-get install {package})"
        );
        eprintln!("skipping: {program} is missing (apt-get install {package})");
    }
    found
}

fn chromium() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".into())
}

/// Prints `html` to an A4 PDF the way a person's "Save as PDF" does, without header or footer.
fn print_to_pdf(html: &Path, pdf: &Path) {
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            &format!("--print-to-pdf={}", pdf.display()),
            &format!("file://{}", html.display()),
        ])
        // Under `faketime` Chromium stalls; the printout does not depend on the clock.
        .env_remove("LD_PRELOAD")
        .env_remove("FAKETIME")
        .output()
        .unwrap();
    assert!(pdf.exists(), "chromium made no PDF: {}", text(&out.stderr));
}

fn page_text(pdf: &Path, page: u32) -> String {
    let n = page.to_string();
    let out = Command::new("pdftotext")
        .args(["-f", &n, "-l", &n, "-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    text(&out.stdout)
}

#[test]
fn demo_history_prints_as_a_board_report_whose_summary_fits_two_a4_pages() {
    if !tool(&chromium(), "chromium") || !tool("pdfinfo", "poppler-utils") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = beacon_in(d, &["demo", "--subscribers", "2000", "--months", "12"]);
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    let summary = text(&demo.stdout);
    assert_eq!(summary.lines().count(), 1, "one summary line: {summary}");
    assert!(
        summary.starts_with("added 2,000 demo residents"),
        "{summary}"
    );
    assert!(!summary.contains(" 0 past send(s)"), "{summary}");

    // The history is real: the audience grew over the period and campaigns went out.
    let json = beacon_in(d, &["report", "--format", "json"]);
    let r: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(r["totals"]["subscribers"], 2000);
    let baseline = r["totals"]["baseline_subscribers"].as_i64().unwrap();
    assert!((1500..1990).contains(&baseline), "baseline {baseline}");
    assert!(r["totals"]["delivered"].as_i64().unwrap() > 0);
    assert!(r["sources"].as_array().unwrap().len() >= 3);
    assert!(r["previous"]["totals"]["subscribers"].as_i64().unwrap() < baseline + 1);
    let per_1000: Vec<f64> = r["areas"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["per_1000_households"].as_f64())
        .collect();
    assert!(
        per_1000.len() >= 10,
        "most areas have a figure: {per_1000:?}"
    );

    let html = d.join("board.html");
    let out = beacon_in(
        d,
        &[
            "report",
            "--format",
            "html",
            "--output",
            html.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let pdf = d.join("board.pdf");
    print_to_pdf(&html, &pdf);

    let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let info = text(&info.stdout);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Page size:") && l.contains("(A4)")),
        "{info}"
    );
    let pages: u32 = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    let appendix = (1..=pages)
        .find(|p| page_text(&pdf, *p).lines().any(|l| l.trim() == "Appendix"))
        .expect("the appendix heading is printed");
    assert!(
        appendix <= 3,
        "the summary takes {} pages; the board reads at most 2",
        appendix - 1
    );
    let first = page_text(&pdf, 1);
    for words in [
        "What was sent and whom it reached",
        "Outcome targets",
        "Period before",
        "messages reached residents",
    ] {
        assert!(first.contains(words), "page one lacks {words:?}:\n{first}");
    }
    assert!(!first.contains("20000.0"), "{first}");
}
