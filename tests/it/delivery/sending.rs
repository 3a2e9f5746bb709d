//! A campaign over real SMTP: once per subscriber, headers, retries, bounces, DKIM.

use super::*;

async fn a_campaign_reaches_each_matching_subscriber_once_with_headers_and_one_click_unsubscribe(
    db: TestDb,
) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    app.resident("ann@example.com", &["chesham"], &[BURGLARY])
        .await;
    app.resident(
        "bob@example.com",
        &["burnham", "chesham"],
        &[BURGLARY, "fear-of-crime"],
    )
    .await;
    app.resident("cat@example.com", &["chesham"], &["fear-of-crime"])
        .await;

    let t0 = Utc::now();
    let run = app
        .services
        .scheduler
        .send_now("winter-burglary", &[], t0, None)
        .await
        .unwrap()
        .unwrap();
    let report = app.drain(t0).await;
    assert_eq!(report.sent, 2, "{}: {report:?}", app.db.name);
    let msgs = sink.wait_for(2, StdDuration::from_secs(10));
    let counts = to_counts(&msgs);
    assert_eq!(counts.get("ann@example.com"), Some(&1));
    assert_eq!(counts.get("bob@example.com"), Some(&1));
    assert_eq!(
        counts.get("cat@example.com"),
        None,
        "cat follows another topic"
    );

    let ann = msgs.iter().find(|m| m.to == ["ann@example.com"]).unwrap();
    let raw = &ann.data;
    assert_eq!(
        header(raw, "Subject").unwrap(),
        "The clocks have gone back: make your home look lived in"
    );
    assert!(
        header(raw, "From")
            .unwrap()
            .contains("Chiltern and South Bucks Community Safety")
    );
    assert!(header(raw, "Message-ID").unwrap().starts_with('<'));
    assert!(header(raw, "Date").is_some());
    assert!(header(raw, "List-Id").unwrap().contains("alerts."));
    assert_eq!(
        header(raw, "List-Unsubscribe-Post").unwrap(),
        "List-Unsubscribe=One-Click"
    );
    let unsub = header(raw, "List-Unsubscribe").unwrap();
    let unsub_url = unsub
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string();
    assert!(
        unsub_url.starts_with(&format!("{}/unsubscribe/", app.base)),
        "{unsub_url}"
    );
    assert!(
        header(raw, "Content-Type")
            .unwrap()
            .starts_with("multipart/alternative")
    );
    assert!(raw.contains("Content-Type: text/plain") && raw.contains("Content-Type: text/html"));
    let body = decoded(raw);
    assert!(body.contains("alerts for Chesham"), "footer names the area");
    assert!(body.contains(&format!("Unsubscribe: {unsub_url}")));
    assert!(body.contains(&format!("{}/manage/", app.base)));
    assert!(body.contains(&format!("{}/messages/{run}", app.base)));

    // A link scanner's GET changes nothing; the mail client's one-click POST unsubscribes.
    let page = app.http.get(&unsub_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("<button"));
    let res = app
        .http
        .post(&unsub_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let tampered = format!("{}x", unsub_url);
    assert_eq!(
        app.http
            .post(&tampered)
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    let t1 = t0 + Duration::minutes(1);
    // Within the repeat window a second send is a deliberate repeat.
    app.services
        .scheduler
        .send(&resend("winter-burglary"), t1)
        .await
        .unwrap()
        .unwrap();
    app.drain(t1).await;
    let msgs = sink.wait_for(3, StdDuration::from_secs(10));
    let counts = to_counts(&msgs);
    assert_eq!(
        counts.get("ann@example.com"),
        Some(&1),
        "ann left: nothing more for her"
    );
    assert_eq!(counts.get("bob@example.com"), Some(&2));
    app.finish().await;
}
each_engine!(
    a_campaign_reaches_each_matching_subscriber_once_with_headers_and_one_click_unsubscribe
);

async fn a_server_that_answers_451_then_250_gets_the_message_delivered_once(db: TestDb) {
    let sink = SmtpSink::start_with(Script {
        temp_fail_first: 1,
        ..Default::default()
    });
    let app = spawn_app(db, &sink).await;
    app.resident("ann@example.com", &["chesham"], &[BURGLARY])
        .await;
    let t0 = Utc::now();
    app.services
        .scheduler
        .send_now("winter-burglary", &[], t0, None)
        .await
        .unwrap();
    let first = app.drain(t0).await;
    assert_eq!((first.sent, first.retried), (0, 1), "{}", app.db.name);
    assert_eq!(sink.temp_failures(), 1);
    // Not due again until the backoff has passed.
    assert_eq!(app.drain(t0 + Duration::seconds(1)).await.claimed, 0);
    let later = app.drain(t0 + Duration::minutes(5)).await;
    assert_eq!(later.sent, 1);
    assert_eq!(
        to_counts(&sink.wait_for(1, StdDuration::from_secs(10))).get("ann@example.com"),
        Some(&1)
    );
    let stats = app.services.store.stats(t0).await.unwrap();
    assert!(stats.depth.iter().all(|d| d.status == "sent"), "{stats:?}");
    app.finish().await;
}
each_engine!(a_server_that_answers_451_then_250_gets_the_message_delivered_once);

async fn a_550_fails_the_row_and_suppresses_the_address_for_later_runs(db: TestDb) {
    let sink = SmtpSink::start_with(Script {
        reject_rcpt: vec!["gone@example.com".into()],
        ..Default::default()
    });
    let app = spawn_app(db, &sink).await;
    app.resident("gone@example.com", &["chesham"], &[BURGLARY])
        .await;
    app.resident("ann@example.com", &["chesham"], &[BURGLARY])
        .await;
    let t0 = Utc::now();
    app.services
        .scheduler
        .send_now("winter-burglary", &[], t0, None)
        .await
        .unwrap();
    let r = app.drain(t0).await;
    assert_eq!((r.sent, r.failed, r.retried), (1, 1, 0), "{}", app.db.name);
    let t1 = t0 + Duration::minutes(1);
    // Within the repeat window a second send is a deliberate repeat.
    app.services
        .scheduler
        .send(&resend("winter-burglary"), t1)
        .await
        .unwrap();
    let r = app.drain(t1).await;
    assert_eq!(
        (r.claimed, r.sent),
        (1, 1),
        "the bounced address is not queued again"
    );
    let counts = to_counts(&sink.wait_for(2, StdDuration::from_secs(10)));
    assert_eq!(counts.get("gone@example.com"), None);
    assert_eq!(counts.get("ann@example.com"), Some(&2));
    app.finish().await;
}
each_engine!(a_550_fails_the_row_and_suppresses_the_address_for_later_runs);

#[tokio::test]
async fn mail_is_dkim_signed_when_a_key_is_configured() {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 1024).unwrap();
    let pem = key.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("dkim.pem");
    std::fs::write(&key_file, pem.as_bytes()).unwrap();
    let sink = SmtpSink::start();
    let mut config = beacon::config::Config::default();
    config.mail.transport = sink.url();
    config.mail.dkim_selector = Some("beacon2026".into());
    config.mail.dkim_domain = Some("alerts.example.org".into());
    config.mail.dkim_key_file = Some(key_file.clone());
    let mailer = beacon::app::mailer(&config.mail).unwrap();
    let msg = mailer
        .build(&beacon::channels::email::Outgoing {
            to: "ann@example.com",
            subject: "Signed",
            text: "Hello".into(),
            html: None,
            list_id: None,
            unsubscribe_url: None,
        })
        .unwrap();
    mailer.send(msg).await.unwrap();
    let got = sink.wait_for(1, StdDuration::from_secs(10));
    let sig = header(&got[0].data, "DKIM-Signature").expect("signed");
    assert!(
        sig.contains("d=alerts.example.org") && sig.contains("s=beacon2026"),
        "{sig}"
    );
    assert!(sig.contains("b=") && sig.contains("a=rsa-sha256"), "{sig}");

    // A broken key gets a sentence that names the file and what it should hold.
    std::fs::write(
        &key_file,
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let err = beacon::app::mailer(&config.mail).err().unwrap().to_string();
    assert!(err.contains("RSA key") && err.contains("dkim.pem"), "{err}");
}
