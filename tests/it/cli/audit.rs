//! Command-line actions land in the audit log under the operating-system account that ran
//! them (`cli:NAME`), as console actions do under a person's address.

use super::*;

/// The account name as the system reports it, by a program that is not ours.
fn os_user() -> String {
    let out = Command::new("id").arg("-un").output().expect("id runs");
    text(&out.stdout).trim().to_string()
}

#[tokio::test]
async fn send_demo_reload_import_and_users_are_audited_with_the_os_user() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let csv = d.join("people.csv");
    std::fs::write(&csv, "email,postcode\nzed@example.com,HP5 1AA\n").unwrap();
    for args in [
        vec!["demo", "--subscribers", "20"],
        vec!["reload"],
        vec![
            "subscribers",
            "import",
            csv.to_str().unwrap(),
            "--source",
            "watch",
        ],
        vec!["users", "add", "new@example.org", "--role", "viewer"],
        vec!["send", "courier-fraud", "--force", "--no-wait"],
    ] {
        let out = beacon_in(d, &args);
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }
    let store = beacon::store::open(&format!("sqlite://{}", d.join("b.db").display()), 1)
        .await
        .unwrap();
    let log = store.recent_audit(50).await.unwrap();
    let actor = format!("cli:{}", os_user());
    for action in [
        "demo",
        "calendar.reload",
        "subscribers.import",
        "user.add",
        "campaign.send",
    ] {
        let e = log
            .iter()
            .find(|e| e.action == action)
            .unwrap_or_else(|| panic!("{action} is not in the audit log: {log:?}"));
        assert_eq!(e.actor, actor, "{action}");
    }
    store.close().await;
}
