//! A pool of SMTP connections on sockets with `TCP_NODELAY`, built on lettre's own connection.
//!
//! Why not lettre's pooled transport: it connects its own sockets, which keep Nagle's
//! algorithm on, and it writes a message and its closing `<CRLF>.<CRLF>` separately. The small
//! second write then waits for the server to acknowledge the first, and servers delay that
//! acknowledgement (they answer only after the end of data): about 40 ms per message per
//! connection, whatever the machine. The benchmark measured it (benches/RESULTS.md). Here each
//! connection is ours, made with `set_nodelay(true)`, and lettre speaks SMTP on it.

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use std::sync::Mutex;
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
    idle: Mutex<Vec<AsyncSmtpConnection>>,
    permits: Semaphore,
}

impl SmtpPool {
    pub fn new(
        host: String,
        port: u16,
        tls: StartTls,
        credentials: Option<Credentials>,
        size: usize,
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
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SmtpError> {
        let tcp = tokio::time::timeout(
            self.timeout,
            tokio::net::TcpStream::connect((self.host.as_str(), self.port)),
        )
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timed out"))
        .and_then(|r| r)?;
        tcp.set_nodelay(true)?;
        let mut conn =
            AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello).await?;
        match &self.tls {
            StartTls::Opportunistic(p) if conn.can_starttls() => {
                conn.starttls(p.clone(), &self.hello).await?
            }
            StartTls::Required(p) => conn.starttls(p.clone(), &self.hello).await?,
            StartTls::Opportunistic(_) => {}
        }
        if let Some(c) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], c).await?;
        }
        Ok(conn)
    }

    /// Opens a fresh connection (greeting, EHLO, STARTTLS and login as for sending) and says
    /// QUIT: whether the server can take mail now. The pool's own connections are not touched.
    pub async fn check(&self) -> Result<(), SmtpError> {
        let mut conn = self.connect().await?;
        conn.quit().await?;
        Ok(())
    }

    fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        self.idle.lock().ok()?.pop()
    }

    fn give_back(&self, conn: AsyncSmtpConnection) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(conn);
        }
    }

    /// Sends on an idle connection or a new one. A connection that sat idle may have been closed
    /// by the server: when it fails with a network error before the server answered anything,
    /// one fresh try follows. A reply (4xx/5xx, which lettre does not count as `is_response`),
    /// a malformed reply or a timeout is never retried here: the worker records it and backs off.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), SmtpError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| std::io::Error::other("the mail pool is closed"))?;
        let (mut conn, reused) = match self.take_idle() {
            Some(c) if !c.has_broken() => (c, true),
            _ => (self.connect().await?, false),
        };
        match conn.send(envelope, message).await {
            Ok(_) => {
                self.give_back(conn);
                Ok(())
            }
            Err(e) if reused && e.status().is_none() && !e.is_response() && !e.is_timeout() => {
                tracing::debug!(error = %e, "idle SMTP connection was closed; reconnecting");
                conn.abort().await;
                let mut fresh = self.connect().await?;
                let result = fresh.send(envelope, message).await;
                match result {
                    Ok(_) => {
                        self.give_back(fresh);
                        Ok(())
                    }
                    Err(e) => {
                        fresh.abort().await;
                        Err(e.into())
                    }
                }
            }
            Err(e) => {
                // After a refusal the session is mid-transaction; start the next one clean.
                conn.abort().await;
                Err(e.into())
            }
        }
    }
}
