//! `beacon serve`: calendar changes picked up on reload and SIGHUP, broken ones refused.

use super::*;

/// A running `beacon serve`, stopped (SIGTERM) when dropped.
pub(super) struct Served {
    child: std::process::Child,
    base: String,
    /// What the server logs (stderr).
    pub(super) log: std::path::PathBuf,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

pub(super) fn serve(dir: &std::path::Path, campaigns: &std::path::Path) -> Served {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_beacon"))
        .args(["serve", "--no-scheduler", "--no-worker"])
        .current_dir(dir)
        .env_remove("BEACON_CONFIG")
        .env("BEACON_CALENDAR__DIR", campaigns)
        .env(
            "BEACON_DATABASE__URL",
            format!("sqlite://{}", dir.join("b.db").display()),
        )
        .env("BEACON_SERVER__LISTEN", format!("127.0.0.1:{port}"))
        .env("BEACON_SERVER__BASE_URL", &base)
        .env("BEACON_DELIVERY__TICK_SECS", "1")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(dir.join("serve.log")).unwrap())
        .spawn()
        .unwrap();
    Served {
        child,
        base,
        log: dir.join("serve.log"),
    }
}

/// Waits (up to 20 s) until the server's log has logged `line` `times` times.
pub(super) async fn logged(served: &Served, line: &str, times: usize) -> bool {
    for _ in 0..200 {
        let log = std::fs::read_to_string(&served.log).unwrap_or_default();
        if log.matches(line).count() >= times {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

/// The home page once `want` is (or is not) on it, waiting up to 20 s for the server to see it.
async fn home_until(base: &str, want: &str, present: bool) -> bool {
    for _ in 0..200 {
        if let Ok(r) = reqwest::get(format!("{base}/")).await
            && let Ok(body) = r.text().await
            && body.contains(want) == present
        {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn serve_picks_up_calendar_changes_on_reload_and_sighup_and_refuses_broken_ones() {
    let dir = tempfile::tempdir().unwrap();
    let campaigns = dir.path().join("campaigns");
    std::fs::create_dir(&campaigns).unwrap();
    for entry in std::fs::read_dir(repo_path("tests/fixtures/campaigns")).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, campaigns.join(p.file_name().unwrap())).unwrap();
    }
    let areas = campaigns.join("areas.toml");
    let add_area = |slug: &str, name: &str| {
        let mut text = std::fs::read_to_string(&areas).unwrap();
        text.push_str(&format!(
            "\n[[area]]\nslug = \"{slug}\"\nname = \"{name}\"\ndistrict = \"chiltern\"\nwards = [\"Chesham\"]\nplaces = [{{ name = \"{name}\", grid = [496000, 230000] }}]\n"
        ));
        std::fs::write(&areas, text).unwrap();
    };
    let served = serve(dir.path(), &campaigns);
    assert!(home_until(&served.base, "Chesham", true).await, "server up");

    add_area("testington", "Testington");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_beacon"))
            .args(args)
            .current_dir(dir.path())
            .env_remove("BEACON_CONFIG")
            .env("BEACON_CALENDAR__DIR", &campaigns)
            .env(
                "BEACON_DATABASE__URL",
                format!("sqlite://{}", dir.path().join("b.db").display()),
            )
            .output()
            .unwrap()
    };
    assert!(run(&["reload"]).status.success());
    assert!(
        home_until(&served.base, "Testington", true).await,
        "beacon reload"
    );

    add_area("hupton", "Hupton");
    let hup = Command::new("kill")
        .args(["-HUP", &served.child.id().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    assert!(home_until(&served.base, "Hupton", true).await, "SIGHUP");

    assert!(logged(&served, "calendar reloaded", 2).await, "two reloads");

    // A broken calendar is refused by `reload` and never half-loaded by the server: the
    // broken file also adds an area, which must not appear.
    add_area("brokenton", "Brokenton");
    let good = std::fs::read_to_string(&areas).unwrap();
    std::fs::write(&areas, good.replace("name = \"Hupton\"", "name = 42")).unwrap();
    let refused = run(&["reload"]);
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("areas.toml:"),
        "{}",
        text(&refused.stderr)
    );
    let hup = Command::new("kill")
        .args(["-HUP", &served.child.id().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    // The server handled the signal: it read the files and refused them.
    assert!(
        logged(&served, "calendar reload refused", 1).await,
        "the SIGHUP was handled: {}",
        std::fs::read_to_string(&served.log).unwrap_or_default()
    );
    let log = std::fs::read_to_string(&served.log).unwrap();
    assert_eq!(log.matches("calendar reloaded").count(), 2, "{log}");
    let page = reqwest::get(format!("{}/", served.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Hupton") && !page.contains("Brokenton"),
        "old calendar kept"
    );
}
