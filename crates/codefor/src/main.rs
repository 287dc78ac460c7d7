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
    /// Public origin (e.g. https://codefor.de) for feeds; default: the request's Host.
    #[arg(long, env = "CODEFOR_BASE_URL")]
    base_url: Option<String>,
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
    let config = codefor_web::Config {
        base_url: args.base_url,
        ..Default::default()
    };
    let app = codefor_web::app(codefor_web::AppState::new(db.clone(), config));
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
