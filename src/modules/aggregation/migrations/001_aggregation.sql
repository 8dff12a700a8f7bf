-- Aggregation (数据归集): ingest runs, their rejects, and the history of changed rows.
CREATE SCHEMA IF NOT EXISTS ingest;
CREATE SCHEMA IF NOT EXISTS ds_hist;

CREATE TABLE ingest.run (
  id bigserial PRIMARY KEY,
  resource_id uuid NOT NULL REFERENCES catalog.resource (id),
  source text NOT NULL,                    -- what fed it: a file name, a source's name
  mode text NOT NULL CHECK (mode IN ('full', 'upsert')),
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
  encoding text,
  started_by text,
  worker text,                             -- host:pid of the process running it
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  read_rows bigint NOT NULL DEFAULT 0,
  inserted bigint NOT NULL DEFAULT 0,
  updated bigint NOT NULL DEFAULT 0,
  unchanged bigint NOT NULL DEFAULT 0,
  deleted bigint NOT NULL DEFAULT 0,
  rejected bigint NOT NULL DEFAULT 0,
  total_bytes bigint,
  read_bytes bigint,
  error text
);
CREATE INDEX run_resource_idx ON ingest.run (resource_id, id DESC);
CREATE INDEX run_running_idx ON ingest.run (heartbeat_at) WHERE status = 'running';

CREATE TABLE ingest.reject (
  run_id bigint NOT NULL REFERENCES ingest.run (id),
  row_no bigint NOT NULL,
  field text,
  reason_zh text NOT NULL,
  reason_en text NOT NULL,
  raw_value text
);
CREATE INDEX reject_run_idx ON ingest.reject (run_id, row_no);
