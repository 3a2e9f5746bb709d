//! SMTP command pipelining (RFC 2920) on a plain-text connection of the pool.
//!
//! lettre writes each command and waits for its reply: five `sendto`s and four reactor
//! wake-ups per message, which the benchmark profiled as the largest share of Beacon's CPU
//! (benches/ANALYSIS.md). When the server offers `PIPELINING`, MAIL FROM, every RCPT TO and
//! DATA go in one write, the replies are read in order, and the dot-stuffed message and its
//! end-of-data marker go in a second write. lettre still greets, says EHLO, upgrades and logs
//! in, and reads and parses every reply: it reads through a [`SharedTcp`] handle, and we write
//! through another handle on the same socket. A TLS session is lettre's alone (its TLS layer
//! sits between the handles), so it keeps lettre's one-command-at-a-time send.

use lettre::address::Envelope;
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream};
use lettre::transport::smtp::commands::{Data, Ehlo, Mail, Rcpt};
use lettre::transport::smtp::extension::ClientId;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::smtp_pool::SmtpError;

/// One socket shared by lettre (which reads the replies) and the pipelining writer.
#[derive(Debug, Clone)]
pub(super) struct SharedTcp(pub(super) Arc<TcpStream>);

impl AsyncRead for SharedTcp {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            ready!(self.0.poll_read_ready(cx))?;
            match self.0.try_read(buf.initialize_unfilled()) {
                Ok(n) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl AsyncWrite for SharedTcp {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            ready!(self.0.poll_write_ready(cx))?;
            match self.0.try_write(data) {
                Ok(n) => return Poll::Ready(Ok(n)),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // TCP_NODELAY is set: a completed write is already on its way.
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // The socket closes when the last handle is dropped (the pool drops both together).
        Poll::Ready(Ok(()))
    }
}

impl AsyncTokioStream for SharedTcp {
    fn peer_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.0.peer_addr()
    }
}

async fn write_all(tcp: &TcpStream, mut buf: &[u8]) -> io::Result<()> {
    while !buf.is_empty() {
        tcp.writable().await?;
        match tcp.try_write(buf) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => buf = &buf[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Whether the server lists `PIPELINING` in its EHLO reply. lettre's `ServerInfo` drops the
/// keywords it does not use, so this asks again (EHLO only resets the session, RFC 5321 §4.1.4).
pub(super) async fn offers_pipelining(
    conn: &mut AsyncSmtpConnection,
    hello: &ClientId,
) -> Result<bool, SmtpError> {
    let reply = conn.command(Ehlo::new(hello.clone())).await?;
    Ok(reply
        .message()
        .any(|line| line.trim().eq_ignore_ascii_case("PIPELINING")))
}

/// RFC 5321 §4.5.2 transparency: a line starting with `.` gets a second one. Same rules as
/// lettre's own codec (a line starts after CRLF).
pub(super) fn dot_stuff(message: &[u8], out: &mut Vec<u8>) {
    out.reserve(message.len() + 8);
    if message.first() == Some(&b'.') {
        out.push(b'.');
    }
    // Whole runs between line-initial dots are copied at once: a byte-at-a-time loop was 6 % of
    // the fan-out's CPU (benches/ANALYSIS.md).
    let mut rest = message;
    while let Some(i) = memchr::memmem::find(rest, b"\r\n.") {
        out.extend_from_slice(&rest[..i + 3]);
        out.push(b'.');
        rest = &rest[i + 3..];
    }
    out.extend_from_slice(rest);
}

/// How a pipelined send ended when it did not deliver.
pub(super) struct Failed {
    pub(super) error: SmtpError,
    /// Whether the server answered anything in this transaction. When it did not, nothing can
    /// have been accepted and a fresh connection may try again.
    pub(super) answered: bool,
}

/// Whether this message can go pipelined: ASCII addresses and body (so no SMTPUTF8 or
/// 8BITMIME parameter to negotiate; lettre's path checks those against the server).
pub(super) fn can_pipeline(envelope: &Envelope, message: &[u8]) -> bool {
    let ascii = |a: &lettre::Address| AsRef::<str>::as_ref(a).is_ascii();
    envelope.from().is_none_or(ascii) && envelope.to().iter().all(ascii) && message.is_ascii()
}

/// One transaction in two writes. Every reply is read before returning, so a refusal leaves
/// the replies in step; the caller still ends the session after any failure (the server may
/// be in DATA after a refused RCPT when there were several recipients).
pub(super) async fn send(
    conn: &mut AsyncSmtpConnection,
    tcp: &TcpStream,
    envelope: &Envelope,
    message: &[u8],
) -> Result<(), Failed> {
    use std::fmt::Write;
    let mut head = String::with_capacity(128);
    let _ = write!(head, "{}", Mail::new(envelope.from().cloned(), vec![]));
    for to in envelope.to() {
        let _ = write!(head, "{}", Rcpt::new(to.clone(), vec![]));
    }
    let _ = write!(head, "{Data}");
    let unanswered = |e: io::Error| Failed {
        error: SmtpError::Io(e),
        answered: false,
    };
    write_all(tcp, head.as_bytes()).await.map_err(unanswered)?;

    let mut answered = false;
    let mut refusal = None;
    for _ in 0..envelope.to().len() + 2 {
        match conn.read_response().await {
            Ok(_) => answered = true,
            Err(e) if e.status().is_some() => {
                answered = true;
                refusal.get_or_insert(e);
            }
            // Network trouble or a malformed reply: no more replies will come in step.
            Err(e) => {
                let error = refusal.unwrap_or(e);
                return Err(Failed {
                    error: error.into(),
                    answered,
                });
            }
        }
    }
    if let Some(e) = refusal {
        return Err(Failed {
            error: e.into(),
            answered,
        });
    }

    let mut body = Vec::with_capacity(message.len() + message.len() / 64 + 8);
    dot_stuff(message, &mut body);
    body.extend_from_slice(b"\r\n.\r\n");
    let failed = |error: SmtpError| Failed {
        error,
        answered: true,
    };
    write_all(tcp, &body)
        .await
        .map_err(|e| failed(SmtpError::Io(e)))?;
    conn.read_response()
        .await
        .map(|_| ())
        .map_err(|e| failed(e.into()))
}

#[cfg(test)]
mod tests {
    use super::dot_stuff;

    #[test]
    fn lines_starting_with_a_dot_are_doubled() {
        let mut out = Vec::new();
        dot_stuff(b".a\r\nb.\r\n.\r\n..c\rx.\r\n", &mut out);
        assert_eq!(out, b"..a\r\nb.\r\n..\r\n...c\rx.\r\n");
    }

    /// RFC 5321's rule read literally, one byte at a time: the reference the fast copy must match.
    fn by_the_letter(message: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut line_start = true;
        let mut after_cr = false;
        for &b in message {
            if line_start && b == b'.' {
                out.push(b'.');
            }
            out.push(b);
            line_start = after_cr && b == b'\n';
            after_cr = b == b'\r';
        }
        out
    }

    #[test]
    fn matches_the_rule_on_every_short_mix_of_dots_and_line_ends() {
        // Every string of up to 7 bytes from the alphabet that matters, plus a real-sized body.
        let alphabet = [b'.', b'\r', b'\n', b'x'];
        let mut inputs: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..7 {
            let longer: Vec<Vec<u8>> = inputs
                .iter()
                .filter(|i| i.len() == inputs.last().map_or(0, Vec::len))
                .flat_map(|i| {
                    alphabet.iter().map(move |&b| {
                        let mut j = i.clone();
                        j.push(b);
                        j
                    })
                })
                .collect();
            inputs.extend(longer);
        }
        inputs.push(b"Hello\r\n.\r\n..\r\nx\r\n.".repeat(500));
        for input in &inputs {
            let mut out = Vec::new();
            dot_stuff(input, &mut out);
            assert_eq!(out, by_the_letter(input), "input {input:?}");
        }
    }
}
