//! Storage every layer uses and that uses nothing above it: the database (one query text for SQLite and PostgreSQL),
//! blobs, the hash-chained audit log, and the errors (the rich internal one and the public Problem).

pub mod audit;
pub mod blobs;
pub mod db;
pub mod error;
