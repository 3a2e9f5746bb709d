//! DKIM on real mail through a real SMTP server, checked by dkimpy.

use crate::smtp::SmtpSink;
use crate::support::sqlite;
use chrono::Utc;

static DKIM_KEY: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// True when dkimpy (a DKIM implementation we did not write) verifies `message` against `p`.
fn dkimpy_verifies(message: &[u8], public_key_b64: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("message.eml");
    std::fs::write(&path, message).unwrap();
    let script = "import sys, dkim\n\
        msg = open(sys.argv[1], 'rb').read()\n\
        txt = ('v=DKIM1; k=rsa; p=' + sys.argv[2]).encode()\n\
        print('verified' if dkim.verify(msg, dnsfunc=lambda name, timeout=5: txt) else 'refused')\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .arg(public_key_b64)
        .output()
        .expect("python3 runs (CI installs it and dkimpy: .ci/run)");
    let said = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        out.status.success() && (said == "verified" || said == "refused"),
        "dkimpy did not run (pip install dkimpy): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    said == "verified"
}

#[tokio::test]
async fn dkim_signatures_on_real_mail_verify_with_dkimpy_and_cover_list_unsubscribe() {
    use crate::app::{Options, spawn_app_with};
    use crate::smtp::header;
    use base64::Engine;
    // The key exactly as an administrator makes it: plain `openssl genrsa` (PKCS#8 on OpenSSL 3).
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("dkim.pem");
    let made = std::process::Command::new("openssl")
        .args(["genrsa", "-out"])
        .arg(&key)
        .arg("2048")
        .output()
        .unwrap();
    assert!(made.status.success());
    assert!(
        std::fs::read_to_string(&key)
            .unwrap()
            .contains("BEGIN PRIVATE KEY")
    );
    let public = std::process::Command::new("openssl")
        .args(["pkey", "-pubout", "-outform", "DER", "-in"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(public.status.success());
    let p = base64::engine::general_purpose::STANDARD.encode(&public.stdout);
    DKIM_KEY.set(key).unwrap();

    let sink = SmtpSink::start();
    let app = spawn_app_with(
        sqlite().await,
        &sink,
        Options {
            configure: |c| {
                c.mail.dkim_selector = Some("beacon2026".into());
                c.mail.dkim_domain = Some("alerts.example.org".into());
                c.mail.dkim_key_file = DKIM_KEY.get().cloned();
            },
            ..Options::default()
        },
    )
    .await;
    app.resident("ann@example.com", &["chesham"], &["burglary-vehicle"])
        .await;
    app.services
        .scheduler
        .send_now("winter-burglary", &[], Utc::now(), None)
        .await
        .unwrap();
    let r = app
        .post_form(
            "/subscribe",
            &[
                ("email", "bob@example.com"),
                ("postcode", "HP5 9AA"),
                ("topics", "burglary-vehicle"),
                ("frequency", "immediate"),
                ("consent", "yes"),
                ("website", ""),
            ],
        )
        .await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<h1>Check your email</h1>")
    );
    app.drain(Utc::now()).await;
    let mails = sink.wait_for(2, std::time::Duration::from_secs(10));
    assert_eq!(mails.len(), 2);
    let mut saw_one_click = false;
    for m in &mails {
        let sig = header(&m.data, "DKIM-Signature").expect("signed");
        assert!(sig.contains("c=relaxed/relaxed"), "{sig}");
        let h: String = sig
            .split(';')
            .find_map(|t| t.trim().strip_prefix("h="))
            .unwrap()
            .split_whitespace()
            .collect();
        let h: Vec<&str> = h.split(':').collect();
        for name in [
            "from",
            "subject",
            "list-unsubscribe",
            "list-unsubscribe-post",
        ] {
            assert!(h.contains(&name), "{name} not in h= of {sig}");
        }
        saw_one_click |= header(&m.data, "List-Unsubscribe-Post").is_some();
        assert!(
            dkimpy_verifies(m.data.as_bytes(), &p),
            "dkimpy refused: {}",
            m.data
        );
        // The verifier really checks: a changed subject is refused.
        let tampered = m.data.replacen("Subject: ", "Subject: Re: ", 1);
        assert!(!dkimpy_verifies(tampered.as_bytes(), &p));
    }
    assert!(
        saw_one_click,
        "a campaign mail with one-click unsubscribe was checked"
    );
    app.finish().await;
}
