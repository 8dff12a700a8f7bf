-- 数据异议 (DB3208/T 219-2024): 提出 → 受理 → 标注 → 核实与处理 → 标注撤销 → 归档, with the raiser's
-- one contest to the bureau. Each step has a due date in working days, a reminder and an escalation.
CREATE SCHEMA objection;

CREATE TABLE objection.objection (
  id bigserial PRIMARY KEY,
  resource_id uuid NOT NULL REFERENCES catalog.resource (id),
  provider_department_id uuid NOT NULL REFERENCES kernel.department (id),
  record_key jsonb,                        -- the business key {item: value}; null: the whole resource
  key_text text,                           -- the key's canonical text (flags are matched on it)
  field text,                              -- one item; null: the whole record
  seen_value text,                         -- what the raiser saw
  proposed_value text,                     -- what the raiser believes is right
  description text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('service', 'console', 'open', 'profile')),
  raiser_type text NOT NULL CHECK (raiser_type IN ('user', 'app')),
  raiser_name text NOT NULL,
  raiser_user_id uuid REFERENCES kernel.app_user (id),
  raiser_app_id uuid REFERENCES kernel.app_credential (id),
  raiser_department_id uuid REFERENCES kernel.department (id),
  status text NOT NULL CHECK (status IN ('submitted', 'flagged', 'not_accepted', 'corrected', 'rejected', 'contested', 'archived')),
  outcome text CHECK (outcome IN ('not_accepted', 'corrected', 'rejected')),
  reason text,                             -- the latest reason given (refusal, rejection, the bureau's review)
  contested boolean NOT NULL DEFAULT false,
  step_due date,
  reminded_due date,
  escalated_due date,
  source_reminded boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  archived_at timestamptz
);
CREATE INDEX ON objection.objection (provider_department_id, status);
CREATE INDEX ON objection.objection (raiser_department_id, id DESC);
CREATE INDEX ON objection.objection (status, step_due);
CREATE INDEX ON objection.objection (resource_id);

-- 标注: while a row is here, every service read of the record (or resource) carries the flag.
CREATE TABLE objection.flag (
  objection_id bigint PRIMARY KEY REFERENCES objection.objection (id),
  resource_id uuid NOT NULL,
  key_text text,                           -- null: the whole resource
  field text,
  since timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON objection.flag (resource_id);
CREATE TRIGGER flag_cache AFTER INSERT OR UPDATE OR DELETE ON objection.flag
  FOR EACH STATEMENT EXECUTE FUNCTION kernel.cache_changed('objection-flag');
CREATE TRIGGER flag_cache_truncate AFTER TRUNCATE ON objection.flag
  FOR EACH STATEMENT EXECUTE FUNCTION kernel.cache_changed('objection-flag');

-- The trail: every step, who, when, why.
CREATE TABLE objection.event (
  id bigserial PRIMARY KEY,
  objection_id bigint NOT NULL REFERENCES objection.objection (id),
  step text NOT NULL,
  by_name text NOT NULL,
  by_department_id uuid,
  comment text,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON objection.event (objection_id, id);

-- Values changed in the data by the provider in answer to an objection.
CREATE TABLE objection.correction (
  id bigserial PRIMARY KEY,
  objection_id bigint NOT NULL REFERENCES objection.objection (id),
  resource_id uuid NOT NULL,
  record_key jsonb NOT NULL,
  field text NOT NULL,
  old_value text,
  new_value text,
  reason text NOT NULL,
  by_name text NOT NULL,
  by_user_id uuid,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON objection.correction (resource_id, at DESC);
CREATE INDEX ON objection.correction (objection_id);

-- Evidence: images and PDF, checked for size, type and content, kept in the database.
CREATE TABLE objection.attachment (
  id bigserial PRIMARY KEY,
  objection_id bigint NOT NULL REFERENCES objection.objection (id),
  name text NOT NULL,
  content_type text NOT NULL,
  size integer NOT NULL,
  sm3 char(64) NOT NULL,
  content bytea NOT NULL,
  uploaded_by text NOT NULL,
  uploaded_by_department_id uuid,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON objection.attachment (objection_id);
