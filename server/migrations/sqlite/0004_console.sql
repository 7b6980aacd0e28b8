-- Web console, stage 2: how a conflict was decided (and by whom, why), and when each device last pulled and pushed.
-- Numbered 0004: 0003 is reserved for the case workflow.

ALTER TABLE conflicts ADD COLUMN resolution TEXT;
ALTER TABLE conflicts ADD COLUMN resolution_reason TEXT;
ALTER TABLE conflicts ADD COLUMN resolved_by TEXT;

ALTER TABLE devices ADD COLUMN last_pull_at TEXT;
ALTER TABLE devices ADD COLUMN last_push_at TEXT;
