//! A pool of SMTP connections on sockets with `TCP_NODELAY`, built on lettre's own connection.
//!
//! Why not lettre's pooled transport: it connects its own sockets, which keep Nagle's
//! algorithm on, and it writes a message and its closing `<CRLF>.<CRLF>` separately. The small
//! second write then waits for the server to acknowledge the first, and servers delay that
//! acknowledgement (they answer only after the end of data): about 40 ms per message per
//! connection, whatever the machine. The benchmark measured it (benches/RESULTS.md). Here each
//! connection is ours, made with `set_nodelay(true)`, and lettre speaks SMTP on it.

use super::smtp_pipeline::{self, SharedTcp};
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

/// What went wrong: the server's answer (lettre's error), or our own socket.
#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    #[error(transparent)]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
}

/// How a plain `smtp://` connection uses TLS.
#[derive(Clone)]
pub enum StartTls {
    /// Upgrade when the server offers STARTTLS.
    Opportunistic(TlsParameters),
    /// Refuse to send unless the server offers STARTTLS.
    Required(TlsParameters),
}

pub struct SmtpPool {
    host: String,
    port: u16,
    tls: StartTls,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
    idle: Mutex<Vec<Conn>>,
    permits: Semaphore,
    pipelining: bool,
}

/// A session, and the socket to write pipelined commands on when the session is plain text
/// and the server offers `PIPELINING`.
struct Conn {
    smtp: AsyncSmtpConnection,
    pipe: Option<Arc<tokio::net::TcpStream>>,
}

/// How one attempt on one session ended.
enum Attempt {
    Sent,
    /// Failed before the server answered anything: nothing was accepted.
    Unanswered(SmtpError),
    Failed(SmtpError),
}

impl SmtpPool {
    pub fn new(
        host: String,
        port: u16,
        tls: StartTls,
        credentials: Option<Credentials>,
        size: usize,
        pipelining: bool,
    ) -> Self {
        SmtpPool {
            host,
            port,
            tls,
            credentials,
            hello: ClientId::default(),
            timeout: Duration::from_secs(30),
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(size.max(1)),
            pipelining,
        }
    }

    async fn connect(&self) -> Result<Conn, SmtpError> {
        let tcp = tokio::time::timeout(
            self.timeout,
            tokio::net::TcpStream::connect((self.host.as_str(), self.port)),
        )
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timed out"))
        .and_then(|r| r)?;
        tcp.set_nodelay(true)?;
        let tcp = Arc::new(tcp);
        let mut conn = AsyncSmtpConnection::connect_with_transport(
            Box::new(SharedTcp(Arc::clone(&tcp))),
            &self.hello,
        )
        .await?;
        match &self.tls {
            StartTls::Opportunistic(p) if conn.can_starttls() => {
                conn.starttls(p.clone(), &self.hello).await?
            }
            StartTls::Required(p) => conn.starttls(p.clone(), &self.hello).await?,
            StartTls::Opportunistic(_) => {}
        }
        let pipe = if conn.is_encrypted() || !self.pipelining {
            None
        } else {
            smtp_pipeline::offers_pipelining(&mut conn, &self.hello)
                .await?
                .then_some(tcp)
        };
        if let Some(c) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], c).await?;
        }
        Ok(Conn { smtp: conn, pipe })
    }

    /// Opens a fresh connection (greeting, EHLO, STARTTLS and login as for sending) and says
    /// QUIT: whether the server can take mail now. The pool's own connections are not touched.
    pub async fn check(&self) -> Result<(), SmtpError> {
        let mut conn = self.connect().await?;
        conn.smtp.quit().await?;
        Ok(())
    }

    fn take_idle(&self) -> Option<Conn> {
        self.idle.lock().ok()?.pop()
    }

    fn give_back(&self, conn: Conn) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(conn);
        }
    }

    /// One transaction on `conn`: pipelined when the session allows it, else lettre's send.
    async fn attempt(conn: &mut Conn, envelope: &Envelope, message: &[u8]) -> Attempt {
        match &conn.pipe {
            Some(tcp) if smtp_pipeline::can_pipeline(envelope, message) => {
                match smtp_pipeline::send(&mut conn.smtp, tcp, envelope, message).await {
                    Ok(()) => Attempt::Sent,
                    Err(f) if !f.answered => Attempt::Unanswered(f.error),
                    Err(f) => Attempt::Failed(f.error),
                }
            }
            _ => match conn.smtp.send(envelope, message).await {
                Ok(_) => Attempt::Sent,
                // lettre counts a reply it could not read to the end ("incomplete response")
                // as a response, so only a pure network error counts as unanswered here.
                Err(e) if e.status().is_none() && !e.is_response() && !e.is_timeout() => {
                    Attempt::Unanswered(e.into())
                }
                Err(e) => Attempt::Failed(e.into()),
            },
        }
    }

    /// An attempt that gives up when the server stops answering (the session is then dropped).
    async fn timed(&self, conn: &mut Conn, envelope: &Envelope, message: &[u8]) -> Attempt {
        tokio::time::timeout(self.timeout, Self::attempt(conn, envelope, message))
            .await
            .unwrap_or_else(|_| {
                Attempt::Failed(
                    std::io::Error::new(std::io::ErrorKind::TimedOut, "the server did not answer")
                        .into(),
                )
            })
    }

    /// Sends on an idle connection or a new one. A connection that sat idle may have been closed
    /// by the server: when it fails before the server answered anything in this transaction,
    /// one fresh try follows (nothing can have been accepted). A reply (4xx/5xx), a malformed
    /// reply or a timeout is never retried here: the worker records it and backs off.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), SmtpError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| std::io::Error::other("the mail pool is closed"))?;
        let (mut conn, reused) = match self.take_idle() {
            Some(c) if !c.smtp.has_broken() => (c, true),
            _ => (self.connect().await?, false),
        };
        let outcome = self.timed(&mut conn, envelope, message).await;
        match outcome {
            Attempt::Sent => {
                self.give_back(conn);
                Ok(())
            }
            Attempt::Unanswered(e) if reused => {
                tracing::debug!(error = %e, "idle SMTP connection was closed; reconnecting");
                conn.smtp.abort().await;
                let mut fresh = self.connect().await?;
                match self.timed(&mut fresh, envelope, message).await {
                    Attempt::Sent => {
                        self.give_back(fresh);
                        Ok(())
                    }
                    Attempt::Unanswered(e) | Attempt::Failed(e) => {
                        fresh.smtp.abort().await;
                        Err(e)
                    }
                }
            }
            Attempt::Unanswered(e) | Attempt::Failed(e) => {
                // After a refusal the session is mid-transaction; start the next one clean.
                conn.smtp.abort().await;
                Err(e)
            }
        }
    }
}
