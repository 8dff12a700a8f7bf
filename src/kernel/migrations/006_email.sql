-- E-mail notices (optional, off unless GONGSHU_SMTP_URL is set): a user's address, and when each
-- notice was sent by e-mail (or why it could not be).
ALTER TABLE kernel.app_user ADD COLUMN email text CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$');
ALTER TABLE kernel.notification ADD COLUMN emailed_at timestamptz, ADD COLUMN email_error text;
CREATE INDEX notification_email_due_idx ON kernel.notification (created_at) WHERE emailed_at IS NULL AND email_error IS NULL;
