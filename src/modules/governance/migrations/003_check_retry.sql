-- A check an ingest run asked for stays queued until it succeeds: a failure is counted, kept with
-- its error for the administrators, and retried later (after 2, 4, 8, 16 minutes; then it waits
-- for the next run or an administrator).
ALTER TABLE gov.check_request
  ADD COLUMN attempts integer NOT NULL DEFAULT 0,
  ADD COLUMN not_before timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN last_error text,
  ADD COLUMN failed_at timestamptz;
