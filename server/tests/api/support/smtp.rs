//! An in-process SMTP server for the integration tests: it records the mail Foyer sends (plain SMTP, no TLS).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use mailparse::{DispositionType, MailHeaderMap, ParsedMail};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// A message as it arrived: the envelope plus the decoded parts of its body.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub raw: String,
}

#[derive(Debug, Default)]
struct Shared {
    mails: Mutex<Vec<ReceivedMail>>,
    fail_next: AtomicUsize,
    arrived: Notify,
}

impl Shared {
    fn mails(&self) -> std::sync::MutexGuard<'_, Vec<ReceivedMail>> {
        self.mails.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes one of the failures asked for by `fail_next`, if any are left.
    fn take_failure(&self) -> bool {
        self.fail_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }
}

/// The test SMTP server; it stops accepting connections when dropped.
#[derive(Debug)]
pub struct SmtpServer {
    port: u16,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl SmtpServer {
    /// Binds 127.0.0.1:0 and serves in a background tokio task.
    #[expect(
        clippy::expect_used,
        reason = "a test helper that cannot listen cannot go on"
    )]
    pub async fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("test SMTP server: bind 127.0.0.1:0");
        let port = listener
            .local_addr()
            .expect("test SMTP server: local address")
            .port();
        let shared = Arc::new(Shared::default());
        let state = Arc::clone(&shared);
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, Arc::clone(&state)));
            }
        });
        SmtpServer {
            port,
            shared,
            accept,
        }
    }

    /// "smtp://127.0.0.1:PORT" (lettre's `from_url` form; plain, no TLS).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Make the next `n` DATA commands answer `451 4.3.0 try again later` (to test retries);
    /// messages refused this way are not recorded.
    pub fn fail_next(&self, n: usize) {
        self.shared.fail_next.store(n, Ordering::SeqCst);
    }

    /// Waits until at least `count` messages were received, up to `timeout`, and returns them all;
    /// panics listing the subjects that did arrive on timeout.
    #[expect(
        clippy::panic,
        reason = "a test helper reports a timeout by failing the test"
    )]
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let arrived = self.shared.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            let mails = self.received();
            if mails.len() >= count {
                return mails;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
                panic!(
                    "test SMTP server: waited {timeout:?} for {count} message(s), got {}: {subjects:?}",
                    mails.len()
                );
            }
        }
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.shared.mails().clone()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// One SMTP session; any I/O error just ends it.
async fn serve(stream: TcpStream, shared: Arc<Shared>) {
    let _ = session(stream, &shared).await;
}

async fn session(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    write.write_all(b"220 foyer-test ESMTP\r\n").await?;
    let (mut from, mut to): (Option<String>, Vec<String>) = (None, Vec::new());
    let mut line = Vec::new();
    loop {
        line.clear();
        if read.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line).trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        let verb = upper.split_whitespace().next().unwrap_or("");
        let reply: &[u8] = match verb {
            "EHLO" => b"250-foyer-test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 OK\r\n",
            "HELO" => b"250 foyer-test\r\n",
            "NOOP" => b"250 2.0.0 OK\r\n",
            "RSET" => {
                (from, to) = (None, Vec::new());
                b"250 2.0.0 OK\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 2.0.0 bye\r\n").await?;
                return write.shutdown().await;
            }
            "MAIL" if upper.starts_with("MAIL FROM:") => {
                from = Some(address(&command["MAIL FROM:".len()..]));
                to.clear();
                b"250 2.1.0 OK\r\n"
            }
            "RCPT" if from.is_none() => b"503 5.5.1 MAIL first\r\n",
            "RCPT" if upper.starts_with("RCPT TO:") => {
                to.push(address(&command["RCPT TO:".len()..]));
                b"250 2.1.5 OK\r\n"
            }
            "DATA" if from.is_none() || to.is_empty() => b"503 5.5.1 need MAIL and RCPT first\r\n",
            "DATA" if shared.take_failure() => {
                (from, to) = (None, Vec::new());
                b"451 4.3.0 try again later\r\n"
            }
            "DATA" => {
                write
                    .write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let raw = read_data(&mut read).await?;
                let envelope_from = from.take().unwrap_or_default();
                let mail = parse(envelope_from, std::mem::take(&mut to), &raw);
                shared.mails().push(mail);
                shared.arrived.notify_waiters();
                b"250 2.0.0 OK queued\r\n"
            }
            _ => b"502 5.5.2 command not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// Reads the DATA lines up to the lone ".", undoing the dot-stuffing.
async fn read_data<R: AsyncBufReadExt + Unpin>(read: &mut R) -> std::io::Result<Vec<u8>> {
    let mut raw = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if read.read_until(b'\n', &mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(raw);
        }
        let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
        raw.extend_from_slice(unstuffed);
    }
}

/// The address in `<a@b> PARAM=...` (or a bare `a@b`); `<>` gives "".
fn address(rest: &str) -> String {
    let rest = rest.trim_start();
    match rest.strip_prefix('<') {
        Some(inner) => inner.split('>').next().unwrap_or("").to_owned(),
        None => rest.split_whitespace().next().unwrap_or("").to_owned(),
    }
}

fn parse(from: String, to: Vec<String>, raw: &[u8]) -> ReceivedMail {
    // lettre ends the data with "\r\n.\r\n" whether or not the message ends with a line end,
    // so that last CRLF belongs to the terminator, not to what the sender wrote.
    let message = raw.strip_suffix(b"\r\n").unwrap_or(raw);
    let (subject, text, html) = match mailparse::parse_mail(message) {
        Ok(mail) => (
            mail.headers.get_first_value("Subject").unwrap_or_default(),
            first_part(&mail, "text/plain").unwrap_or_default(),
            first_part(&mail, "text/html").unwrap_or_default(),
        ),
        Err(_) => Default::default(),
    };
    let raw = String::from_utf8_lossy(raw).into_owned();
    ReceivedMail {
        from,
        to,
        subject,
        text,
        html,
        raw,
    }
}

/// The decoded body of the first non-attachment part of type `mime`, depth first,
/// with CRLF turned back into the LF line ends lettre was given.
fn first_part(mail: &ParsedMail<'_>, mime: &str) -> Option<String> {
    if mail.subparts.is_empty() {
        let attached = mail.get_content_disposition().disposition == DispositionType::Attachment;
        if attached || !mail.ctype.mimetype.eq_ignore_ascii_case(mime) {
            return None;
        }
        return Some(mail.get_body().ok()?.replace("\r\n", "\n"));
    }
    mail.subparts.iter().find_map(|part| first_part(part, mime))
}
