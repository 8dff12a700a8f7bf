-- Log-in attempts are counted per account *and* per client kind: "untrusted" (a browser that has not
-- logged in to this account before) or "device:<id>" (one that holds the account's device cookie).
-- Failures from untrusted clients cannot lock out a device that has logged in before (see
-- docs/security.md). Each attempt is recorded before its password is checked, under a lock per
-- account, so simultaneous guesses are counted one by one; a successful log-in removes its own.
ALTER TABLE kernel.login_failure ADD COLUMN scope text NOT NULL DEFAULT 'untrusted';
CREATE INDEX login_failure_user_idx ON kernel.login_failure (username, scope, at);
