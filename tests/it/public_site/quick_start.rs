//! The README's quick start, as a newcomer meets it: a port already taken, and a `--listen` that
//! no longer matches `server.base_url`.

use crate::support::repo_path;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn beacon_serve(dir: &std::path::Path, listen: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_beacon"))
        .args(["serve", "--no-scheduler", "--no-worker", "--listen", listen])
        .current_dir(dir)
        .env_remove("BEACON_CONFIG")
        .env_remove("BEACON_SERVER__BASE_URL")
        .env(
            "BEACON_CALENDAR__DIR",
            repo_path("tests/fixtures/campaigns"),
        )
        .env(
            "BEACON_DATABASE__URL",
            format!("sqlite://{}", dir.join("b.db").display()),
        )
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn a_taken_port_says_so_and_suggests_listen() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let mut child = beacon_serve(dir.path(), &addr);
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "beacon did not stop"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!status.success());
    assert!(
        err.contains("already in use") && err.contains("--listen"),
        "{err}"
    );
}

#[test]
fn a_listen_address_that_links_do_not_use_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let mut child = beacon_serve(dir.path(), &listen);
    let mut stderr = child.stderr.take().unwrap();
    // Read until the warning arrives (or the pipe closes), then stop the server.
    let reader = std::thread::spawn(move || {
        let mut seen = String::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
            if seen.contains("where nothing answers") {
                break;
            }
        }
        seen
    });
    let started = Instant::now();
    while !reader.is_finished() && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let _ = child.wait();
    let log = reader.join().unwrap();
    assert!(
        log.contains(&format!(
            "server.base_url is http://127.0.0.1:8080 but Beacon listens on {listen}"
        )),
        "{log}"
    );
}
