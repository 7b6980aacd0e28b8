-- The working-day calendar: one row per year whose official holiday schedule (国务院办公厅 notice) is loaded.
-- `schedule` is the JSON of ruhu_core::calendar::YearSchedule, validated again whenever it is read.
-- `origin` is 'bundled' (shipped with Ruhu, refreshed by new releases) or 'admin' (loaded with `load-calendar`, never
-- overwritten by a release).

CREATE TABLE work_calendar_years (
    year BIGINT PRIMARY KEY,
    notice TEXT NOT NULL,
    source TEXT NOT NULL,
    schedule TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('bundled', 'admin')),
    loaded_at TEXT NOT NULL
);
