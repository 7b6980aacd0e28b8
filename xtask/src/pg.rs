//! A throwaway PostgreSQL cluster for the tests: initdb into target/, start on a free loopback port, stop on drop.
//! Installs Debian's `postgresql` package when no server binaries are found (CI on a fresh machine).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run;

pub struct Postgres {
    url: String,
    cluster: Option<Cluster>,
}

struct Cluster {
    pg_ctl: PathBuf,
    data: PathBuf,
    as_postgres_user: bool,
}

impl Postgres {
    pub fn external(url: String) -> Self {
        Self { url, cluster: None }
    }

    pub fn url(&self) -> String {
        self.url.clone()
    }

    pub fn start_throwaway() -> Result<Self, String> {
        let bin = find_bin_dir().or_else(|| {
            install_postgres();
            find_bin_dir()
        });
        let bin = bin.ok_or("PostgreSQL server binaries not found and could not be installed (apt-get install postgresql)")?;
        let root = run::target_dir().join("xtask-pg");
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
        let data = root.join("data");
        let as_postgres_user = is_root();
        if as_postgres_user {
            // initdb refuses to run as root.
            run::status(Command::new("chown").args(["-R", "postgres:postgres"]).arg(&root), &[])?;
        }
        let port = free_port()?;
        let initdb = bin.join("initdb");
        run::output(pg_command(&initdb, as_postgres_user).arg("-D").arg(&data).args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]))?;
        let pg_ctl = bin.join("pg_ctl");
        let opts = format!("-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", root.display());
        let log = root.join("server.log");
        run::output(pg_command(&pg_ctl, as_postgres_user).arg("-D").arg(&data).arg("-l").arg(&log).args(["-o", &opts, "-w", "start"]))?;
        eprintln!("xtask: throwaway PostgreSQL on 127.0.0.1:{port} ({})", data.display());
        Ok(Self { url: format!("postgres://postgres@127.0.0.1:{port}/postgres"), cluster: Some(Cluster { pg_ctl, data, as_postgres_user }) })
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(c) = &self.cluster {
            let _ = pg_command(&c.pg_ctl, c.as_postgres_user).arg("-D").arg(&c.data).args(["-m", "fast", "stop"]).output();
        }
    }
}

fn pg_command(program: &Path, as_postgres_user: bool) -> Command {
    if as_postgres_user {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn find_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql").ok()?.filter_map(|e| e.ok().map(|e| e.path().join("bin"))).collect();
    versions.sort();
    versions.into_iter().rev().find(|b| b.join("initdb").exists() && b.join("pg_ctl").exists())
}

fn install_postgres() {
    if let Err(e) = run::apt_install(&["postgresql"]) {
        eprintln!("xtask: PostgreSQL is not installed: {e}");
    }
}

fn is_root() -> bool {
    run::output(Command::new("id").arg("-u")).map(|s| s.trim() == "0").unwrap_or(false)
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}
