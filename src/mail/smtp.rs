//! SMTP connections we open ourselves, for one reason: `TCP_NODELAY`.
//!
//! lettre writes a message's body and its closing `.` in two writes. On a
//! socket with Nagle's algorithm on, the second write waits for the
//! server's delayed ACK (40 ms on Linux), so every email took ~44 ms however
//! fast both ends are. lettre's own pool opens sockets we cannot reach, so
//! connections are opened here, with `TCP_NODELAY`, and handed to lettre
//! (`AsyncSmtpConnection::connect_with_transport`), which still speaks SMTP,
//! authenticates and upgrades to TLS for STARTTLS (the socket option stays
//! on the socket under TLS). `smtps://` (TLS from the first byte) stays on
//! lettre's pooled transport, which does that handshake itself.
//!
//! lettre's main branch sets `TCP_NODELAY` itself (its PR #1159), but no
//! release has it yet (0.11 here): once one does, this module goes and
//! `smtp://` returns to lettre's pool like `smtps://`.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use lettre::Message;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;

use super::{SendError, smtp_error_text};

/// An idle connection older than this is asked NOOP before it is used
/// again: servers close idle clients after a minute or so.
const CHECK_IDLE_AFTER: Duration = Duration::from_secs(30);

/// How the connection is secured.
enum Security {
    Plain,
    /// STARTTLS: `required` refuses a server that does not offer it.
    StartTls {
        required: bool,
        params: TlsParameters,
    },
}

/// An SMTP server reached through our own sockets.
pub struct DirectSmtp {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
    max_idle: usize,
}

fn transient(message: String) -> SendError {
    SendError {
        permanent: false,
        message,
    }
}

fn lettre_error(e: lettre::transport::smtp::Error) -> SendError {
    SendError {
        // 5xx: the server refuses for good. Connection trouble, timeouts
        // and 4xx are worth another try.
        permanent: e.is_permanent(),
        message: smtp_error_text(&e),
    }
}

impl DirectSmtp {
    /// For `smtp://` URLs (plain, or STARTTLS with `?tls=required` or
    /// `?tls=opportunistic`), read as lettre reads them; `None` for
    /// `smtps://`, which lettre's transport handles.
    pub fn from_url(
        raw: &str,
        timeout: Duration,
        connections: usize,
    ) -> Result<Option<Self>, String> {
        let url = url::Url::parse(raw).map_err(|e| e.to_string())?;
        if url.scheme() == "smtps" {
            return Ok(None);
        }
        if url.scheme() != "smtp" {
            return Err(format!(
                "the scheme '{}' is not smtp or smtps",
                url.scheme()
            ));
        }
        let host = url.host_str().ok_or("it names no host")?.to_owned();
        let tls = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let params = || TlsParameters::new(host.clone()).map_err(|e| e.to_string());
        let (security, default_port) = match tls.as_deref() {
            None => (Security::Plain, 25),
            Some("required") => (
                Security::StartTls {
                    required: true,
                    params: params()?,
                },
                587,
            ),
            Some("opportunistic") => (
                Security::StartTls {
                    required: false,
                    params: params()?,
                },
                587,
            ),
            Some(other) => return Err(format!("tls={other} is not required or opportunistic")),
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|e| e.to_string())
        };
        let credentials = match url.password() {
            Some(password) => Some(Credentials::new(decode(url.username())?, decode(password)?)),
            None => None,
        };
        let path = url.path().trim_matches('/');
        Ok(Some(DirectSmtp {
            port: url.port().unwrap_or(default_port),
            host,
            security,
            credentials,
            hello: if path.is_empty() {
                ClientId::default()
            } else {
                ClientId::Domain(path.to_owned())
            },
            timeout,
            idle: Mutex::new(Vec::new()),
            max_idle: connections,
        }))
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let stream = tokio::time::timeout(
            self.timeout,
            tokio::net::TcpStream::connect((self.host.as_str(), self.port)),
        )
        .await
        .map_err(|_| transient(format!("connecting to {} timed out", self.host)))?
        .map_err(|e| transient(format!("cannot connect to {}: {e}", self.host)))?;
        stream
            .set_nodelay(true)
            .map_err(|e| transient(format!("cannot set TCP_NODELAY: {e}")))?;
        let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello)
            .await
            .map_err(lettre_error)?;
        if let Security::StartTls { required, params } = &self.security {
            if conn.can_starttls() {
                conn.starttls(params.clone(), &self.hello)
                    .await
                    .map_err(lettre_error)?;
            } else if *required {
                conn.abort().await;
                return Err(transient(format!(
                    "{} does not offer STARTTLS, which SMTP_URL requires (tls=required)",
                    self.host
                )));
            }
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
                .map_err(lettre_error)?;
        }
        Ok(conn)
    }

    /// An idle connection still alive, if there is one.
    async fn idle_connection(&self) -> Option<AsyncSmtpConnection> {
        loop {
            let next = self.idle.lock().expect("idle list").pop();
            let (mut conn, since) = next?;
            if since.elapsed() < CHECK_IDLE_AFTER || conn.test_connected().await {
                return Some(conn);
            }
        }
    }

    /// Sends on `conn`, keeping it for the next email when that worked.
    async fn send_on(
        &self,
        mut conn: AsyncSmtpConnection,
        message: &Message,
    ) -> Result<(), lettre::transport::smtp::Error> {
        match conn.send(message.envelope(), &message.formatted()).await {
            Ok(_) => {
                let mut idle = self.idle.lock().expect("idle list");
                if idle.len() < self.max_idle {
                    idle.push((conn, Instant::now()));
                }
                Ok(())
            }
            Err(e) => {
                // The connection's state is unknown: never reuse it.
                conn.abort().await;
                Err(e)
            }
        }
    }

    pub async fn send(&self, message: &Message) -> Result<(), SendError> {
        let work = async {
            if let Some(conn) = self.idle_connection().await {
                match self.send_on(conn, message).await {
                    Ok(()) => return Ok(()),
                    // A reply from the server is its answer to this email.
                    Err(e) if e.is_permanent() || e.is_transient() => return Err(lettre_error(e)),
                    // The kept connection died (the server restarted, or
                    // closed it): try once on a new one, as the outbox's
                    // retry would, only sooner.
                    Err(_) => {}
                }
            }
            let conn = self.connect().await?;
            self.send_on(conn, message).await.map_err(lettre_error)
        };
        tokio::time::timeout(self.timeout, work)
            .await
            .map_err(|_| transient(format!("{} did not answer in time", self.host)))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(url: &str) -> DirectSmtp {
        DirectSmtp::from_url(url, Duration::from_secs(5), 4)
            .unwrap()
            .expect("an smtp:// URL")
    }

    #[test]
    fn urls_are_read_as_lettre_reads_them() {
        let plain = read("smtp://127.0.0.1:2525");
        assert_eq!((plain.host.as_str(), plain.port), ("127.0.0.1", 2525));
        assert!(matches!(plain.security, Security::Plain));
        assert!(plain.credentials.is_none());
        let tls = read("smtp://user%40x:p%20w@mail.example.com?tls=required");
        assert_eq!(tls.port, 587);
        assert!(matches!(
            tls.security,
            Security::StartTls { required: true, .. }
        ));
        assert!(tls.credentials.is_some());
        let maybe = read("smtp://mail.example.com/client.example.com?tls=opportunistic");
        assert!(matches!(
            maybe.security,
            Security::StartTls {
                required: false,
                ..
            }
        ));
        assert_eq!(maybe.hello, ClientId::Domain("client.example.com".into()));
        assert!(
            DirectSmtp::from_url("smtps://mail.example.com", Duration::from_secs(5), 4)
                .unwrap()
                .is_none()
        );
        for bad in [
            "smtp://mail.example.com?tls=sometimes",
            "http://x",
            "smtp://",
        ] {
            assert!(
                DirectSmtp::from_url(bad, Duration::from_secs(5), 4).is_err(),
                "{bad}"
            );
        }
    }
}
