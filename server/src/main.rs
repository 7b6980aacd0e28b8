//! `ruhu-server`: serve the API (default), create the first user, run migrations, verify the audit chain.

#![forbid(unsafe_code)]

use std::{net::SocketAddr, path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use ruhu_core::{roles::Role, time::Clock};
use ruhu_server::{
    ServerConfig,
    access::accounts,
    app::{
        config::{MapDatum, MapTiles, UnloadedYears},
        demo,
        start::open_state,
    },
    records::calendar,
    spawn, verify_audit_chain,
};
use tracing_subscriber::EnvFilter;

#[derive(Parser, Debug)]
#[command(name = "ruhu-server", version, about = "Ruhu（入户）同步服务器 / sync server")]
struct Cli {
    /// Address to listen on.
    #[arg(long, env = "RUHU_LISTEN", default_value = "127.0.0.1:8080", global = true)]
    listen: SocketAddr,
    /// Folder for the SQLite database, the signing key, blobs and partial uploads.
    #[arg(long, env = "RUHU_DATA_DIR", default_value = "./ruhu-data", global = true)]
    data_dir: PathBuf,
    /// sqlite://… or postgres://…; default: SQLite file <data-dir>/ruhu.db.
    #[arg(long, env = "RUHU_DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// Seed clearly marked demo data and print the demo accounts.
    #[arg(long, env = "RUHU_DEMO", global = true)]
    demo: bool,
    /// District policy file (TOML, see docs/policy.md); default: Huaxi's bundled policy.
    #[arg(long = "policy", env = "RUHU_POLICY", global = true)]
    policy: Option<PathBuf>,
    /// Map tiles for the console's visit map: an XYZ URL template with {z}, {x} and {y}, e.g. a 天地图 WMTS URL
    /// with your key. Default: none (the console draws a plain schematic and fetches nothing from elsewhere).
    #[arg(long, env = "RUHU_MAP_TILES", global = true)]
    map_tiles: Option<String>,
    /// The datum the tiles are drawn in: wgs84 (天地图/CGCS2000, the default) or gcj02 (e.g. AMap, Tencent).
    #[arg(long, env = "RUHU_MAP_TILES_DATUM", default_value = "wgs84", global = true)]
    map_tiles_datum: String,
    /// A working-day deadline in a year whose holiday schedule is not loaded yet: `provisional` (the default:
    /// computed from weekends and the statutory holidays, marked 暂定) or `refuse` (no date until the year is loaded).
    #[arg(long, env = "RUHU_UNLOADED_HOLIDAY_YEARS", default_value = "provisional", global = true)]
    unloaded_holiday_years: String,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Create a user (e.g. the first administrator).
    CreateUser {
        #[arg(long)]
        username: String,
        /// Prefer the environment variable: command lines are visible to other users of the machine.
        #[arg(long, env = "RUHU_NEW_USER_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long)]
        display_name: String,
        /// Org unit code, e.g. 520111 (花溪区) or 520111101 (青岩镇).
        #[arg(long)]
        org_code: String,
        /// One or more of: district_supervisor, township_reviewer, township_caseworker, visit_supervisor,
        /// investigator, village_assistant, admin.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Check the audit log's hash chain; exit code 1 at the first broken link.
    VerifyAudit,
    /// Load a year's official holiday schedule (calendar file, see docs/policy.md) into the database.
    LoadCalendar {
        file: PathBuf,
        /// Correct a year that is already loaded.
        #[arg(long)]
        replace: bool,
    },
}

fn config(cli: &Cli) -> Result<ServerConfig, String> {
    // First: a production build refuses a test clock before anything reads the time.
    let clock = Clock::from_env().map_err(|e| e.to_string())?;
    let mut c = ServerConfig::new(&cli.data_dir);
    c.clock = clock;
    if let Some(t) = cli.map_tiles.as_deref().filter(|t| !t.trim().is_empty()) {
        let datum = MapDatum::parse(&cli.map_tiles_datum).ok_or_else(|| format!("map tiles datum: wgs84 or gcj02, not {}", cli.map_tiles_datum))?;
        c.map_tiles = Some(MapTiles::new(t, datum)?);
    }
    c.listen = cli.listen;
    c.database_url = cli.database_url.clone();
    c.demo = cli.demo;
    c.policy_file = cli.policy.clone();
    c.unloaded_years = UnloadedYears::parse(&cli.unloaded_holiday_years)
        .ok_or_else(|| format!("unloaded holiday years: provisional or refuse, not {}", cli.unloaded_holiday_years))?;
    if !c.clock.is_system() {
        tracing::warn!(now = %c.clock.now(), "running on a test clock");
    }
    Ok(c)
}

async fn run(cli: Cli) -> Result<(), String> {
    let cfg = config(&cli)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let listener = tokio::net::TcpListener::bind(cfg.listen).await.map_err(|e| format!("cannot listen on {}: {e}", cfg.listen))?;
            let server = spawn(cfg.clone(), listener).await.map_err(|e| e.to_string())?;
            if cfg.demo {
                println!("{}", demo::accounts_table());
            }
            println!("ruhu-server listening on {}", server.url());
            shutdown_signal().await;
            tracing::info!("shutting down");
            server.shutdown().await;
            Ok(())
        }
        Command::CreateUser { username, password, display_name, org_code, roles } => {
            let roles = roles.iter().map(|r| Role::parse(r).ok_or_else(|| format!("unknown role {r:?}"))).collect::<Result<Vec<_>, _>>()?;
            let state = open_state(&cfg).await.map_err(|e| e.to_string())?;
            let user = accounts::NewUser { username: username.clone(), password, display_name, org_code, roles };
            let id = accounts::create_user(&state, &user).await.map_err(|e| e.to_string())?;
            state.close().await;
            println!("created user {username} ({id})");
            Ok(())
        }
        Command::Migrate => {
            let state = open_state(&cfg).await.map_err(|e| e.to_string())?;
            if cfg.demo {
                demo::seed_demo(&state).await.map_err(|e| e.to_string())?;
                println!("{}", demo::accounts_table());
            }
            state.close().await;
            println!("database is up to date");
            Ok(())
        }
        Command::LoadCalendar { file, replace } => {
            let text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let state = open_state(&cfg).await.map_err(|e| e.to_string())?;
            let result = calendar::load_calendar_file(&state, &text, replace, None).await.map_err(|e| e.message);
            state.close().await;
            let years = result?;
            let years: Vec<String> = years.iter().map(i32::to_string).collect();
            println!("已导入节假日安排 / calendar loaded: {}", years.join(", "));
            Ok(())
        }
        Command::VerifyAudit => {
            let state = open_state(&cfg).await.map_err(|e| e.to_string())?;
            let result = verify_audit_chain(&state.db).await.map_err(|e| e.to_string());
            state.close().await;
            match result? {
                None => {
                    println!("audit chain verified");
                    Ok(())
                }
                Some(broken) => Err(format!("audit chain broken: {broken}")),
            }
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"))).init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误 / error: {e}");
            ExitCode::FAILURE
        }
    }
}
