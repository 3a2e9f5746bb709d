//! A scripted SMTP server that insists on pipelining: it answers nothing in a transaction until
//! DATA has arrived, so a client that waits for each reply (lettre's own send) hangs and the
//! test fails. It answers each RCPT by the mailbox's local part:
//! `temp…` 450 4.2.1, `gone…` 550 5.1.1, `drop…` hang up after the 354 and part of the message.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
pub struct Seen {
    /// Accepted messages: (recipient, body without the end-of-data line, dot-unstuffed).
    pub messages: Vec<(String, String)>,
    pub sessions: usize,
    /// The most commands that arrived in one read: 3 or more means they were pipelined.
    pub most_commands_per_read: usize,
}

pub struct Scripted {
    pub port: u16,
    pub seen: Arc<Mutex<Seen>>,
}

impl Scripted {
    /// `close_idle_after`: hang up a session after this many accepted messages (a server that
    /// drops idle connections).
    pub async fn start(close_idle_after: Option<usize>) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let s = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                s.lock().unwrap().sessions += 1;
                tokio::spawn(session(tcp, Arc::clone(&s), close_idle_after));
            }
        });
        Scripted { port, seen }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }
}

async fn session(tcp: TcpStream, seen: Arc<Mutex<Seen>>, close_after: Option<usize>) {
    let (r, mut w) = tcp.into_split();
    let mut r = BufReader::new(r);
    let _ = w.write_all(b"220 scripted ESMTP\r\n").await;
    let mut pending = String::new();
    let (mut rcpt, mut accepted, mut drop_in_data) = (String::new(), false, false);
    let mut delivered = 0;
    loop {
        let mut line = String::new();
        match r.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        // Count the commands already buffered with this one: what arrived in one write.
        let buffered = r.buffer().iter().filter(|&&b| b == b'\n').count() + 1;
        {
            let mut s = seen.lock().unwrap();
            s.most_commands_per_read = s.most_commands_per_read.max(buffered);
        }
        let cmd = line.trim_end().to_ascii_uppercase();
        if cmd.starts_with("EHLO") {
            let _ = w
                .write_all(b"250-scripted\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
                .await;
        } else if cmd.starts_with("MAIL FROM") {
            pending.push_str("250 2.1.0 Ok\r\n");
        } else if cmd.starts_with("RCPT TO") {
            rcpt = line[8..].trim().trim_matches(['<', '>']).to_string();
            let local = rcpt.to_ascii_lowercase();
            if local.starts_with("temp") {
                pending.push_str("450 4.2.1 Mailbox busy, try later\r\n");
            } else if local.starts_with("gone") {
                pending.push_str("550 5.1.1 No such user here\r\n");
            } else {
                accepted = true;
                drop_in_data = local.starts_with("drop");
                pending.push_str("250 2.1.5 Ok\r\n");
            }
        } else if cmd == "DATA" {
            if !accepted {
                pending.push_str("554 5.5.1 No valid recipients\r\n");
                let _ = w.write_all(std::mem::take(&mut pending).as_bytes()).await;
                continue;
            }
            pending.push_str("354 End data with <CR><LF>.<CR><LF>\r\n");
            let _ = w.write_all(std::mem::take(&mut pending).as_bytes()).await;
            if drop_in_data {
                let mut some = [0u8; 64];
                let _ = r.read(&mut some).await;
                return;
            }
            let mut body = String::new();
            loop {
                let mut l = String::new();
                if r.read_line(&mut l).await.unwrap_or(0) == 0 {
                    return;
                }
                if l == ".\r\n" {
                    break;
                }
                body.push_str(l.strip_prefix('.').unwrap_or(&l));
            }
            seen.lock()
                .unwrap()
                .messages
                .push((std::mem::take(&mut rcpt), body));
            accepted = false;
            delivered += 1;
            let _ = w.write_all(b"250 2.0.0 Ok: queued\r\n").await;
            if close_after.is_some_and(|n| delivered >= n) {
                return;
            }
        } else if cmd == "QUIT" {
            let _ = w.write_all(b"221 2.0.0 Bye\r\n").await;
            return;
        } else if cmd == "RSET" || cmd == "NOOP" {
            let _ = w.write_all(b"250 2.0.0 Ok\r\n").await;
        } else {
            let _ = w.write_all(b"502 5.5.2 Not implemented\r\n").await;
        }
    }
}
