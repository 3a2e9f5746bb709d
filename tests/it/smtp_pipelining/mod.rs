//! SMTP pipelining (RFC 2920) in Beacon's own pool, against a scripted server that only
//! answers pipelined clients and against postfix's `smtp-sink`: each reply still classified per
//! recipient, a dropped session retried on a fresh one only when nothing was answered.

mod server;

use beacon::channels::SendError;
use beacon::channels::email::{Mailer, Outgoing, Relay};
use server::Scripted;
use std::time::Duration;

fn mailer(url: &str, pool: u32) -> Mailer {
    Mailer::new(
        Relay::Smtp {
            url: url::Url::parse(url).unwrap(),
            pool_size: pool,
        },
        "Beacon <alerts@beacon.test>".parse().unwrap(),
        None,
    )
    .unwrap()
}

const BODY: &str = "Lock your shed.\r\n.a line that starts with a dot\r\n..and two\r\nEnd.\r\n";

fn message(m: &Mailer, to: &str) -> lettre::Message {
    m.build(&Outgoing {
        to,
        subject: "Pipelined",
        text: BODY.to_string(),
        html: None,
        list_id: None,
        unsubscribe_url: None,
    })
    .unwrap()
}

async fn send(m: &Mailer, to: &str) -> Result<(), SendError> {
    tokio::time::timeout(Duration::from_secs(10), m.send(message(m, to)))
        .await
        .expect("send hung: the client did not pipeline")
}

#[tokio::test]
async fn each_recipient_reply_is_classified_when_pipelined() {
    let server = Scripted::start(None).await;
    let m = mailer(&server.url(), 1);
    send(&m, "ok@example.org").await.unwrap();
    assert!(matches!(
        send(&m, "temp@example.org").await,
        Err(SendError::Transient(e)) if e.contains("450")
    ));
    assert!(matches!(
        send(&m, "gone@example.org").await,
        Err(SendError::Bounce(e)) if e.contains("5.1.1")
    ));
    send(&m, "ok2@example.org").await.unwrap();
    let seen = server.seen.lock().unwrap();
    let to: Vec<_> = seen.messages.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(to, ["ok@example.org", "ok2@example.org"]);
    assert!(
        seen.messages[0].1.contains(BODY),
        "dot-stuffing changed the text: {:?}",
        seen.messages[0].1
    );
    assert!(
        seen.most_commands_per_read >= 3,
        "MAIL, RCPT and DATA in one write"
    );
}

#[tokio::test]
async fn a_session_dropped_mid_data_is_transient_and_the_next_send_reconnects() {
    let server = Scripted::start(None).await;
    let m = mailer(&server.url(), 1);
    send(&m, "ok@example.org").await.unwrap();
    let dropped = send(&m, "drop@example.org").await;
    assert!(
        matches!(dropped, Err(SendError::Transient(_))),
        "{dropped:?}"
    );
    send(&m, "after@example.org").await.unwrap();
    let seen = server.seen.lock().unwrap();
    let to: Vec<_> = seen.messages.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(to, ["ok@example.org", "after@example.org"]);
    assert_eq!(seen.sessions, 2);
}

#[tokio::test]
async fn an_idle_session_the_server_closed_is_replaced_without_losing_the_message() {
    let server = Scripted::start(Some(1)).await;
    let m = mailer(&server.url(), 1);
    for i in 0..3 {
        // Give the server's hang-up time to arrive, so the next send finds a dead socket.
        tokio::time::sleep(Duration::from_millis(50)).await;
        send(&m, &format!("r{i}@example.org")).await.unwrap();
    }
    let seen = server.seen.lock().unwrap();
    assert_eq!(seen.messages.len(), 3);
    assert_eq!(seen.sessions, 3);
}

/// postfix's `smtp-sink`, which offers PIPELINING; `extra` are its options.
struct PostfixSink {
    child: std::process::Child,
    port: u16,
    dump: tempfile::TempDir,
}

impl PostfixSink {
    fn start(extra: &[&str]) -> PostfixSink {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dump = tempfile::tempdir().unwrap();
        let mut cmd = std::process::Command::new("/usr/sbin/smtp-sink");
        // As root smtp-sink must drop privileges; the dump directory must be writable then.
        if nix_is_root() {
            cmd.args(["-u", "nobody"]);
            let _ = std::process::Command::new("chmod")
                .args(["777", dump.path().to_str().unwrap()])
                .status();
        }
        let child = cmd
            .args(extra)
            .arg("-D")
            .arg(dump.path().join("mail"))
            .arg(format!("127.0.0.1:{port}"))
            .arg("64")
            .spawn()
            .expect("postfix smtp-sink (apt-get install postfix)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        PostfixSink { child, port, dump }
    }

    fn dumped(&self) -> String {
        std::fs::read_to_string(self.dump.path().join("mail")).unwrap_or_default()
    }
}

impl Drop for PostfixSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nix_is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

#[tokio::test]
async fn postfix_smtp_sink_takes_pipelined_mail_on_every_pooled_session() {
    let sink = PostfixSink::start(&[]);
    let m = std::sync::Arc::new(mailer(&format!("smtp://127.0.0.1:{}", sink.port), 4));
    let sends = (0..200).map(|i| {
        let m = std::sync::Arc::clone(&m);
        tokio::spawn(async move { send(&m, &format!("r{i}@example.org")).await })
    });
    for s in sends {
        s.await.unwrap().unwrap();
    }
    // smtp-sink writes each transaction when it ends; the last may still be on its way.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let dump = sink.dumped();
    let mut rcpts: Vec<_> = dump
        .lines()
        .filter(|l| l.starts_with("X-Rcpt-Args:"))
        .collect();
    assert_eq!(rcpts.len(), 200);
    rcpts.sort_unstable();
    rcpts.dedup();
    assert_eq!(rcpts.len(), 200, "each recipient exactly once");
    assert!(
        dump.contains("\n.a line that starts with a dot\r\n..and two\r\n")
            || dump.contains("\n.a line that starts with a dot\n..and two\n")
    );
}

#[tokio::test]
async fn postfix_smtp_sink_hanging_up_after_data_is_transient() {
    let sink = PostfixSink::start(&["-q", "data"]);
    let m = mailer(&format!("smtp://127.0.0.1:{}", sink.port), 1);
    let r = send(&m, "r@example.org").await;
    assert!(matches!(r, Err(SendError::Transient(_))), "{r:?}");
    assert!(!sink.dumped().contains("X-Rcpt-Args"));
}

#[tokio::test]
async fn pipelining_off_in_the_url_sends_one_command_at_a_time() {
    let sink = PostfixSink::start(&[]);
    let m = mailer(&format!("smtp://127.0.0.1:{}?pipelining=off", sink.port), 1);
    send(&m, "one@example.org").await.unwrap();
    // The strict scripted server answers only pipelined clients: one at a time must hang there.
    let strict = Scripted::start(None).await;
    let m = mailer(&format!("{}?pipelining=off", strict.url()), 1);
    let msg = message(&m, "ok@example.org");
    assert!(
        tokio::time::timeout(Duration::from_millis(500), m.send(msg))
            .await
            .is_err()
    );
}
