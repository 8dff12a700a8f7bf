-- The tamper-evident audit log: an SM3 hash chain, append-only, with SM2-signed checkpoints.
CREATE TABLE kernel.audit_log (
  seq bigint PRIMARY KEY CHECK (seq > 0),
  ts timestamptz NOT NULL,
  actor_type text NOT NULL,
  actor_id text,
  actor_name text,
  department_id uuid,
  action text NOT NULL,
  target_type text,
  target_id text,
  client_ip text,
  request_id text,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash char(64) NOT NULL,
  hash char(64) NOT NULL
);
CREATE INDEX audit_log_ts_idx ON kernel.audit_log (ts);
CREATE INDEX audit_log_department_idx ON kernel.audit_log (department_id, seq);
CREATE INDEX audit_log_actor_idx ON kernel.audit_log (actor_id, seq);
CREATE INDEX audit_log_action_idx ON kernel.audit_log (action, seq);

CREATE TABLE kernel.audit_checkpoint (
  id bigserial PRIMARY KEY,
  seq bigint NOT NULL,
  hash char(64) NOT NULL,
  ts timestamptz NOT NULL,
  public_key text NOT NULL,
  signature text NOT NULL
);

CREATE FUNCTION kernel.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON kernel.audit_log
  FOR EACH ROW EXECUTE FUNCTION kernel.refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON kernel.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION kernel.refuse_change();
CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON kernel.audit_checkpoint
  FOR EACH ROW EXECUTE FUNCTION kernel.refuse_change();
CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON kernel.audit_checkpoint
  FOR EACH STATEMENT EXECUTE FUNCTION kernel.refuse_change();
