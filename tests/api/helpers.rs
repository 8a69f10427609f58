use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use diesel::{Connection, PgConnection, RunQueryDsl};
use infrapulse::clock::{Clock, ManualClock};
use infrapulse::config::Config;
use infrapulse::db::DbConnection;
use infrapulse::domain::account::{EmailAddress, NewPassword, PersonName, Role};
use infrapulse::startup::Application;
use infrapulse::web::state::AppState;
use reqwest::redirect::Policy;
use reqwest::{Response, StatusCode};

pub const PASSWORD: &str = "correct horse battery staple";

/// A database of its own for one test: dropped afterwards on PostgreSQL,
/// removed with the temporary folder on SQLite.
pub struct TestDb {
    pub url: String,
    admin_url: Option<String>,
    name: String,
}

impl TestDb {
    pub fn new(dir: &Path) -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                assert!(
                    admin_url.starts_with("postgres"),
                    "TEST_DATABASE_URL must be a postgres:// URL"
                );
                let name = format!("infrapulse_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = PgConnection::establish(&admin_url)
                    .expect("TEST_DATABASE_URL is set but PostgreSQL cannot be reached");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .expect("create the test database");
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(b, _)| b);
                TestDb {
                    url: format!("{base}/{name}"),
                    admin_url: Some(admin_url.clone()),
                    name,
                }
            }
            _ => TestDb {
                url: format!("sqlite://{}", dir.join("test.db").display()),
                admin_url: None,
                name: String::new(),
            },
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.admin_url.is_some()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(admin_url) = &self.admin_url
            && let Ok(mut conn) = PgConnection::establish(admin_url)
        {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub clock: Arc<ManualClock>,
    pub state: actix_web::web::Data<AppState>,
    pub db: TestDb,
    _dir: tempfile::TempDir,
}

pub fn test_config(dir: &Path, database_url: &str, extra: &[(&str, &str)]) -> Config {
    let mut vars: HashMap<String, String> = [
        ("DATA_DIR", dir.to_str().unwrap()),
        ("DATABASE_URL", database_url),
        ("BIND", "127.0.0.1:0"),
        ("WORKERS", "1"),
        ("DB_POOL_SIZE", "4"),
        (
            "SECRET_KEY",
            "test-secret-key-test-secret-key-test-secret-key-0123456789",
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (k, v) in extra {
        vars.insert(k.to_string(), v.to_string());
    }
    Config::from_lookup(|k| vars.get(k).cloned()).expect("test configuration is valid")
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[], false).await
}

/// An app with extra configuration; `background` also runs the scheduler
/// and delivery worker, as `serve` does. Without it, tests drive those
/// passes themselves (`deliver`, `tick`).
pub async fn spawn_app_with(extra: &[(&str, &str)], background: bool) -> TestApp {
    spawn_app_in(tempfile::tempdir().unwrap(), extra, background).await
}

/// `spawn_app_with`, its data (and SQLite database) in `dir`.
pub async fn spawn_app_in(
    dir: tempfile::TempDir,
    extra: &[(&str, &str)],
    background: bool,
) -> TestApp {
    // TEST_LOG=1 shows the servers' logs (RUST_LOG filters them), for a
    // test that fails without saying why; silent otherwise.
    if std::env::var_os("TEST_LOG").is_some() {
        infrapulse::telemetry::init(infrapulse::config::LogFormat::Text);
    }
    let db = TestDb::new(dir.path());
    let config = test_config(dir.path(), &db.url, extra);
    let clock = Arc::new(ManualClock::starting_now());
    let mut app = Application::build(config, clock.clone())
        .await
        .expect("the application builds");
    if background {
        app = app.with_background_jobs();
    }
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: new_client(),
        clock,
        state,
        db,
        _dir: dir,
    }
}

/// A browser-like client: keeps cookies, does not follow redirects (tests
/// look at them).
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

/// The value of the first hidden `csrf_token` field in a page.
pub fn csrf_token(html: &str) -> String {
    let marker = r#"name="csrf_token" value=""#;
    let start = html.find(marker).expect("the page has a CSRF field") + marker.len();
    html[start..][..html[start..].find('"').unwrap()].to_owned()
}

pub fn location(res: &Response) -> String {
    res.headers()
        .get("location")
        .expect("a Location header")
        .to_str()
        .unwrap()
        .to_owned()
}

impl TestApp {
    /// One delivery pass, as the worker runs it.
    pub async fn deliver(&self) -> infrapulse::mail::courier::DeliveryReport {
        self.state
            .courier()
            .deliver_due()
            .await
            .expect("delivery pass")
    }

    /// One scheduler tick at the app's clock.
    pub fn tick(&self) -> infrapulse::surveys::scheduler::TickReport {
        let now = self.clock.now();
        self.with_db(|conn| {
            infrapulse::surveys::scheduler::Scheduler::default()
                .tick(conn, &self.state.links, 3, now)
                .expect("scheduler tick")
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_text(&self, path: &str) -> (StatusCode, String) {
        let res = self.get(path).await;
        (res.status(), res.text().await.unwrap())
    }

    /// Posts a form as the browser would from `form_page`: with the page's
    /// CSRF token.
    pub async fn submit(&self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        self.submit_as(&self.client, form_page, action, fields)
            .await
    }

    /// `submit` from another browser (see `client_signed_in_as`).
    pub async fn submit_as(
        &self,
        client: &reqwest::Client,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let res = client.get(self.url(form_page)).send().await.unwrap();
        let (status, html) = (res.status(), res.text().await.unwrap());
        assert_eq!(status, StatusCode::OK, "{form_page} should render: {html}");
        let token = csrf_token(&html);
        let mut body: Vec<(&str, &str)> = vec![("csrf_token", &token)];
        body.extend_from_slice(fields);
        client
            .post(self.url(action))
            .form(&body)
            .send()
            .await
            .unwrap()
    }

    /// Another browser, signed in to a new account of `role`.
    pub async fn client_signed_in_as(&self, email: &str, role: Role) -> reqwest::Client {
        let client = new_client();
        self.create_account(email, role);
        let res = self
            .submit_as(
                &client,
                "/login",
                "/login",
                &[("email", email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{email} signs in");
        client
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.submit(
            "/login",
            "/login",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// Runs `f` on a connection of the app's own pool.
    pub fn with_db<T>(&self, f: impl FnOnce(&mut DbConnection) -> T) -> T {
        let mut conn = self.state.pool.get().unwrap();
        f(&mut conn)
    }

    pub fn create_account(&self, email: &str, role: Role) -> i64 {
        let now = self.clock.now();
        self.with_db(|conn| {
            infrapulse::auth::accounts::create(
                conn,
                &EmailAddress::parse(email).unwrap(),
                &PersonName::parse("Test Person").unwrap(),
                role,
                &NewPassword::parse(PASSWORD.into()).unwrap(),
                now,
            )
            .unwrap()
            .id
        })
    }

    /// An account of `role`, signed in on this app's client.
    pub async fn signed_in_as(&self, role: Role) -> String {
        let email = format!("{}@example.com", role.as_str());
        self.create_account(&email, role);
        let res = self.login(&email, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "sign-in works");
        email
    }

    pub fn account_count(&self) -> i64 {
        use diesel::dsl::count_star;
        use diesel::prelude::*;
        use infrapulse::db::schema::accounts;
        self.with_db(|conn| accounts::table.select(count_star()).first(conn).unwrap())
    }
}

impl TestApp {
    /// Uploads a CSV file through the import form, as a browser would.
    pub async fn upload_csv(&self, kind: &str, file: &[u8], create_teams: bool) -> Response {
        let (_, html) = self.get_text("/import").await;
        let token = csrf_token(&html);
        let boundary = "infrapulse-test-boundary-7d1f";
        let mut body = Vec::new();
        let mut text_field = |name: &str, value: &str| {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        };
        text_field("csrf_token", &token);
        text_field("kind", kind);
        if create_teams {
            text_field("create_teams", "1");
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{kind}.csv\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.client
            .post(self.url("/import"))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// Uploads, follows to the preview, and returns its URL and HTML.
    pub async fn preview_csv(
        &self,
        kind: &str,
        file: &[u8],
        create_teams: bool,
    ) -> (String, String) {
        let res = self.upload_csv(kind, file, create_teams).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "upload accepted");
        let preview = location(&res);
        let (status, html) = self.get_text(&preview).await;
        assert_eq!(status, StatusCode::OK);
        (preview, html)
    }

    /// Creates a team through the admin form.
    pub async fn add_team(&self, name: &str, slug: &str) {
        let res = self
            .submit("/teams/new", "/teams", &[("name", name), ("slug", slug)])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "team {name} created");
    }

    /// Creates a tool through the admin form.
    pub async fn add_tool(&self, name: &str, slug: &str, owner: &str) {
        let res = self
            .submit(
                "/tools/new",
                "/tools",
                &[
                    ("name", name),
                    ("slug", slug),
                    ("category", "developer_tools"),
                    ("owner", owner),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "tool {name} created");
    }

    pub fn count_rows(&self, table: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        self.with_db(|conn| {
            diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
                .get_result::<N>(conn)
                .unwrap()
                .n
        })
    }
}

/// The link token of an invitation, made as the server makes it: the
/// database holds only its seed.
pub fn token_from_seed(state: &AppState, seed: Option<String>, legacy: Option<String>) -> String {
    state
        .links
        .token_of(seed.as_deref(), legacy.as_deref())
        .expect("an invitation has a link")
}

/// A link of the newest round, for tests that answer as one of its invitees.
pub fn open_round_token(state: &AppState, conn: &mut DbConnection) -> String {
    use diesel::prelude::*;
    use infrapulse::db::schema::invitations;
    let (seed, legacy) = invitations::table
        .order(invitations::id.desc())
        .select((invitations::token_seed, invitations::legacy_token))
        .first(conn)
        .unwrap();
    token_from_seed(state, seed, legacy)
}

impl TestApp {
    /// Every link token of a round, by invitation id.
    pub fn tokens_of_round(&self, round_id: i64) -> Vec<(i64, String)> {
        use diesel::prelude::*;
        use infrapulse::db::schema::invitations;
        let rows: Vec<(i64, Option<String>, Option<String>)> = self.with_db(|conn| {
            invitations::table
                .filter(invitations::round_id.eq(round_id))
                .order(invitations::id.asc())
                .select((
                    invitations::id,
                    invitations::token_seed,
                    invitations::legacy_token,
                ))
                .load(conn)
                .unwrap()
        });
        rows.into_iter()
            .map(|(id, seed, legacy)| (id, token_from_seed(&self.state, seed, legacy)))
            .collect()
    }
}

/// A table's column names, as the database reports them.
pub fn column_names(conn: &mut DbConnection, table: &str) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let sql = match conn {
        DbConnection::Sqlite(_) => format!("SELECT name FROM pragma_table_info('{table}')"),
        DbConnection::Postgresql(_) => format!(
            "SELECT column_name::TEXT AS name FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = '{table}' ORDER BY ordinal_position"
        ),
    };
    diesel::sql_query(sql)
        .load::<Name>(conn)
        .unwrap()
        .into_iter()
        .map(|n| n.name)
        .collect()
}

/// Every row of a table as text, one string per column, in a stable order.
/// `extra` adds expressions (PostgreSQL's `xmin`, `ctid`) to each row.
pub fn dump_table(conn: &mut DbConnection, table: &str, extra: &[&str]) -> Vec<Vec<String>> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        r: String,
    }
    const SEP: &str = "\u{1f}";
    let mut exprs: Vec<String> = column_names(conn, table)
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect();
    exprs.extend(extra.iter().map(|e| e.to_string()));
    let joined = exprs
        .iter()
        .map(|e| format!("COALESCE(CAST({e} AS TEXT), '∅')"))
        .collect::<Vec<_>>()
        .join(&format!(" || '{SEP}' || "));
    let mut rows: Vec<Vec<String>> =
        diesel::sql_query(format!("SELECT {joined} AS r FROM {table}"))
            .load::<Row>(conn)
            .unwrap()
            .into_iter()
            .map(|row| row.r.split(SEP).map(str::to_owned).collect())
            .collect();
    rows.sort();
    rows
}

/// Every application table, dumped.
pub fn dump_all(conn: &mut DbConnection) -> Vec<(String, Vec<Vec<String>>)> {
    infrapulse::db::table_names(conn)
        .unwrap()
        .into_iter()
        .map(|t| {
            let rows = dump_table(conn, &t, &[]);
            (t, rows)
        })
        .collect()
}
