//! Configuration: environment variables, parsed once into one typed struct that
//! is handed to the application (no globals, so tests build their own).
//!
//! Every variable, its default and its form is listed in README.md; a bad value
//! stops start-up with a message naming the variable and the expected form.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::TimeDelta;

use crate::db::DatabaseUrl;
use crate::domain::account::EmailAddress;
use crate::secret::{Secret, random_hex};

#[derive(Debug, Clone)]
pub struct Config {
    /// Holds the default SQLite database, mail written to files, and the generated secret key.
    pub data_dir: PathBuf,
    pub database_url: DatabaseUrl,
    pub db_pool_size: u32,
    pub bind: SocketAddr,
    /// Where users reach the service; emailed links are built from it.
    pub base_url: BaseUrl,
    /// Whether BASE_URL was set, rather than taken from BIND.
    pub base_url_set: bool,
    /// `None`: emails are written as `.eml` files under `data_dir/mail`.
    pub smtp_url: Option<Secret<String>>,
    /// How long one SMTP exchange may take before it counts as a transient failure.
    pub smtp_timeout: std::time::Duration,
    /// SMTP connections kept open, and so emails in flight at once.
    pub smtp_connections: u32,
    /// The sender of every email, `Name <address>` or a bare address.
    pub mail_from: lettre::message::Mailbox,
    /// A folder whose files replace the embedded email templates of the same name.
    pub email_templates_dir: Option<PathBuf>,
    /// `None`: a key is generated once and kept in `data_dir/secret_key`.
    pub secret_key: Option<Secret<String>>,
    pub session_idle: TimeDelta,
    /// How long a client may take to send a request body.
    pub body_timeout: std::time::Duration,
    /// When set, `/metrics` answers only requests bearing this token.
    pub metrics_token: Option<Secret<String>>,
    /// Where the client's address comes from: the socket, or the proxies in front.
    pub trust_proxy: Option<TrustedProxies>,
    pub log_format: LogFormat,
    pub workers: usize,
    /// Business-critical teams that make a tool technical infrastructure (slide 10).
    pub infra_min_teams: u32,
    /// `INFRAPULSE_ADMIN_PASSWORD`: the password for `admin add` and `admin passwd`.
    pub admin_password: Option<Secret<String>>,
    /// First-start admin account, created by `serve` when no admin exists.
    pub bootstrap_admin: Option<BootstrapAdmin>,
}

/// The proxies in front of the service, whose forwarding header is believed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedProxies {
    /// How many proxies append to the header: the client is the entry that
    /// many from the right. Entries further left are whatever the client sent.
    pub hops: usize,
    pub header: ForwardedHeader,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, …`
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client, for=proxy1`, only when named.
    Forwarded,
}

/// `INFRAPULSE_ADMIN_EMAIL` and `INFRAPULSE_ADMIN_PASSWORD`, both or neither.
#[derive(Debug, Clone)]
pub struct BootstrapAdmin {
    pub email: EmailAddress,
    pub password: Secret<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// The service's public address: scheme, host, optional port and path prefix,
/// stored without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    url: String,
    origin: String,
}

impl BaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let url = url::Url::parse(raw.trim()).map_err(|_| "is not a URL".to_string())?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err("must start with http:// or https://".into());
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("must name a host".into());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err("must not have a query or fragment".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not contain credentials".into());
        }
        // `Url` lower-cases the host and drops a default port, as browsers
        // do in the `Origin` header.
        let origin = url.origin().ascii_serialization();
        let path = url.path().trim_end_matches('/');
        Ok(BaseUrl {
            url: format!("{origin}{path}"),
            origin,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// `scheme://host[:port]`, as browsers send it in the `Origin` header.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn is_https(&self) -> bool {
        self.url.starts_with("https://")
    }

    /// An absolute link to `path` (which starts with `/`).
    pub fn join(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{var}: {problem}")]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned()))
    }

    /// Reads configuration through `lookup` (a variable's value, if set).
    /// Empty values count as unset, as container tools often pass them.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |var: &str| lookup(var).filter(|v| !v.trim().is_empty());
        let fail = |var: &'static str, problem: String| ConfigError { var, problem };

        let data_dir = PathBuf::from(get("DATA_DIR").unwrap_or_else(|| "./data".into()));

        let database_url = match get("DATABASE_URL") {
            // The value may hold a password: never echo it.
            Some(raw) => DatabaseUrl::parse(&raw).map_err(|e| {
                fail(
                    "DATABASE_URL",
                    format!("{e}; expected postgres://USER@HOST/DB, sqlite://PATH or a file path"),
                )
            })?,
            None => DatabaseUrl::Sqlite(data_dir.join("infrapulse.db")),
        };

        let db_pool_size =
            parse_number(get("DB_POOL_SIZE"), 8, 1..=200).map_err(|e| fail("DB_POOL_SIZE", e))?;

        let bind_raw = get("BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: SocketAddr = bind_raw.trim().parse().map_err(|_| {
            fail(
                "BIND",
                format!("expected an IP address and port such as 127.0.0.1:8080, got '{bind_raw}'"),
            )
        })?;

        let base_url = match get("BASE_URL") {
            Some(raw) => BaseUrl::parse(&raw).map_err(|e| {
                fail(
                    "BASE_URL",
                    format!("{e}; expected a URL such as https://pulse.example.com, got '{raw}'"),
                )
            })?,
            None => BaseUrl::parse(&format!("http://{bind}")).map_err(|e| fail("BASE_URL", e))?,
        };

        let smtp_url = match get("SMTP_URL") {
            Some(raw) => {
                let scheme = raw.split_once("://").map(|(s, _)| s);
                if !matches!(scheme, Some("smtp" | "smtps")) {
                    return Err(fail(
                        "SMTP_URL",
                        "expected smtp://[USER:PASSWORD@]HOST[:PORT] or smtps://…".into(),
                    ));
                }
                Some(Secret::new(raw))
            }
            None => None,
        };

        let smtp_timeout = parse_number(get("SMTP_TIMEOUT_SECONDS"), 30, 1..=600)
            .map_err(|e| fail("SMTP_TIMEOUT_SECONDS", e))?;

        let smtp_connections = parse_number(get("SMTP_CONNECTIONS"), 8, 1..=64)
            .map_err(|e| fail("SMTP_CONNECTIONS", e))?;

        let mail_from_raw =
            get("MAIL_FROM").unwrap_or_else(|| "infrapulse <infrapulse@localhost>".into());
        let mail_from: lettre::message::Mailbox = mail_from_raw.trim().parse().map_err(|_| {
            fail(
                "MAIL_FROM",
                format!("expected an address such as 'Infra Pulse <pulse@example.com>', got '{mail_from_raw}'"),
            )
        })?;
        if mail_from
            .name
            .as_deref()
            .is_some_and(|n| n.chars().any(char::is_control))
        {
            return Err(fail(
                "MAIL_FROM",
                "must not contain control characters".into(),
            ));
        }

        let email_templates_dir = get("EMAIL_TEMPLATES_DIR").map(PathBuf::from);

        let secret_key = match get("SECRET_KEY") {
            Some(raw) if raw.trim().len() < 32 => {
                return Err(fail(
                    "SECRET_KEY",
                    "must be at least 32 characters; generate one with `openssl rand -hex 32`"
                        .into(),
                ));
            }
            Some(raw) => Some(Secret::new(raw.trim().to_owned())),
            None => None,
        };

        let idle_minutes = parse_number(get("SESSION_IDLE_MINUTES"), 30, 1..=1440)
            .map_err(|e| fail("SESSION_IDLE_MINUTES", e))?;

        let body_timeout = parse_number(get("BODY_TIMEOUT_SECONDS"), 60, 1..=3600)
            .map_err(|e| fail("BODY_TIMEOUT_SECONDS", e))?;

        let metrics_token = get("METRICS_TOKEN").map(|t| Secret::new(t.trim().to_owned()));

        let trust_proxy =
            if parse_bool(get("TRUST_PROXY"), false).map_err(|e| fail("TRUST_PROXY", e))? {
                let hops = parse_number(get("TRUST_PROXY_HOPS"), 1, 1..=10)
                    .map_err(|e| fail("TRUST_PROXY_HOPS", e))? as usize;
                let header = match get("TRUST_PROXY_HEADER")
                    .map(|h| h.trim().to_ascii_lowercase())
                    .as_deref()
                {
                    None | Some("x-forwarded-for") => ForwardedHeader::XForwardedFor,
                    Some("forwarded") => ForwardedHeader::Forwarded,
                    Some(other) => {
                        return Err(fail(
                            "TRUST_PROXY_HEADER",
                            format!("expected 'x-forwarded-for' or 'forwarded', got '{other}'"),
                        ));
                    }
                };
                Some(TrustedProxies { hops, header })
            } else {
                None
            };

        let log_format = match get("LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(fail(
                    "LOG_FORMAT",
                    format!("expected 'text' or 'json', got '{other}'"),
                ));
            }
        };

        let default_workers = std::thread::available_parallelism().map_or(2, usize::from);
        let workers = parse_number(get("WORKERS"), default_workers as u32, 1..=256)
            .map_err(|e| fail("WORKERS", e))? as usize;

        let infra_min_teams = parse_number(get("INFRA_MIN_TEAMS"), 3, 1..=1000)
            .map_err(|e| fail("INFRA_MIN_TEAMS", e))?;

        // The password alone serves `admin add` and `admin passwd`; with the
        // email too, `serve` creates that first admin.
        let admin_password = get("INFRAPULSE_ADMIN_PASSWORD").map(Secret::new);
        let bootstrap_admin = match (get("INFRAPULSE_ADMIN_EMAIL"), &admin_password) {
            (None, _) => None,
            (Some(email), Some(password)) => Some(BootstrapAdmin {
                email: EmailAddress::parse(&email).map_err(|e| {
                    fail(
                        "INFRAPULSE_ADMIN_EMAIL",
                        format!("{e}; expected an email address"),
                    )
                })?,
                password: password.clone(),
            }),
            (Some(_), None) => {
                return Err(fail(
                    "INFRAPULSE_ADMIN_PASSWORD",
                    "must be set when INFRAPULSE_ADMIN_EMAIL is".into(),
                ));
            }
        };

        Ok(Config {
            data_dir,
            database_url,
            db_pool_size,
            bind,
            base_url_set: get("BASE_URL").is_some(),
            base_url,
            smtp_url,
            smtp_timeout: std::time::Duration::from_secs(u64::from(smtp_timeout)),
            smtp_connections,
            mail_from,
            email_templates_dir,
            secret_key,
            session_idle: TimeDelta::minutes(i64::from(idle_minutes)),
            body_timeout: std::time::Duration::from_secs(u64::from(body_timeout)),
            metrics_token,
            trust_proxy,
            log_format,
            workers,
            infra_min_teams,
            admin_password,
            bootstrap_admin,
        })
    }

    /// The cookie key: `SECRET_KEY`, or one generated on first start and kept
    /// in the data folder so that sessions survive a restart.
    pub fn load_or_create_secret_key(&self) -> anyhow::Result<Secret<String>> {
        if let Some(key) = &self.secret_key {
            return Ok(key.clone());
        }
        let path = self.data_dir.join("secret_key");
        let key = read_or_create_key_file(&path)?;
        tracing::warn!(
            path = %path.display(),
            "SECRET_KEY is not set; using the key kept in the data folder. \
             Set SECRET_KEY when running several instances."
        );
        Ok(key)
    }
}

fn read_or_create_key_file(path: &Path) -> anyhow::Result<Secret<String>> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;

    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(mut file) => {
            let key = random_hex(64);
            file.write_all(key.as_bytes())
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(Secret::new(key))
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let key = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let key = key.trim();
            anyhow::ensure!(
                key.len() >= 32,
                "{} holds a key shorter than 32 characters; delete it to generate a new one",
                path.display()
            );
            Ok(Secret::new(key.to_owned()))
        }
        Err(e) => Err(e).with_context(|| format!("cannot create {}", path.display())),
    }
}

fn parse_number(
    raw: Option<String>,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, String> {
    let Some(raw) = raw else { return Ok(default) };
    raw.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            format!(
                "expected a whole number from {} to {}, got '{raw}'",
                range.start(),
                range.end()
            )
        })
}

fn parse_bool(raw: Option<String>, default: bool) -> Result<bool, String> {
    match raw.as_deref().map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if matches!(v.as_str(), "1" | "true" | "yes" | "on") => Ok(true),
        Some(v) if matches!(v.as_str(), "0" | "false" | "no" | "off") => Ok(false),
        Some(v) => Err(format!("expected true or false, got '{v}'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| vars.get(k).cloned())
    }

    #[test]
    fn defaults_need_nothing() {
        let c = config(&[]).unwrap();
        assert_eq!(
            c.database_url,
            DatabaseUrl::Sqlite("./data/infrapulse.db".into())
        );
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.base_url.as_str(), "http://127.0.0.1:8080");
        assert!(c.smtp_url.is_none() && c.secret_key.is_none());
        assert_eq!(c.session_idle, TimeDelta::minutes(30));
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (var, value) in [
            ("DATABASE_URL", "mysql://h/db"),
            ("BIND", "localhost"),
            ("BASE_URL", "ftp://x"),
            ("BASE_URL", "https://"),
            ("SMTP_URL", "mail.example.com"),
            ("SMTP_TIMEOUT_SECONDS", "0"),
            ("MAIL_FROM", "not an address"),
            ("SECRET_KEY", "short"),
            ("SESSION_IDLE_MINUTES", "0"),
            ("DB_POOL_SIZE", "lots"),
            ("TRUST_PROXY", "maybe"),
            ("LOG_FORMAT", "xml"),
        ] {
            let err = config(&[(var, value)]).unwrap_err();
            assert_eq!(err.var, var, "{value}");
            assert!(err.to_string().starts_with(var));
        }
    }

    #[test]
    fn proxies_are_trusted_only_as_told() {
        assert_eq!(config(&[]).unwrap().trust_proxy, None);
        let c = config(&[("TRUST_PROXY", "true")]).unwrap();
        assert_eq!(
            c.trust_proxy,
            Some(TrustedProxies {
                hops: 1,
                header: ForwardedHeader::XForwardedFor
            })
        );
        let c = config(&[
            ("TRUST_PROXY", "true"),
            ("TRUST_PROXY_HOPS", "2"),
            ("TRUST_PROXY_HEADER", "Forwarded"),
        ])
        .unwrap();
        assert_eq!(
            c.trust_proxy,
            Some(TrustedProxies {
                hops: 2,
                header: ForwardedHeader::Forwarded
            })
        );
        for (var, value) in [
            ("TRUST_PROXY_HOPS", "0"),
            ("TRUST_PROXY_HEADER", "x-real-ip"),
        ] {
            let err = config(&[("TRUST_PROXY", "true"), (var, value)]).unwrap_err();
            assert_eq!(err.var, var);
        }
    }

    #[test]
    fn the_admin_password_alone_is_enough_for_the_cli() {
        let c = config(&[("INFRAPULSE_ADMIN_PASSWORD", "hunter2hunter2")]).unwrap();
        assert!(c.bootstrap_admin.is_none());
        assert!(c.admin_password.is_some());
    }

    #[test]
    fn bootstrap_admin_needs_both_variables_and_a_real_email() {
        let err = config(&[
            ("INFRAPULSE_ADMIN_EMAIL", "root"),
            ("INFRAPULSE_ADMIN_PASSWORD", "p"),
        ])
        .unwrap_err();
        assert_eq!(err.var, "INFRAPULSE_ADMIN_EMAIL");
        let err = config(&[("INFRAPULSE_ADMIN_EMAIL", "a@example.com")]).unwrap_err();
        assert_eq!(err.var, "INFRAPULSE_ADMIN_PASSWORD");
        let c = config(&[
            ("INFRAPULSE_ADMIN_EMAIL", "A@example.com"),
            ("INFRAPULSE_ADMIN_PASSWORD", "hunter2hunter2"),
        ])
        .unwrap();
        assert_eq!(c.bootstrap_admin.unwrap().email.as_str(), "a@example.com");
    }

    #[test]
    fn secrets_are_never_echoed() {
        let err = config(&[("DATABASE_URL", "mysql://u:hunter2@h/db")]).unwrap_err();
        assert!(!err.to_string().contains("hunter2"));
        let err = config(&[("SECRET_KEY", "hunter2")]).unwrap_err();
        assert!(!err.to_string().contains("hunter2"));
        let c = config(&[
            ("SMTP_URL", "smtp://u:hunter2@mail"),
            ("SECRET_KEY", &"k".repeat(40)),
        ])
        .unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(!format!("{c:?}").contains("kkkk"));
    }

    #[test]
    fn base_url_is_normalised() {
        let b = BaseUrl::parse("https://Pulse.Example.com/infra/").unwrap();
        assert_eq!(b.as_str(), "https://pulse.example.com/infra");
        assert_eq!(b.origin(), "https://pulse.example.com");
        assert!(b.is_https());
        assert_eq!(b.join("/r/abc"), "https://pulse.example.com/infra/r/abc");
        assert!(BaseUrl::parse("https://u:p@h").is_err());
        assert!(BaseUrl::parse("https://h/?q=1").is_err());
    }

    #[test]
    fn generated_key_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let c = config(&[("DATA_DIR", dir.path().to_str().unwrap())]).unwrap();
        let first = c.load_or_create_secret_key().unwrap();
        let second = c.load_or_create_secret_key().unwrap();
        assert_eq!(first, second);
        assert!(first.expose().len() >= 64);
    }
}
