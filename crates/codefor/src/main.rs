//! `codefor`: the open platform of the Code for Germany network.
//!
//! A thin shell: parses the command line (a contract documented in the README and
//! DESIGN.md), sets up logging, and calls the use-cases and the web app.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use codefor_core::import::{self, ImportError, Progress};
use codefor_storage::Db;
use indicatif::{ProgressBar, ProgressStyle};

const DEFAULT_DATABASE_URL: &str = "sqlite://codefor.db";

#[derive(Parser)]
#[command(
    name = "codefor",
    version,
    about = "The open platform of the Code for Germany network: labs, projects, stories and \
             pages, served as accessible HTML and open data.",
    after_help = "Exit codes: 0 success, 1 runtime failure, 2 bad usage or bad input."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site over HTTP. An empty database is first seeded with a demo network.
    Serve(ServeArgs),
    /// Import content from another system.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Manage accounts from the command line (first admin, forgotten passwords).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Write the platform's records in another format.
    #[command(subcommand)]
    Export(ExportCommand),
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Write DIR/<project>/publiccode.yml for every published project and report, per
    /// project, the mandatory values it lacks (marked as placeholders in the file).
    Publiccode {
        /// The folder to write into (created when missing).
        dir: PathBuf,
        /// The site's public address, for project page links in the files.
        #[arg(long, env = "CODEFOR_BASE_URL", default_value = "https://codefor.de")]
        base_url: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Write DIR/codefor-opendata.zip: every public record per collection as CSV and
    /// JSON, the network's figures, the DCAT-AP.de catalog (Turtle, JSON-LD) and a README
    /// with the licence.
    /// Written to a temporary file first and renamed, so readers never see half a file.
    Opendata {
        /// The folder to write into (created when missing).
        dir: PathBuf,
        /// The site's public address, the start of every URL in the records.
        #[arg(long, env = "CODEFOR_BASE_URL", default_value = "https://codefor.de")]
        base_url: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a confirmed admin account, or make an existing account an admin; either
    /// way it gets a new password (from --password-stdin, else a random one printed once)
    /// and all its sessions end.
    CreateAdmin {
        /// The account's e-mail address.
        email: String,
        /// Display name of a new account.
        #[arg(long, default_value = "Admin")]
        name: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Set a new password for an account and sign out all its sessions. Without
    /// --password-stdin a random password is set and printed once.
    ResetPassword {
        email: String,
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(Args)]
struct DatabaseArgs {
    /// Database URL: sqlite://FILE (created if missing) or postgres://USER@HOST/DB.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, hide_env_values = true)]
    database_url: String,
}

#[derive(Args)]
struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "CODEFOR_BIND")]
    bind: SocketAddr,
    #[command(flatten)]
    db: DatabaseArgs,
    /// Start with an empty database instead of seeding the demo network.
    #[arg(long)]
    no_demo: bool,
    /// Public origin (e.g. https://codefor.de) for feeds and links in mails; default: the
    /// request's Host. With https://, session cookies are marked Secure. Reminders and
    /// the mails to followers of needs go out only when it is set.
    #[arg(long, env = "CODEFOR_BASE_URL")]
    base_url: Option<String>,
    /// SMTP server for mails, e.g. smtp://127.0.0.1:25 or
    /// smtp://user:pass@host:587?tls=required; without it mails are only logged.
    #[arg(long, env = "CODEFOR_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// Sender of mails.
    #[arg(
        long,
        env = "CODEFOR_MAIL_FROM",
        default_value = "Code for Germany <noreply@localhost>"
    )]
    mail_from: String,
    /// Take the client address for rate limits from the last entry of X-Forwarded-For
    /// (only behind one reverse proxy that appends it).
    #[arg(long, env = "CODEFOR_TRUST_FORWARDED_FOR")]
    trust_forwarded_for: bool,
    /// Folder for pictures uploaded in the browser (created when needed). With several
    /// instances, give them one shared folder.
    #[arg(long, env = "CODEFOR_UPLOAD_DIR", default_value = "uploads")]
    upload_dir: PathBuf,
    /// Folder for the open-data dump served at /daten/opendata.zip (created when
    /// needed): made on the first download and again when a day old (with --base-url
    /// also in the background, so nobody waits for it).
    #[arg(long, env = "CODEFOR_OPENDATA_DIR", default_value = "opendata")]
    opendata_dir: PathBuf,
    /// Flag active labs to their leads (by mail, once per period, when --base-url is set)
    /// and to admins after this many days without a sign of life (meetup, post, project,
    /// edit, member change).
    #[arg(long, env = "CODEFOR_INACTIVE_AFTER_DAYS", default_value_t = 365)]
    inactive_after_days: i64,
    /// Remind the leads of a project by mail (once per period, when --base-url is set)
    /// after this many days without a sign of life (an edit, a sync, a commit), and mark
    /// it as quiet in the catalog; 0 turns both off.
    #[arg(long, env = "CODEFOR_PROJECT_STALE_DAYS", default_value_t = 365)]
    project_stale_days: i64,
    /// Hold the first need or comment of every account for a moderator before it is
    /// public (spam defence for open installations).
    #[arg(long, env = "CODEFOR_HOLD_FIRST_POSTS")]
    hold_first_posts: bool,
    /// Fetch the external calendars labs registered (.ics URLs) this often, in minutes;
    /// 0 turns the background fetching off (leads can still fetch by hand).
    #[arg(long, env = "CODEFOR_CALENDAR_SYNC_MINUTES", default_value_t = 60)]
    calendar_sync_minutes: u64,
    /// Read the publiccode.yml of projects whose repository is their source of truth
    /// this often, in minutes; 0 turns it off (leads can still sync by hand).
    #[arg(long, env = "CODEFOR_REPOSITORY_SYNC_MINUTES", default_value_t = 360)]
    repository_sync_minutes: u64,
    /// Let project repositories be read from loopback and private addresses, and over
    /// http:// and git:// (tests and closed installations only).
    #[arg(long, env = "CODEFOR_REPOSITORY_ALLOW_PRIVATE")]
    repository_allow_private: bool,
    /// Let external calendars be fetched from loopback and private network addresses.
    /// Off by default, so no one can make the server reach into its own network; only
    /// for tests and closed installations.
    #[arg(long, env = "CODEFOR_CALENDAR_ALLOW_PRIVATE")]
    calendar_allow_private: bool,
    /// Check the external links of public records (and dataset distributions) in the
    /// background: a round this often, in minutes, checking what is due (working links
    /// daily, failing ones with a growing pause); 0 turns it off. Broken links show on
    /// the lab leads' dashboards and at /admin/links/.
    #[arg(long, env = "CODEFOR_LINK_CHECK_MINUTES", default_value_t = 60)]
    link_check_minutes: u64,
    /// Let the link check reach loopback and private network addresses (tests and closed
    /// installations only); without it such links are not fetched but stored as refused
    /// and listed among the broken links.
    #[arg(long, env = "CODEFOR_LINK_CHECK_ALLOW_PRIVATE")]
    link_check_allow_private: bool,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import a checkout of the codefor.de Hugo repository (labs, projects, posts,
    /// pages, redirects, media, data). All or nothing; re-running updates in place.
    Hugo(HugoArgs),
}

#[derive(Args)]
struct HugoArgs {
    /// The checkout's root folder (the one with content/, static/ and config.yaml).
    dir: PathBuf,
    #[command(flatten)]
    db: DatabaseArgs,
    /// Read, render and check everything and report what would change; write nothing.
    #[arg(long)]
    dry_run: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CODEFOR_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => report(serve(args).await),
            Command::Import(ImportCommand::Hugo(args)) => import_hugo(args).await,
            Command::Admin(command) => admin(command).await,
            Command::Export(ExportCommand::Publiccode { dir, base_url, db }) => {
                report(export_publiccode(&dir, &base_url, &db.database_url).await)
            }
            Command::Export(ExportCommand::Opendata { dir, base_url, db }) => {
                report(export_opendata(&dir, &base_url, &db.database_url).await)
            }
        }
    })
}

fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let db = Db::connect(&args.db.database_url)
        .await
        .context("opening the database")?;
    if !args.no_demo && db.is_empty().await? {
        codefor_core::demo::seed(&db)
            .await
            .context("seeding the demo network")?;
        tracing::info!("empty database: seeded the demo network (start with --no-demo to skip)");
    }
    let mailer = match &args.smtp_url {
        // Links in mails (confirmation, password reset) must not take their host from a
        // request header that anyone can set.
        Some(_) if args.base_url.is_none() => anyhow::bail!(
            "--smtp-url needs --base-url (or CODEFOR_BASE_URL): links in mails must point to \
             the real site, not to whatever Host header a request sends"
        ),
        Some(url) => codefor_core::mail::Mailer::smtp(url, &args.mail_from)?,
        None => {
            tracing::warn!(
                "no SMTP server (CODEFOR_SMTP_URL): mails are written to the log, not sent"
            );
            codefor_core::mail::Mailer::log_only(&args.mail_from)?
        }
    };
    let calendar_fetch = codefor_core::calendars::fetch::FetchPolicy {
        allow_private: args.calendar_allow_private,
        ..Default::default()
    };
    if args.calendar_allow_private {
        tracing::warn!("external calendars may be fetched from private and loopback addresses");
    }
    if args.calendar_sync_minutes > 0 {
        tokio::spawn(codefor_core::calendars::sync::run(
            db.clone(),
            calendar_fetch.clone(),
            std::time::Duration::from_secs(args.calendar_sync_minutes.saturating_mul(60)),
        ));
    }
    let repository_fetch = codefor_core::repositories::GitPolicy {
        allow_private: args.repository_allow_private,
        ..Default::default()
    };
    if args.repository_sync_minutes > 0 {
        tokio::spawn(codefor_core::projects::sync::run(
            db.clone(),
            repository_fetch.clone(),
            std::time::Duration::from_secs(args.repository_sync_minutes.saturating_mul(60)),
        ));
    }
    if args.link_check_minutes > 0 {
        tokio::spawn(codefor_core::link_health::run(
            db.clone(),
            codefor_core::link_health::Policy {
                allow_private: args.link_check_allow_private,
                user_agent: codefor_core::link_health::user_agent(args.base_url.as_deref()),
                ..Default::default()
            },
            std::time::Duration::from_secs(args.link_check_minutes.saturating_mul(60)),
        ));
    }
    // Quiet labs' leads hear of it by mail (with links only when the origin is known).
    if let Some(origin) = &args.base_url {
        tokio::spawn(codefor_core::labs::run_quiet_notices(
            db.clone(),
            mailer.clone(),
            origin.trim_end_matches('/').to_owned(),
            args.inactive_after_days,
        ));
        if args.project_stale_days > 0 {
            tokio::spawn(codefor_core::help_wanted::run_stale_notices(
                db.clone(),
                mailer.clone(),
                origin.trim_end_matches('/').to_owned(),
                args.project_stale_days,
            ));
        }
        // The open-data dump stays at most a day old without a visitor waiting for it.
        tokio::spawn(codefor_core::dump::run(
            db.clone(),
            origin.trim_end_matches('/').to_owned(),
            args.opendata_dir.clone(),
            Duration::from_secs(60 * 60),
        ));
        // Followers of needs hear by mail: one per event, or a daily digest.
        tokio::spawn(codefor_core::notifications::run(
            db.clone(),
            mailer.clone(),
            origin.trim_end_matches('/').to_owned(),
        ));
    }
    let config = codefor_web::Config {
        base_url: args.base_url,
        mailer,
        trust_forwarded_for: args.trust_forwarded_for,
        upload_dir: args.upload_dir,
        inactive_after_days: args.inactive_after_days,
        project_stale_days: args.project_stale_days,
        participation: codefor_core::participation::Policy {
            hold_first_posts: args.hold_first_posts,
        },
        calendar_fetch,
        repository_fetch,
        open_data_dir: Some(args.opendata_dir),
        ..Default::default()
    };
    let app = codefor_web::app(codefor_web::AppState::new(db.clone(), config))
        .into_make_service_with_connect_info::<SocketAddr>();
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("cannot listen on {}", args.bind))?;
    tracing::info!(address = %args.bind, "codefor is serving on http://{}", args.bind);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    db.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down");
}

/// A progress bar on a terminal (nothing when stderr is not one); the time each phase
/// took is logged at debug level (`CODEFOR_LOG=debug`).
struct Bar {
    bar: ProgressBar,
    current: std::sync::Mutex<Option<(String, std::time::Instant)>>,
}

impl Bar {
    fn end_phase(&self) {
        if let Ok(mut current) = self.current.lock()
            && let Some((name, started)) = current.take()
        {
            tracing::debug!(phase = %name, ms = started.elapsed().as_millis() as u64, "import phase done");
        }
    }
}

impl Progress for Bar {
    fn phase(&self, name: &str, total: usize) {
        self.end_phase();
        if let Ok(mut current) = self.current.lock() {
            *current = Some((name.to_owned(), std::time::Instant::now()));
        }
        self.bar.set_length(total as u64);
        self.bar.set_position(0);
        self.bar.set_message(name.to_owned());
    }
    fn advance(&self) {
        self.bar.inc(1);
    }
}

async fn import_hugo(args: HugoArgs) -> ExitCode {
    if !args.dir.join("content").is_dir() {
        eprintln!(
            "error: {} has no content/ folder: give the root of a codefor.de checkout",
            args.dir.display()
        );
        return ExitCode::from(2);
    }
    let db = match Db::connect(&args.db.database_url).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("error: opening the database: {e}");
            return ExitCode::from(1);
        }
    };
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let progress = Bar {
        bar,
        current: std::sync::Mutex::new(None),
    };
    let result = import::import_hugo(&db, &args.dir, args.dry_run, &progress).await;
    progress.end_phase();
    progress.bar.finish_and_clear();
    db.close().await;
    match result {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(ImportError::Parse(e)) => {
            eprintln!("error: {e}");
            eprintln!("nothing was written.");
            ExitCode::from(2)
        }
        Err(ImportError::Db(e)) => {
            eprintln!("error: {e}");
            eprintln!("nothing was written.");
            ExitCode::from(1)
        }
    }
}

async fn admin(command: AdminCommand) -> ExitCode {
    let (db_args, password_stdin) = match &command {
        AdminCommand::CreateAdmin {
            db, password_stdin, ..
        }
        | AdminCommand::ResetPassword {
            db, password_stdin, ..
        } => (db, *password_stdin),
    };
    let password = if password_stdin {
        let mut line = String::new();
        if let Err(e) = std::io::stdin().read_line(&mut line) {
            eprintln!("error: reading the password from standard input: {e}");
            return ExitCode::from(2);
        }
        Some(line.trim_end_matches(['\r', '\n']).to_owned())
    } else {
        None
    };
    let db = match Db::connect(&db_args.database_url).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("error: opening the database: {e}");
            return ExitCode::from(1);
        }
    };
    let generated = match &password {
        Some(_) => None,
        None => match codefor_core::secrets::random_token() {
            // 20 hex digits: 80 bits, enough for a password that is changed after use.
            Ok(t) => Some(t[..20].to_owned()),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        },
    };
    let pw = password
        .as_deref()
        .or(generated.as_deref())
        .unwrap_or_default();
    let shown = if password.is_none() {
        format!("; password (shown once, change it after signing in): {pw}")
    } else {
        String::new()
    };
    let result = match &command {
        AdminCommand::CreateAdmin { email, name, .. } => {
            codefor_core::admin::create_admin(&db, email, name, pw)
                .await
                .map(|_| println!("{email} is an admin, all its sessions are signed out{shown}"))
        }
        AdminCommand::ResetPassword { email, .. } => {
            codefor_core::admin::reset_password(&db, email, pw)
                .await
                .map(|()| {
                    println!("new password for {email}, all its sessions are signed out{shown}")
                })
        }
    };
    db.close().await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(codefor_core::accounts::AccountError::Invalid(errors)) => {
            for e in errors.0 {
                eprintln!("error: {}: {}", e.field, e.message);
            }
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// `codefor export publiccode DIR`: one file per published project and a report of what
/// each lacks.
async fn export_publiccode(dir: &std::path::Path, base_url: &str, url: &str) -> anyhow::Result<()> {
    let db = Db::connect(url).await.context("opening the database")?;
    let files = codefor_core::projects::document::export_all(&db, base_url.trim_end_matches('/'))
        .await
        .context("reading the projects")?;
    let mut complete = 0;
    for (slug, doc) in &files {
        let folder = dir.join(slug);
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("creating {}", folder.display()))?;
        let file = folder.join("publiccode.yml");
        std::fs::write(&file, codefor_core::publiccode::to_yaml(doc))
            .with_context(|| format!("writing {}", file.display()))?;
        if doc.placeholders.is_empty() {
            complete += 1;
        } else {
            let keys: Vec<&str> = doc.placeholders.iter().map(|p| p.key.as_str()).collect();
            println!("projekte/{slug}: fehlt {}", keys.join(", "));
        }
    }
    println!(
        "{} publiccode.yml geschrieben nach {}: {complete} vollständig, {} mit markierten Platzhaltern",
        files.len(),
        dir.display(),
        files.len() - complete
    );
    Ok(())
}

/// `codefor export opendata DIR`: the open-data dump, written atomically.
async fn export_opendata(dir: &std::path::Path, base_url: &str, url: &str) -> anyhow::Result<()> {
    let db = Db::connect(url).await.context("opening the database")?;
    let started = std::time::Instant::now();
    let result = codefor_core::dump::write_dir(&db, base_url.trim_end_matches('/'), dir).await;
    db.close().await;
    let (path, dump) =
        result.with_context(|| format!("writing the dump into {}", dir.display()))?;
    for f in &dump.files {
        match f.records {
            Some(n) => println!("{}: {n} Datensätze, {} Bytes", f.name, f.bytes),
            None => println!("{}: {} Bytes", f.name, f.bytes),
        }
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "{} geschrieben: {} Dateien, {size} Bytes, in {} ms",
        path.display(),
        dump.files.len(),
        started.elapsed().as_millis()
    );
    Ok(())
}
