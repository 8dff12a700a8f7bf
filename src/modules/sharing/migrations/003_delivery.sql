-- 文件服务的交付记录: every file handed out carries a unique delivery id (交付唯一标识), recorded here
-- with who, what and when before its first byte leaves; its size and SM3 digest (what a recipient can check a file against) are
-- added when the last byte has left (completed_at stays empty for a cut download).
CREATE TABLE share.delivery (
  id text PRIMARY KEY,
  grant_id bigint NOT NULL REFERENCES share.grant (id),
  resource_id uuid NOT NULL REFERENCES catalog.resource (id),
  app_credential_id uuid NOT NULL REFERENCES kernel.app_credential (id),
  department_id uuid NOT NULL REFERENCES kernel.department (id),
  actor_name text NOT NULL,
  format text NOT NULL CHECK (format IN ('csv', 'xlsx')),
  rows bigint NOT NULL,
  fields text[] NOT NULL,
  masks jsonb NOT NULL,
  filters jsonb NOT NULL,
  request_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  bytes bigint,
  sm3 char(64),
  completed_at timestamptz
);
CREATE INDEX delivery_grant_idx ON share.delivery (grant_id, created_at DESC);
