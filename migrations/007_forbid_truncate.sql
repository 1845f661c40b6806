-- The journal and the event log are append-only: their row triggers stop UPDATE and DELETE, but
-- TRUNCATE fires no row triggers, so it needs a statement-level trigger of its own.
CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON journal
  FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();
