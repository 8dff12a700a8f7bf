-- Sources (数据源): a department's database table or query that feeds a resource.
CREATE TABLE ingest.source (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  department_id uuid NOT NULL REFERENCES kernel.department (id),
  resource_id uuid NOT NULL REFERENCES catalog.resource (id),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('postgres', 'mysql')),
  config jsonb NOT NULL,                   -- host, port, database, user, table or query, watermark column
  secret_sealed text,                      -- the password, SM4-sealed under the master key
  mode text NOT NULL CHECK (mode IN ('full', 'upsert', 'incremental')),
  mapping jsonb NOT NULL DEFAULT '{}'::jsonb,
  watermark text,                          -- the last value of the watermark column loaded (incremental)
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (department_id, name)
);
