//! A real SMTP server for tests, built on `mailin-embedded`.
//!
//! `SmtpSink::start()` binds 127.0.0.1 on an OS-chosen port and serves plain
//! SMTP (no STARTTLS, no AUTH) from a background thread pool, so it never
//! blocks the tokio runtime and any number of sinks can run in parallel.
#![allow(dead_code)]

use std::io;
use std::net::TcpListener;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use mailin_embedded::response::OK;
use mailin_embedded::{Handler, Response, Server, SslConfig};

/// Maximum number of concurrent SMTP sessions per sink (mailin serves each
/// session on a thread of a fixed-size pool; idle pooled client connections
/// hold a thread each, so keep this comfortably above lettre's pool size).
const MAX_SESSIONS: u32 = 32;

/// Header value with folding undone.
pub fn header(raw: &str, name: &str) -> Option<String> {
    let head = raw
        .split("\r\n\r\n")
        .next()
        .unwrap_or("")
        .replace("\r\n ", " ")
        .replace("\r\n\t", " ");
    head.lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with(&format!("{}:", name.to_ascii_lowercase()))
        })
        .map(|l| l[name.len() + 1..].trim().to_string())
}

/// The message with quoted-printable soft breaks and `=3D` undone, enough to read links.
pub fn decoded(raw: &str) -> String {
    raw.replace("=\r\n", "").replace("=3D", "=")
}

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    /// MAIL FROM address
    pub from: String,
    /// RCPT TO addresses accepted
    pub to: Vec<String>,
    /// the full raw message (headers + body) as received, CRLF kept
    pub data: String,
}

/// Scripted replies, so tests can exercise retries and bounces.
#[derive(Debug, Clone, Default)]
pub struct Script {
    /// Answer the DATA end (after the message) with 451 for the first N messages, then 250.
    pub temp_fail_first: usize,
    /// RCPT TO any address in this list is answered `550 5.1.1` (no such mailbox).
    pub reject_rcpt: Vec<String>,
    /// Every RCPT TO is answered with this reply (a relay refusing us, a blocklisting).
    pub reject_every_rcpt: Option<(u16, &'static str)>,
    /// Time taken before answering each message (a slow server).
    pub delay_per_message: std::time::Duration,
}

#[derive(Debug, Default)]
struct State {
    messages: Vec<Received>,
    temp_failures: usize,
    refused: usize,
    refuse_every: Option<(u16, &'static str)>,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    /// Notified whenever a message is accepted.
    arrived: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not wedge the server for other tests.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Per-connection handler (mailin clones it for every connection); the
/// transaction fields are per connection, `shared` is common to all.
#[derive(Clone)]
struct SinkHandler {
    script: Arc<Script>,
    shared: Arc<Shared>,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for SinkHandler {
    fn rcpt(&mut self, to: &str) -> Response {
        let mut state = self.shared.lock();
        if let Some((code, text)) = state.refuse_every {
            state.refused += 1;
            return Response::custom(code, text.to_owned());
        }
        if self
            .script
            .reject_rcpt
            .iter()
            .any(|r| r.eq_ignore_ascii_case(to))
        {
            state.refused += 1;
            Response::custom(550, "5.1.1 No such user here".to_owned())
        } else {
            OK
        }
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.from = from.to_owned();
        self.to = to.to_vec();
        self.data.clear();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        // mailin hands over one line at a time, CRLF included, already
        // dot-unstuffed, without the terminating ".\r\n".
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if !self.script.delay_per_message.is_zero() {
            std::thread::sleep(self.script.delay_per_message);
        }
        let data = String::from_utf8_lossy(&std::mem::take(&mut self.data)).into_owned();
        let mut state = self.shared.lock();
        if state.temp_failures < self.script.temp_fail_first {
            state.temp_failures += 1;
            let mut res =
                Response::custom(451, "4.3.0 Temporary failure, try again later".to_owned());
            // mailin keeps the session in its DATA state after an error reply
            // (so the client's following RSET/QUIT would be swallowed as
            // message text and never answered). Marking the reply as
            // non-error makes mailin end the transaction normally; the client
            // still sees the 451.
            res.is_error = false;
            return res;
        }
        state.messages.push(Received {
            from: std::mem::take(&mut self.from),
            to: std::mem::take(&mut self.to),
            data,
        });
        drop(state);
        self.shared.arrived.notify_all();
        OK
    }
}

/// A running SMTP server that records what it accepts. Clones share the same
/// server and state. The server thread lives until the test process exits.
#[derive(Clone)]
pub struct SmtpSink {
    port: u16,
    shared: Arc<Shared>,
}

impl SmtpSink {
    /// Starts a sink that accepts everything.
    pub fn start() -> SmtpSink {
        Self::start_with(Script::default())
    }

    /// Starts a sink that answers according to `script`.
    pub fn start_with(script: Script) -> SmtpSink {
        // Bind here (port 0 → OS picks a free port) and hand the listener to
        // mailin, so the port is known before we return and there is no race.
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind SMTP sink listener");
        let port = listener.local_addr().expect("SMTP sink local_addr").port();
        let shared = Arc::new(Shared::default());
        shared.lock().refuse_every = script.reject_every_rcpt;
        let handler = SinkHandler {
            script: Arc::new(script),
            shared: Arc::clone(&shared),
            from: String::new(),
            to: Vec::new(),
            data: Vec::new(),
        };
        let mut server = Server::new(handler);
        server
            .with_name("beacon-test-sink")
            .with_ssl(SslConfig::None)
            .expect("SslConfig::None")
            .with_num_threads(MAX_SESSIONS)
            .with_tcp_listener(listener);
        std::thread::Builder::new()
            .name(format!("smtp-sink-{port}"))
            .spawn(move || {
                if let Err(e) = server.serve() {
                    eprintln!("SMTP sink on port {port} stopped: {e}");
                }
            })
            .expect("spawn SMTP sink thread");
        SmtpSink { port, shared }
    }

    /// `smtp://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The bound port.
    fn port(&self) -> u16 {
        self.port
    }

    /// Messages accepted (250 after DATA) so far, in arrival order.
    pub fn messages(&self) -> Vec<Received> {
        self.shared.lock().messages.clone()
    }

    /// Polls until at least `n` messages were accepted or `timeout` passes; returns what arrived.
    ///
    /// This blocks the calling thread. Inside a multi-thread tokio runtime it
    /// uses `block_in_place`, so other tasks keep running; on a current-thread
    /// runtime (plain `#[tokio::test]`) nothing else on that runtime runs while
    /// waiting — use `spawn_blocking` with a clone of the sink in that case if
    /// the sender is a task on the same runtime.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let wait = || {
            let deadline = Instant::now() + timeout;
            let mut state = self.shared.lock();
            loop {
                if state.messages.len() >= n {
                    return state.messages.clone();
                }
                let now = Instant::now();
                if now >= deadline {
                    return state.messages.clone();
                }
                // Bounded waits so this also behaves as a poll.
                let step = (deadline - now).min(Duration::from_millis(50));
                state = self
                    .shared
                    .arrived
                    .wait_timeout(state, step)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(wait)
            }
            _ => wait(),
        }
    }

    /// Number of DATA transactions answered 451 so far.
    pub fn temp_failures(&self) -> usize {
        self.shared.lock().temp_failures
    }

    /// RCPT commands refused by `reject_every_rcpt`.
    pub fn refused(&self) -> usize {
        self.shared.lock().refused
    }

    /// Changes the reply to every RCPT (`None`: accept again), as a relay's fix would.
    pub fn refuse_every_rcpt(&self, reply: Option<(u16, &'static str)>) {
        self.shared.lock().refuse_every = reply;
    }

    /// Messages accepted so far, without waiting.
    pub fn count(&self) -> usize {
        self.shared.lock().messages.len()
    }
}

#[cfg(test)]
mod tests;
