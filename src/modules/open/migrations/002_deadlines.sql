-- A reminder the working day before an open-data application is due, escalation once overdue (audited, once each).
ALTER TABLE open.application ADD COLUMN reminded_at timestamptz, ADD COLUMN escalated_at timestamptz;
