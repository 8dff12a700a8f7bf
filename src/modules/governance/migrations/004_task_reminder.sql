-- A rectification task is reminded to its department the working day before it is due (once), by the
-- kernel's deadline engine, as share applications, objections and demands are.
ALTER TABLE gov.task ADD COLUMN reminded_at timestamptz;
