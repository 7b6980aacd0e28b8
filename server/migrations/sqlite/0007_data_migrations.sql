-- One-time data migrations done in code at start (e.g. storing the workflow state of cases opened before it existed):
-- each records its name here once it has run.
CREATE TABLE data_migrations (
    name TEXT PRIMARY KEY,
    done_at TEXT NOT NULL
);
