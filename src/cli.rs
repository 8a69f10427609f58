//! The command line: `serve` (the default), `migrate`, `demo`, `admin`,
//! `import`, `round`, `export` and `healthcheck`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::auth::accounts;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::db;
use crate::domain::account::{EmailAddress, NewPassword, PersonName, Role};
use crate::links::LinkKeys;
use crate::secret::random_hex;
use crate::startup::{Application, open_database};
use crate::surveys::DeadlineChange;
use crate::telemetry;

#[derive(Parser)]
#[command(
    name = "infrapulse",
    version,
    about = "Survey the teams that use your infrastructure."
)]
#[command(after_help = "Configuration comes from environment variables; see README.md.")]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default when no command is given).
    Serve(ServeArgs),
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Fill an empty database with a demo organisation, survey history and an open round.
    Demo,
    /// Manage admin and viewer accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Import members or adoption from a CSV file: all rows, or none when any has an error.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Survey rounds.
    Round {
        #[command(subcommand)]
        command: RoundCommand,
    },
    /// Write a CSV export (summary, priorities, comments, responses, warnings,
    /// questions or directory) to a file or standard output. Columns: see
    /// the README.
    Export(ExportArgs),
    /// Exit 0 when the server on BIND answers /healthz (for container health checks).
    Healthcheck,
}

#[derive(Args)]
struct ExportArgs {
    /// summary, priorities, comments, responses, warnings, questions or directory.
    kind: String,
    /// Only this program (its slug).
    #[arg(long, default_value = "")]
    program: String,
    /// Only rounds numbered this or later.
    #[arg(long, default_value = "")]
    from: String,
    /// Only rounds numbered this or earlier.
    #[arg(long, default_value = "")]
    to: String,
    /// Only this tool (its slug).
    #[arg(long, default_value = "")]
    tool: String,
    /// Start with a byte order mark, for spreadsheet apps that need one to read UTF-8.
    #[arg(long)]
    bom: bool,
    /// The file to write (replaced only once the export is complete); standard output when absent.
    #[arg(short, long)]
    output: Option<std::path::PathBuf>,
}

#[derive(Subcommand)]
enum RoundCommand {
    /// Open a program's next round now, and send its invitations with a progress bar.
    Open {
        /// The program's slug, as in its address (/programs/SLUG).
        program: String,
    },
    /// Close a program's open round now (it cannot be opened again).
    Close {
        /// The program's slug.
        program: String,
    },
    /// Give a program's open round more days.
    Extend {
        /// The program's slug.
        program: String,
        /// Days to add to the deadline, 1 to 90.
        #[arg(long)]
        days: i64,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Teams, from a file with the columns slug,name,description.
    Teams(ImportArgs),
    /// Tools, from a file with the columns slug,name,category,owner_team.
    Tools(ImportArgs),
    /// Members, from a file with the columns email,name,team.
    Members(ImportArgs),
    /// Who uses what, from a file with the columns team,tool,business_critical.
    Adoption(ImportArgs),
}

#[derive(Args)]
struct ImportArgs {
    /// The CSV file.
    file: std::path::PathBuf,
    /// Create the teams the file names that do not exist yet (otherwise each is an error).
    #[arg(long)]
    create_teams: bool,
}

#[derive(Args, Default)]
struct ServeArgs {
    /// Fill an empty database with demo content and print how to sign in.
    #[arg(long)]
    demo: bool,
    /// Serve web pages only: open no scheduled rounds and send no email here
    /// (another instance does).
    #[arg(long)]
    no_scheduler: bool,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an account. The password is read from INFRAPULSE_ADMIN_PASSWORD or prompted for.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin (may change everything) or viewer (reads only).
        #[arg(long, default_value = "admin")]
        role: String,
    },
    /// Set a new password and sign the account out everywhere.
    Passwd {
        #[arg(long)]
        email: String,
    },
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("infrapulse: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    let result = match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => serve(config, args),
        Command::Migrate => migrate(&config),
        Command::Demo => demo(&config),
        Command::Admin { command } => admin(&config, command),
        Command::Import { what } => import_file(&config, what),
        Command::Round {
            command: RoundCommand::Open { program },
        } => open_round(&config, &program),
        Command::Round {
            command: RoundCommand::Close { program },
        } => change_deadline(&config, &program, DeadlineChange::CloseNow),
        Command::Round {
            command: RoundCommand::Extend { program, days },
        } => change_deadline(&config, &program, DeadlineChange::ExtendDays(days)),
        Command::Export(args) => export(&config, args),
        Command::Healthcheck => healthcheck(config.bind),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("infrapulse: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve(config: Config, args: ServeArgs) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let mut app = Application::build(config, clock).await?;
        if !args.no_scheduler {
            app = app.with_background_jobs();
        }
        let state = app.state();
        {
            let mut conn = state.pool.get()?;
            ensure_admin(&mut conn, &state, args.demo)?;
        }
        tracing::info!(
            address = %state.config.bind,
            base_url = state.config.base_url.as_str(),
            database = ?state.config.database_url,
            "serving"
        );
        println!(
            "infrapulse is serving at {}/",
            state.config.base_url.as_str()
        );
        app.run_until_stopped().await?;
        tracing::info!("stopped");
        Ok(())
    })
}

const DEMO_ADMIN_EMAIL: &str = "admin@example.com";

/// First start: an admin from the environment, the demo, or instructions.
fn ensure_admin(
    conn: &mut db::DbConnection,
    state: &crate::web::state::AppState,
    demo: bool,
) -> anyhow::Result<()> {
    let (config, now) = (&state.config, state.clock.now());
    if demo {
        if seed_demo(conn, config, &state.links, now)?.is_some() {
            println!(
                "The open round's invitation emails are being written to {}: open one in a \
                 mail client (or read its link) and answer as an engineer would.\n",
                config.data_dir.join("mail").display()
            );
        } else {
            println!(
                "The database is not empty, so no demo content was added. Sign in with an \
                 existing account (reset one with `infrapulse admin passwd --email EMAIL`)."
            );
        }
        return Ok(());
    }
    if accounts::any_admin(conn)? {
        return Ok(());
    }
    if let Some(admin) = &config.bootstrap_admin {
        let password = NewPassword::parse(admin.password.expose().clone())
            .map_err(|e| anyhow::anyhow!("INFRAPULSE_ADMIN_PASSWORD {e}"))?;
        let name = PersonName::parse("Administrator").map_err(anyhow::Error::msg)?;
        accounts::create(conn, &admin.email, &name, Role::Admin, &password, now)?;
        tracing::info!(email = %admin.email, "created the first admin from INFRAPULSE_ADMIN_EMAIL");
        return Ok(());
    }
    eprintln!(
        "\nNo admin account exists yet. Create one with\n\
         \n    infrapulse admin add --email you@example.com --name \"Your Name\"\n\
         \n(`cargo run --release -- admin add …` from a checkout), or start the server with\n\
         INFRAPULSE_ADMIN_EMAIL and INFRAPULSE_ADMIN_PASSWORD set.\n"
    );
    Ok(())
}

/// Fills an empty database with the demo organisation and prints how to
/// sign in. Returns the open round's id; `None` (and nothing written) when
/// the database is not empty.
fn seed_demo(
    conn: &mut db::DbConnection,
    config: &Config,
    keys: &LinkKeys,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<Option<i64>> {
    if !crate::demo::database_is_empty(conn)? {
        return Ok(None);
    }
    crate::demo::seed_directory(conn, now)?;
    let (open, invited) = crate::demo::seed_surveys(conn, keys, config.infra_min_teams, now)?;
    let email = EmailAddress::parse(DEMO_ADMIN_EMAIL).map_err(anyhow::Error::msg)?;
    let name = PersonName::parse("Demo Admin").map_err(anyhow::Error::msg)?;
    let password = NewPassword::parse(random_hex(8)).map_err(anyhow::Error::msg)?;
    accounts::create(conn, &email, &name, Role::Admin, &password, now)?;
    // Printed once, to the terminal that asked for a demo; never logged.
    println!(
        "\nDemo content created, with a round open now that invited {invited} engineers.\n\
         Sign in at {}/login\n    email:    {}\n    password: {}\n",
        config.base_url.as_str(),
        email,
        password.expose(),
    );
    Ok(Some(open.id))
}

fn demo(config: &Config) -> anyhow::Result<()> {
    let pool = open_database(config)?;
    let mut conn = pool.get()?;
    let keys = LinkKeys::new(&config.load_or_create_secret_key()?);
    let now = SystemClock.now();
    let open = seed_demo(&mut conn, config, &keys, now)?;
    anyhow::ensure!(
        open.is_some(),
        "the database is not empty; the demo only fills an empty one (set DATABASE_URL or DATA_DIR to a new place)"
    );
    drop(conn);
    println!("Sending the open round's invitations:");
    deliver_with_progress(config, pool, open)
}

/// The database a command works on, which must exist already: only
/// `serve`, `migrate` and `demo` create one. Run from the wrong folder, a
/// command would otherwise make an empty `./data` and fail further on.
fn existing_database(config: &Config) -> anyhow::Result<db::DbPool> {
    if let db::DatabaseUrl::Sqlite(path) = &config.database_url
        && !path.exists()
    {
        anyhow::bail!(
            "there is no database at {}; run this where the server's data is, set DATA_DIR or \
             DATABASE_URL to it, or create one with `infrapulse migrate`",
            path.display()
        );
    }
    open_database(config)
}

fn program_by_slug(
    conn: &mut db::DbConnection,
    slug: &str,
) -> anyhow::Result<crate::db::programs::Program> {
    crate::db::programs::find_by_slug(conn, slug)?
        .with_context(|| format!("no program has the slug '{slug}'"))
}

fn change_deadline(config: &Config, slug: &str, change: DeadlineChange) -> anyhow::Result<()> {
    let pool = existing_database(config)?;
    let mut conn = pool.get()?;
    let program = program_by_slug(&mut conn, slug)?;
    let round = crate::db::rounds::latest(&mut conn, program.id)?
        .with_context(|| format!("{} has no rounds yet", program.name))?;
    let closes_at =
        crate::surveys::change_deadline(&mut conn, round.id, change, SystemClock.now())?
            .map_err(|refused| anyhow::anyhow!("{refused}"))?;
    println!(
        "Round {} of {} now closes {}.",
        round.number,
        program.name,
        closes_at.format("%Y-%m-%d %H:%M UTC")
    );
    Ok(())
}

fn open_round(config: &Config, slug: &str) -> anyhow::Result<()> {
    check_link_address(config)?;
    let pool = existing_database(config)?;
    let mut conn = pool.get()?;
    let program = program_by_slug(&mut conn, slug)?;
    let keys = LinkKeys::new(&config.load_or_create_secret_key()?);
    let (round, invited) = crate::surveys::open_round(
        &mut conn,
        &keys,
        &program,
        config.infra_min_teams,
        None,
        SystemClock.now(),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    drop(conn);
    println!(
        "Opened round {} of {} and queued {invited} invitations.",
        round.number, program.name
    );
    deliver_with_progress(config, pool, Some(round.id))
}

/// Sends what is due now, with a bar over the round's emails (or all), and
/// says what is left for the server's worker to retry.
fn deliver_with_progress(
    config: &Config,
    pool: db::DbPool,
    round_id: Option<i64>,
) -> anyhow::Result<()> {
    use crate::db::outbox;
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} emails ({eta})")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    // The SMTP pool runs a task on the runtime from its creation to its
    // drop, so the courier lives and dies inside it.
    let counts = actix_web::rt::System::new().block_on(async {
        let mailer = crate::mail::Mailer::new(config)?;
        bar.set_message(format!("sending ({})", mailer.description));
        let courier = crate::mail::courier::Courier {
            pool: pool.clone(),
            clock: Arc::new(SystemClock),
            mailer: Arc::new(mailer),
            metrics: crate::metrics::Metrics::new(),
            base_url: config.base_url.clone(),
            keys: LinkKeys::new(&config.load_or_create_secret_key()?),
            writer: None,
        };
        loop {
            let batch = courier.deliver_batch().await?;
            let counts = db::run(&pool, move |c| {
                outbox::counts(c, round_id).map_err(anyhow::Error::from)
            })
            .await?;
            bar.set_length(counts.total() as u64);
            bar.set_position((counts.total() - counts.pending()) as u64);
            if batch == Default::default() {
                return Ok::<_, anyhow::Error>(counts);
            }
        }
    })?;
    bar.finish_and_clear();
    println!(
        "{} sent, {} failed, {} not needed, {} waiting to be retried.",
        counts.sent, counts.failed, counts.skipped, counts.retrying
    );
    if counts.retrying > 0 || counts.queued > 0 {
        println!("The server (`infrapulse serve`) sends the rest as the mail server allows.");
    }
    if counts.failed > 0 {
        println!(
            "See why on the Email page ({}/outbox).",
            config.base_url.as_str()
        );
    }
    Ok(())
}

fn export(config: &Config, args: ExportArgs) -> anyhow::Result<()> {
    use crate::exports::{self, Filters, Kind};
    let kinds = Kind::ALL.map(Kind::as_str).join(", ");
    let kind = Kind::parse(&args.kind)
        .with_context(|| format!("unknown export '{}'; choose one of {kinds}", args.kind))?;
    let filters = Filters {
        program: args.program,
        from: args.from,
        to: args.to,
        tool: args.tool,
    };
    if !kind.filterable() && (!filters.program.is_empty() || !filters.tool.is_empty()) {
        anyhow::bail!("the {} export takes no filters", kind.as_str());
    }
    let pool = open_database(config)?;
    let scope = exports::resolve(&mut *pool.get()?, &filters)?.map_err(anyhow::Error::msg)?;
    let now = SystemClock.now();
    match args.output {
        None => {
            let out = std::io::BufWriter::new(std::io::stdout().lock());
            exports::write(&pool, kind, &scope, now, args.bom, out)?;
        }
        Some(path) => {
            // Written beside the target and renamed when complete: a failed
            // export leaves no partial file in its place.
            let name = path.file_name().context("-o needs a file name")?;
            let partial = path.with_file_name(format!(
                ".{}.{}.partial",
                name.to_string_lossy(),
                random_hex(4)
            ));
            let written = (|| -> anyhow::Result<u64> {
                let file = std::fs::File::create(&partial)
                    .with_context(|| format!("cannot write {}", partial.display()))?;
                let mut out = std::io::BufWriter::with_capacity(1 << 16, &file);
                let rows = exports::write(&pool, kind, &scope, now, args.bom, &mut out)?;
                out.flush()?;
                drop(out);
                file.sync_all()?;
                std::fs::rename(&partial, &path)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                Ok(rows)
            })();
            match written {
                Ok(rows) => eprintln!("wrote {rows} rows to {}", path.display()),
                Err(e) => {
                    let _ = std::fs::remove_file(&partial);
                    return Err(e);
                }
            }
        }
    }
    Ok(())
}

fn migrate(config: &Config) -> anyhow::Result<()> {
    let pool = db::connect(&config.database_url, 1)?;
    let mut conn = pool.get()?;
    let applied = db::run_migrations(&mut conn)?;
    if applied.is_empty() {
        println!("The database schema is up to date.");
    }
    for name in applied {
        println!("applied {name}");
    }
    Ok(())
}

/// Emailed links are built from BASE_URL. Left at its default they point at
/// this machine's loopback address, which works for nobody else: refused when
/// the emails really go out, a warning when they are written to files.
fn check_link_address(config: &Config) -> anyhow::Result<()> {
    if config.base_url_set {
        return Ok(());
    }
    let warning = format!(
        "BASE_URL is not set, so the emailed links point to {}, which only this machine can open",
        config.base_url.as_str()
    );
    anyhow::ensure!(
        config.smtp_url.is_none(),
        "{warning}. Set BASE_URL to the address people reach the server at."
    );
    eprintln!("warning: {warning}.");
    Ok(())
}

fn admin(config: &Config, command: AdminCommand) -> anyhow::Result<()> {
    let pool = existing_database(config)?;
    let mut conn = pool.get()?;
    let now = SystemClock.now();
    match command {
        AdminCommand::Add { email, name, role } => {
            let email = EmailAddress::parse(&email).map_err(|e| anyhow::anyhow!("--email {e}"))?;
            let name = PersonName::parse(&name).map_err(|e| anyhow::anyhow!("--name {e}"))?;
            let role: Role = role.parse().map_err(|e| anyhow::anyhow!("--role {e}"))?;
            let password = read_new_password(config)?;
            accounts::create(&mut conn, &email, &name, role, &password, now)?;
            println!("Created {} account {email}.", role.as_str());
        }
        AdminCommand::Passwd { email } => {
            let email = EmailAddress::parse(&email).map_err(|e| anyhow::anyhow!("--email {e}"))?;
            let password = read_new_password(config)?;
            accounts::change_password(&mut conn, &email, &password, now)?;
            println!("Password changed for {email}; its sessions have been signed out.");
        }
    }
    Ok(())
}

/// From INFRAPULSE_ADMIN_PASSWORD, or typed twice at a prompt. Never from argv,
/// where other users and shell history would see it.
fn read_new_password(config: &Config) -> anyhow::Result<NewPassword> {
    let raw = match &config.admin_password {
        Some(password) => password.expose().clone(),
        None => {
            let first = rpassword::prompt_password("New password: ").context(
                "cannot prompt for a password here; set INFRAPULSE_ADMIN_PASSWORD instead",
            )?;
            let second = rpassword::prompt_password("Repeat it: ")?;
            anyhow::ensure!(first == second, "the two passwords differ");
            first
        }
    };
    NewPassword::parse(raw).map_err(|e| anyhow::anyhow!("the password {e}"))
}

fn import_file(config: &Config, what: ImportCommand) -> anyhow::Result<()> {
    use crate::import::{self, ImportError, Kind, csv_file};

    let (kind, args) = match what {
        ImportCommand::Teams(args) => (Kind::Teams, args),
        ImportCommand::Tools(args) => (Kind::Tools, args),
        ImportCommand::Members(args) => (Kind::Members, args),
        ImportCommand::Adoption(args) => (Kind::Adoption, args),
    };
    let size = std::fs::metadata(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?
        .len();
    anyhow::ensure!(
        size <= csv_file::MAX_BYTES as u64,
        "{}",
        csv_file::FileError::TooLarge
    );
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let pool = existing_database(config)?;
    let mut conn = pool.get()?;

    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} rows ({eta})")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_message("importing");
    let result = import::commit(
        &mut conn,
        kind,
        &bytes,
        args.create_teams,
        import::Surface::Cli,
        SystemClock.now(),
        &mut |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        },
    );
    bar.finish_and_clear();
    match result {
        Ok(outcome) => {
            println!(
                "Imported {} rows from {}: {} new, {} updated, {} unchanged.",
                outcome.rows,
                args.file.display(),
                outcome.created,
                outcome.updated,
                outcome.unchanged
            );
            if !outcome.teams_created.is_empty() {
                println!("Created teams: {}", outcome.teams_created.join(", "));
            }
            Ok(())
        }
        Err(ImportError::Rows(outcome)) => {
            const SHOWN: usize = 1000;
            for e in outcome.errors.iter().take(SHOWN) {
                match e.column {
                    Some(column) => eprintln!("line {}, {column}: {}", e.line, e.message),
                    None => eprintln!("line {}: {}", e.line, e.message),
                }
            }
            if outcome.errors.len() > SHOWN {
                eprintln!("… and {} more", outcome.errors.len() - SHOWN);
            }
            anyhow::bail!(
                "{} of {} rows have errors ({} in all); nothing was imported",
                outcome.rows_with_errors(),
                outcome.rows,
                outcome.errors.len()
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// A plain HTTP/1.0 GET, so the runtime image needs no curl.
fn healthcheck(bind: SocketAddr) -> anyhow::Result<()> {
    let mut addr = bind;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(3))
        .with_context(|| format!("nothing answers on {addr}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(3)))?;
    stream.write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head)?;
    anyhow::ensure!(
        head.starts_with(b"HTTP/1.") && &head[8..12] == b" 200",
        "/healthz did not answer 200"
    );
    Ok(())
}
