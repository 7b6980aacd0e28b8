//! A real server on a loopback port that can be stopped and started again on the same port, data and database.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use ruhu_server::{RunningServer, ServerConfig};
use sqlx::Connection;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    /// The admin URL of a PostgreSQL server; each test gets a fresh database created through it.
    Postgres(String),
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

pub struct TestServer {
    pub config: ServerConfig,
    pub backend: Backend,
    running: Option<RunningServer>,
    addr: SocketAddr,
    _data: Option<tempfile::TempDir>,
}

impl TestServer {
    /// A server with demo data on a free port, its data in a fresh temporary folder.
    pub async fn start(backend: &Backend) -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let mut server = Self::start_in(backend, data.path()).await;
        server._data = Some(data);
        server
    }

    pub async fn start_in(backend: &Backend, data_dir: &Path) -> Self {
        let mut config = ServerConfig::new(PathBuf::from(data_dir));
        config.demo = true;
        if let Backend::Postgres(admin_url) = backend {
            config.database_url = Some(fresh_pg_database(admin_url).await);
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        config.listen = addr;
        let running = ruhu_server::spawn(config.clone(), listener).await.expect("server starts");
        Self { config, backend: backend.clone(), running: Some(running), addr, _data: None }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn state(&self) -> &ruhu_server::AppState {
        self.running.as_ref().expect("server is running").state()
    }

    pub async fn stop(&mut self) {
        if let Some(s) = self.running.take() {
            s.shutdown().await;
        }
    }

    /// Starts again on the same port, data folder and database (a phone keeps its server address).
    pub async fn restart(&mut self) {
        self.stop().await;
        let listener = tokio::net::TcpListener::bind(self.addr).await.expect("rebind the same port");
        self.running = Some(ruhu_server::spawn(self.config.clone(), listener).await.expect("server restarts"));
    }
}

/// Creates a uniquely named database through `admin_url` and returns its URL.
pub async fn fresh_pg_database(admin_url: &str) -> String {
    let name = format!("ruhu_e2e_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(admin_url).await.expect("connect to the test PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
    let (base, _) = admin_url.rsplit_once('/').expect("postgres URL with a database name");
    format!("{base}/{name}")
}
