//! One database layer for SQLite and PostgreSQL through sqlx's `Any` driver: one query text serves both
//! (`$n` placeholders, TEXT uuids/timestamps/JSON, BIGINT booleans). Migrations are per backend.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use ruhu_core::time::Clock;
use sqlx::{
    AnyConnection, AnyPool, Connection, Executor, Transaction,
    any::{Any, AnyPoolOptions},
};

use crate::store::error::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, Error> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Self::Postgres)
        } else {
            Err(Error::Config(format!("unsupported database URL scheme (use sqlite:// or postgres://): {}", redact_url(url))))
        }
    }
}

/// The connection pool, which backend it talks to, and the clock every stored time is read from.
#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    pub clock: Clock,
}

/// The lock that orders writes to the sync feed and the audit chain on PostgreSQL (SQLite has one writer anyway).
const JOURNAL_LOCK_KEY: i64 = 0x0052_7568_754a_6e6c; // "RuhuJnl"

impl Db {
    pub async fn connect(url: &str, clock: Clock) -> Result<Self, Error> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let options = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the one writer; writers wait (busy timeout) instead of failing.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 15000").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                    }
                    Ok(())
                })
            });
        let pool = options.connect(url).await?;
        Ok(Self { pool, backend, clock })
    }

    pub async fn migrate(&self) -> Result<(), Error> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&self.pool).await?,
        }
        Ok(())
    }

    /// A write transaction. On SQLite it takes the write lock at BEGIN, so two writers queue on the busy timeout
    /// instead of one failing when it upgrades a read lock.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        let inner = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx { inner, backend: self.backend, journal_locked: false, clock: self.clock })
    }

    /// Now, as stored.
    pub fn now(&self) -> DateTime<Utc> {
        as_stored(self.clock.now())
    }

    /// Today in China: what deadlines and decisions are dated by.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        conn.ping().await
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A transaction that knows its backend.
pub struct Tx {
    inner: Transaction<'static, Any>,
    backend: Backend,
    journal_locked: bool,
    clock: Clock,
}

impl Tx {
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Now, as stored (the database's clock).
    pub fn now(&self) -> DateTime<Utc> {
        as_stored(self.clock.now())
    }

    /// Today in China on the database's clock.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// Serialises writers of the sync feed and the audit chain until this transaction ends. On PostgreSQL, sequence
    /// values are handed out at insert time but become visible at commit: without the lock a transaction holding
    /// seq 10 could commit after one holding seq 11, and a device that pulled 11 in between would never see 10.
    /// The audit chain needs the same: each event hashes its predecessor.
    pub async fn lock_journal(&mut self) -> Result<(), sqlx::Error> {
        if self.journal_locked {
            return Ok(());
        }
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock($1)) AS l").bind(JOURNAL_LOCK_KEY).execute(&mut *self.inner).await?;
        }
        self.journal_locked = true;
        Ok(())
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.inner.commit().await
    }
}

/// Timestamps are stored as RFC 3339 UTC with fixed microsecond precision so text order is time order.
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Truncated to what we store, so a value read back equals the value written.
fn as_stored(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

pub fn parse_ts(s: &str) -> Result<DateTime<Utc>, sqlx::Error> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|e| sqlx::Error::Decode(format!("bad timestamp {s:?}: {e}").into()))
}

pub fn parse_uuid(s: &str) -> Result<uuid::Uuid, sqlx::Error> {
    uuid::Uuid::parse_str(s).map_err(|e| sqlx::Error::Decode(format!("bad uuid {s:?}: {e}").into()))
}

pub fn parse_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(s).map_err(|e| sqlx::Error::Decode(format!("bad stored JSON: {e}").into()))
}

pub fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

pub fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// Hides a password in a database URL before it is logged.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_timestamps_sort_as_text_and_passwords_stay_out_of_logs() {
        let a = DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z").unwrap().with_timezone(&Utc);
        let b = a + chrono::Duration::microseconds(1);
        assert_eq!(ts(a), "2026-01-02T03:04:05.000000Z");
        assert!(ts(a) < ts(b));
        assert_eq!(parse_ts(&ts(b)).unwrap(), b);
        assert_eq!(redact_url("postgres://ruhu:s3cret@db:5432/ruhu"), "postgres://ruhu:***@db:5432/ruhu");
        assert_eq!(Backend::from_url("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert!(Backend::from_url("mysql://x").is_err());
    }
}
