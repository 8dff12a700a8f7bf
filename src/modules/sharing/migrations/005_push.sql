-- 库表推送: the consumer's own PostgreSQL or MySQL table that a grant's view is delivered into,
-- incrementally (rows changed by aggregation runs after the last one pushed), on a schedule.
CREATE TABLE share.push_target (
  id bigserial PRIMARY KEY,
  grant_id bigint NOT NULL UNIQUE REFERENCES share.grant (id),
  kind text NOT NULL CHECK (kind IN ('postgres', 'mysql')),
  host text NOT NULL,
  port integer NOT NULL,
  database text NOT NULL,
  username text NOT NULL,
  secret_sealed text,                        -- the password, SM4-sealed under the master key
  table_name text NOT NULL,
  schedule text,                             -- cron (Asia/Shanghai); null: on demand only
  watermark bigint NOT NULL DEFAULT 0,       -- the last aggregation run pushed
  last_dispatched timestamptz,
  last_push_at timestamptz,
  last_error text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
