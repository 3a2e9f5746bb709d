//! The SMTP sink's own tests: accepting, concurrency, scripted failures, waiting.

use super::*;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

fn transport(sink: &SmtpSink) -> AsyncSmtpTransport<Tokio1Executor> {
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(sink.port())
        .timeout(Some(Duration::from_secs(10)))
        .build()
}

fn message(to: &str, subject: &str) -> Message {
    Message::builder()
        .from("Beacon <alerts@beacon.test>".parse().unwrap())
        .to(to.parse().unwrap())
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body("Hello.\r\n.leading dot line\r\nBye.\r\n".to_owned())
        .unwrap()
}

#[tokio::test]
async fn smtp_sink_accepts_message() {
    let sink = SmtpSink::start();
    assert!(sink.url().starts_with("smtp://127.0.0.1:"));
    assert_ne!(sink.port(), 0);
    let mailer = transport(&sink);
    let resp = mailer
        .send(message("resident@example.org", "Bike thefts in Amersham"))
        .await
        .expect("send");
    assert_eq!(u16::from(resp.code()), 250);

    let got = sink.wait_for(1, Duration::from_secs(5));
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.from, "alerts@beacon.test");
    assert_eq!(m.to, vec!["resident@example.org".to_owned()]);
    assert!(
        m.data.contains("Subject: Bike thefts in Amersham\r\n"),
        "{}",
        m.data
    );
    // CRLF kept, dot-unstuffed, terminating "." not included.
    assert!(m.data.contains("\r\n\r\nHello.\r\n.leading dot line\r\n"));
    // lettre always sends "\r\n.\r\n" after the message, so a body that
    // already ends in CRLF arrives with one extra empty line.
    assert!(m.data.ends_with("Bye.\r\n\r\n"), "{:?}", m.data);
    assert_eq!(sink.temp_failures(), 0);
}

#[tokio::test]
async fn smtp_sink_concurrent_connections() {
    let sink = SmtpSink::start();
    let mailer = transport(&sink);
    let sends = (0..8).map(|i| {
        let mailer = mailer.clone();
        async move {
            mailer
                .send(message(&format!("r{i}@example.org"), &format!("Alert {i}")))
                .await
        }
    });
    for r in futures::future::join_all(sends).await {
        r.expect("send");
    }
    let got = sink.wait_for(8, Duration::from_secs(5));
    assert_eq!(got.len(), 8);
    for i in 0..8 {
        assert!(
            got.iter()
                .any(|m| m.data.contains(&format!("Subject: Alert {i}\r\n")))
        );
    }
}

#[tokio::test]
async fn smtp_sink_temp_fail_then_accept() {
    let sink = SmtpSink::start_with(Script {
        temp_fail_first: 1,
        ..Script::default()
    });
    let mailer = transport(&sink);
    let err = mailer
        .send(message("resident@example.org", "First try"))
        .await
        .expect_err("first send must be deferred");
    assert!(err.is_transient(), "{err:?}");
    assert_eq!(err.status().map(u16::from), Some(451));
    assert_eq!(sink.temp_failures(), 1);
    assert!(sink.messages().is_empty());

    mailer
        .send(message("resident@example.org", "Second try"))
        .await
        .expect("second send accepted");
    let got = sink.wait_for(1, Duration::from_secs(5));
    assert_eq!(got.len(), 1);
    assert!(got[0].data.contains("Subject: Second try\r\n"));
    assert_eq!(sink.temp_failures(), 1);
}

#[tokio::test]
async fn smtp_sink_rejects_recipient() {
    let sink = SmtpSink::start_with(Script {
        reject_rcpt: vec!["gone@example.org".to_owned()],
        ..Script::default()
    });
    let mailer = transport(&sink);
    let err = mailer
        .send(message("gone@example.org", "Bounce"))
        .await
        .expect_err("rejected recipient");
    assert!(err.is_permanent(), "{err:?}");
    assert_eq!(err.status().map(u16::from), Some(550));
    assert!(sink.messages().is_empty());

    // Other recipients still go through.
    mailer
        .send(message("here@example.org", "Fine"))
        .await
        .expect("accepted");
    assert_eq!(sink.wait_for(1, Duration::from_secs(5)).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_sink_wait_for_does_not_starve_tasks() {
    let sink = SmtpSink::start();
    let mailer = transport(&sink);
    let task = tokio::spawn(async move {
        tokio::task::yield_now().await;
        mailer.send(message("resident@example.org", "Later")).await
    });
    let got = sink.wait_for(1, Duration::from_secs(5));
    assert_eq!(got.len(), 1);
    task.await.unwrap().expect("send");
}

/// After a 451 at the end of DATA the session is back in its idle state,
/// so the same connection can RSET and send again.
#[test]
fn smtp_sink_raw_session_after_temp_fail() {
    use std::io::{BufRead, BufReader, Write};
    let sink = SmtpSink::start_with(Script {
        temp_fail_first: 1,
        ..Script::default()
    });
    let stream = std::net::TcpStream::connect(("127.0.0.1", sink.port())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut w = stream.try_clone().unwrap();
    let mut r = BufReader::new(stream);
    let mut reply = || loop {
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        if line.as_bytes().get(3) != Some(&b'-') {
            break line[..3].to_owned();
        }
    };
    assert_eq!(reply(), "220");
    let mut cmd = |c: &str| {
        w.write_all(c.as_bytes()).unwrap();
        w.flush().unwrap();
    };
    cmd("EHLO client.test\r\n");
    assert_eq!(reply(), "250");
    for (attempt, code) in [(1, "451"), (2, "250")] {
        cmd("MAIL FROM:<a@b.test>\r\n");
        assert_eq!(reply(), "250");
        cmd("RCPT TO:<c@d.test>\r\n");
        assert_eq!(reply(), "250");
        cmd("DATA\r\n");
        assert_eq!(reply(), "354");
        cmd(&format!("Subject: {attempt}\r\n\r\n..dot\r\n.\r\n"));
        assert_eq!(reply(), code);
        cmd("RSET\r\n");
        assert_eq!(reply(), "250");
    }
    cmd("QUIT\r\n");
    assert_eq!(reply(), "221");
    let got = sink.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].from, "a@b.test");
    assert_eq!(got[0].to, vec!["c@d.test".to_owned()]);
    assert_eq!(got[0].data, "Subject: 2\r\n\r\n.dot\r\n");
    assert_eq!(sink.temp_failures(), 1);
}

#[test]
fn smtp_sink_wait_for_times_out() {
    let sink = SmtpSink::start();
    let t = Instant::now();
    assert!(sink.wait_for(1, Duration::from_millis(200)).is_empty());
    assert!(t.elapsed() >= Duration::from_millis(200));
}
