-- A village or community merged or abolished: kept (its households stay), closed to new households.
ALTER TABLE org_units ADD COLUMN retired_at TEXT;
ALTER TABLE org_units ADD COLUMN retired_reason TEXT;
