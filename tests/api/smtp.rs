//! An SMTP listener the tests start in-process on a random port. It speaks
//! just enough SMTP for lettre, keeps what it receives, can refuse a
//! recipient with a given reply, and can be stopped (connections refused,
//! open ones cut) and started again on the same port.
//!
//! Written here rather than taken from a crate because the tests need to
//! control failures (5xx per recipient, the server vanishing mid-run).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent, headers and body (quoted-printable undone).
    pub data: String,
}

impl Received {
    /// The value of the first header `name` (unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.split("\r\n").find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    /// The header lines, one per header.
    pub fn header_names(&self) -> Vec<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        head.split("\r\n")
            .filter(|l| !l.starts_with(' ') && !l.starts_with('\t'))
            .filter_map(|l| l.split_once(':').map(|(k, _)| k.to_ascii_lowercase()))
            .collect()
    }

    /// The HTML alternative, from its part header to the end.
    pub fn html(&self) -> String {
        let start = self
            .data
            .find("Content-Type: text/html")
            .expect("an HTML part");
        self.data[start..].to_owned()
    }

    /// The first link in the body: the survey link (`…/r/<token>`).
    pub fn link(&self) -> String {
        let body = &self.data[self.data.find("\r\n\r\n").unwrap_or(0)..];
        let start = body.find("http://").expect("the email has a link");
        let rest = &body[start..];
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '"' || c == '<')
            .unwrap_or(rest.len());
        rest[..end].to_owned()
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    arrived: Notify,
    /// Recipient → the reply its RCPT TO gets instead of 250.
    refusals: Mutex<HashMap<String, String>>,
    /// Whether to keep each message's text (a benchmark keeps only envelopes).
    keep_data: bool,
    /// Whether EHLO offers STARTTLS. The sink speaks no TLS: it records
    /// that the client began a TLS handshake after STARTTLS, and hangs up.
    offer_starttls: std::sync::atomic::AtomicBool,
    /// Every command line received in plain text.
    commands: Mutex<Vec<String>>,
    /// Times a client sent a TLS ClientHello after STARTTLS.
    tls_hellos: std::sync::atomic::AtomicUsize,
    /// Only this many messages get their `250`; later ones are taken in
    /// and never answered, as by a server that hangs (or a reply lost).
    answered: Mutex<Option<usize>>,
}

pub struct SmtpSink {
    port: u16,
    shared: Arc<Shared>,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        Self::start_keeping(true).await
    }

    /// A sink that keeps only envelopes, not message text.
    #[allow(dead_code)] // used by benches/delivery.rs, which includes this file
    pub async fn start_counting() -> Self {
        Self::start_keeping(false).await
    }

    async fn start_keeping(keep_data: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sink = SmtpSink {
            port: listener.local_addr().unwrap().port(),
            shared: Arc::new(Shared {
                keep_data,
                ..Shared::default()
            }),
            tasks: Arc::default(),
        };
        sink.serve(listener);
        sink
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn serve(&self, listener: TcpListener) {
        let (shared, tasks) = (self.shared.clone(), self.tasks.clone());
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let handler = tokio::spawn(session(stream, shared.clone()));
                tasks.lock().unwrap().push(handler);
            }
        });
        self.tasks.lock().unwrap().push(accept);
    }

    /// Stops listening and cuts every open connection.
    pub fn stop(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    /// Listens again on the same port.
    pub async fn restart(&self) {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        socket
            .bind(format!("127.0.0.1:{}", self.port).parse().unwrap())
            .unwrap();
        self.serve(socket.listen(128).unwrap());
    }

    /// Answers RCPT TO for `recipient` with `reply` (e.g. "550 5.1.1 no such user").
    pub fn refuse(&self, recipient: &str, reply: &str) {
        self.shared
            .refusals
            .lock()
            .unwrap()
            .insert(recipient.to_ascii_lowercase(), reply.to_owned());
    }

    /// Accepts `recipient` again after `refuse`.
    pub fn allow(&self, recipient: &str) {
        self.shared
            .refusals
            .lock()
            .unwrap()
            .remove(&recipient.to_ascii_lowercase());
    }

    /// Offers STARTTLS from now on (see `Shared::offer_starttls`).
    #[allow(dead_code)]
    pub fn offer_starttls(&self) {
        self.shared
            .offer_starttls
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Command lines received in plain text, in order.
    #[allow(dead_code)]
    pub fn commands(&self) -> Vec<String> {
        self.shared.commands.lock().unwrap().clone()
    }

    /// How many clients began TLS after STARTTLS.
    #[allow(dead_code)]
    pub fn tls_hellos(&self) -> usize {
        self.shared
            .tls_hellos
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Answers only the first `n` messages in all (see `Shared::answered`).
    #[allow(dead_code)]
    pub fn answer_only(&self, n: usize) {
        *self.shared.answered.lock().unwrap() = Some(n);
    }

    /// Answers every message again (those already held stay unanswered).
    #[allow(dead_code)]
    pub fn answer_all(&self) {
        *self.shared.answered.lock().unwrap() = None;
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Waits until at least `n` messages have arrived; panics after 30 s.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let wait = async {
            loop {
                let arrived = self.shared.arrived.notified();
                if self.shared.received.lock().unwrap().len() >= n {
                    return;
                }
                arrived.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(30), wait)
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "expected {n} emails, got {}",
                    self.shared.received.lock().unwrap().len()
                )
            });
        self.received()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn session(stream: TcpStream, shared: Arc<Shared>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if !send(&mut write, "220 sink.test ESMTP").await {
        return;
    }
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_owned();
        shared.commands.lock().unwrap().push(command.clone());
        let upper = command.to_ascii_uppercase();
        let starttls = shared
            .offer_starttls
            .load(std::sync::atomic::Ordering::SeqCst);
        let answer = if upper.starts_with("EHLO") && starttls {
            "250-sink.test\r\n250-STARTTLS\r\n250 8BITMIME".to_owned()
        } else if upper.starts_with("EHLO") {
            "250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8".to_owned()
        } else if upper == "STARTTLS" && starttls {
            if !send(&mut write, "220 go ahead").await {
                return;
            }
            // A TLS record of type handshake starts with 0x16.
            let mut first = [0u8; 1];
            use tokio::io::AsyncReadExt;
            if lines.read_exact(&mut first).await.is_ok() && first[0] == 0x16 {
                shared
                    .tls_hellos
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            return;
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            "250 OK".to_owned()
        } else if upper.starts_with("RSET") {
            (from, to) = (String::new(), Vec::new());
            "250 OK".to_owned()
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&command);
            "250 OK".to_owned()
        } else if upper.starts_with("RCPT TO:") {
            let rcpt = address(&command);
            let refusal = shared
                .refusals
                .lock()
                .unwrap()
                .get(&rcpt.to_ascii_lowercase())
                .cloned();
            match refusal {
                Some(refusal) => refusal,
                None => {
                    to.push(rcpt);
                    "250 OK".to_owned()
                }
            }
        } else if upper == "DATA" {
            if !send(&mut write, "354 go ahead").await {
                return;
            }
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return;
                }
                if line == ".\r\n" {
                    break;
                }
                let unstuffed = line.strip_prefix('.').unwrap_or(&line);
                if shared.keep_data {
                    data.push_str(unstuffed);
                }
            }
            let count = {
                let mut received = shared.received.lock().unwrap();
                received.push(Received {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data: if shared.keep_data {
                        unquote(&data)
                    } else {
                        String::new()
                    },
                });
                received.len()
            };
            shared.arrived.notify_waiters();
            if shared.answered.lock().unwrap().is_some_and(|n| count > n) {
                // Never answered: the client waits until it gives up or dies.
                std::future::pending::<()>().await;
            }
            "250 OK queued".to_owned()
        } else if upper.starts_with("QUIT") {
            let _ = send(&mut write, "221 bye").await;
            return;
        } else {
            "502 command not implemented".to_owned()
        };
        if !send(&mut write, &answer).await {
            return;
        }
    }
}

async fn send(write: &mut tokio::net::tcp::OwnedWriteHalf, text: &str) -> bool {
    write
        .write_all(format!("{text}\r\n").as_bytes())
        .await
        .is_ok()
}

fn address(command: &str) -> String {
    let start = command.find('<').map_or(0, |i| i + 1);
    let end = command.rfind('>').unwrap_or(command.len());
    command[start..end].to_owned()
}

/// Undoes quoted-printable soft breaks and `=3D`, enough to read links.
fn unquote(data: &str) -> String {
    data.replace("=\r\n", "").replace("=3D", "=")
}
