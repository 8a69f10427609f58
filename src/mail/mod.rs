//! Writing and sending email. `Mailer` turns an outbox row's data into a
//! multipart message and hands it to the transport: SMTP when `SMTP_URL` is
//! set, otherwise `.eml` files under `DATA_DIR/mail` (so the embedded default
//! needs no mail server). `courier` is the worker that drains the outbox.

pub mod courier;
mod smtp;
pub mod templates;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{
    Address, AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

use crate::config::Config;
use crate::db::outbox::Kind;
use templates::{EmailData, EmailTemplates, one_line};

enum Transport {
    /// smtp://, plain or STARTTLS, over our own TCP_NODELAY sockets.
    Direct(smtp::DirectSmtp),
    /// smtps://, through lettre's pool.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

/// Why an email did not go. A permanent failure (a 5xx answer, an address
/// that cannot be written) is not retried; anything else is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    templates: EmailTemplates,
    /// What the transport is, for logs and the outbox page; never a password.
    pub description: String,
    /// Emails to have in flight at once: one per pooled SMTP connection.
    pub in_flight: usize,
}

impl Mailer {
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let (transport, description) = match &config.smtp_url {
            Some(url) => {
                let unusable =
                    |e: &dyn std::fmt::Display| anyhow::anyhow!("SMTP_URL cannot be used: {e}");
                // smtp:// (plain, or STARTTLS with ?tls=required) on our
                // own sockets; smtps:// through lettre's pool, its URL read
                // by lettre's own parser (credentials, port).
                let direct = smtp::DirectSmtp::from_url(
                    url.expose(),
                    config.smtp_timeout,
                    config.smtp_connections as usize,
                )
                .map_err(|e| unusable(&e))?;
                let transport = match direct {
                    Some(direct) => Transport::Direct(direct),
                    None => Transport::Smtp(
                        AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                            .map_err(|e| unusable(&e))?
                            .timeout(Some(config.smtp_timeout))
                            .pool_config(PoolConfig::new().max_size(config.smtp_connections))
                            .build(),
                    ),
                };
                let server = server_of(url.expose());
                (transport, format!("SMTP via {server}"))
            }
            None => {
                let dir = config.data_dir.join("mail");
                std::fs::create_dir_all(&dir).map_err(|e| {
                    anyhow::anyhow!("cannot create the mail folder {}: {e}", dir.display())
                })?;
                (
                    Transport::Files(AsyncFileTransport::new(&dir)),
                    format!("files in {}", dir.display()),
                )
            }
        };
        Ok(Mailer {
            transport,
            from: config.mail_from.clone(),
            templates: EmailTemplates::load(config.email_templates_dir.as_deref())?,
            description,
            in_flight: config.smtp_connections as usize,
        })
    }

    /// Builds the email. `message_key` makes its Message-ID, so a retry of
    /// the same outbox row is recognisably the same email.
    pub fn compose(
        &self,
        kind: Kind,
        to_name: &str,
        to_address: &str,
        message_key: &str,
        data: &EmailData,
    ) -> Result<Message, SendError> {
        let permanent = |message: String| SendError {
            permanent: true,
            message,
        };
        let address: Address = to_address
            .parse()
            .map_err(|e| permanent(format!("the address {to_address:?} cannot be used: {e}")))?;
        // lettre panics on CR or LF in a display name; no name ever has one here.
        let name = one_line(to_name);
        let to = Mailbox::new((!name.is_empty()).then_some(name), address);
        let body = self
            .templates
            .render(kind, data)
            .map_err(|e| permanent(format!("the {} template fails: {e}", kind.as_str())))?;
        // RFC 8058 one-click unsubscribe: large mailbox providers expect it
        // of bulk mail, and show their own "unsubscribe" button for it.
        let unsubscribe = HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{}>", data.stop_link),
        );
        let one_click = HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".into(),
        );
        Message::builder()
            .message_id(Some(format!(
                "<{message_key}@{}>",
                self.from.email.domain()
            )))
            .from(self.from.clone())
            .to(to)
            .subject(body.subject)
            .raw_header(unsubscribe)
            .raw_header(one_click)
            .multipart(MultiPart::alternative_plain_html(body.text, body.html))
            .map_err(|e| permanent(format!("the email cannot be built: {e}")))
    }

    /// A short plain email that proves the transport works.
    pub fn test_message(
        &self,
        to: &crate::domain::account::EmailAddress,
        base_url: &str,
    ) -> Result<Message, SendError> {
        Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, to.address()))
            .subject("infrapulse test email")
            .body(format!(
                "This is a test email from infrapulse at {base_url}.\n\
                 If you can read it, survey invitations will reach people too.\n"
            ))
            .map_err(|e| SendError {
                permanent: true,
                message: format!("the email cannot be built: {e}"),
            })
    }

    pub async fn send(&self, message: Message) -> Result<(), SendError> {
        match &self.transport {
            Transport::Direct(direct) => direct.send(&message).await,
            Transport::Smtp(smtp) => smtp.send(message).await.map(drop).map_err(|e| SendError {
                // 5xx: the server refuses for good. Connection trouble,
                // timeouts and 4xx are worth another try.
                permanent: e.is_permanent(),
                message: smtp_error_text(&e),
            }),
            Transport::Files(files) => files.send(message).await.map(drop).map_err(|e| SendError {
                permanent: false,
                message: format!("cannot write the email file: {e}"),
            }),
        }
    }
}

/// `host:port` of an SMTP URL, for pages and logs: never its credentials.
fn server_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(url) => match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => "the configured server".into(),
        },
        Err(_) => "the configured server".into(),
    }
}

/// The error with its causes ("Connection refused"), as the admin needs it.
fn smtp_error_text(e: &lettre::transport::smtp::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::server_of;

    #[test]
    fn the_server_is_named_without_credentials() {
        assert_eq!(server_of("smtp://127.0.0.1:2525"), "127.0.0.1:2525");
        assert_eq!(
            server_of("smtps://user:hunter2@mail.example.com:465?tls=required"),
            "mail.example.com:465"
        );
        assert_eq!(server_of("smtp://mail.example.com"), "mail.example.com");
        assert!(!server_of("smtp://us er:hun ter2@mail").contains("hun"));
    }
}
