-- 数据开放: keys that the public registers for the open data API, and applications for 有条件开放
-- resources (reviewed by the provider department or the bureau within the node's working-day limit).
CREATE SCHEMA open;

CREATE TABLE open.api_key (
  id bigserial PRIMARY KEY,
  key_prefix text NOT NULL,                -- the first characters, shown in lists
  key_hash char(64) NOT NULL UNIQUE,       -- SM3 of the key; the key itself is shown once
  name text NOT NULL,
  organization text,
  email text NOT NULL,
  purpose text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_ip text,
  last_used_at timestamptz
);

CREATE TABLE open.application (
  id bigserial PRIMARY KEY,
  key_id bigint NOT NULL REFERENCES open.api_key (id),
  resource_id uuid NOT NULL REFERENCES catalog.resource (id),
  provider_department_id uuid NOT NULL REFERENCES kernel.department (id),
  purpose text NOT NULL,
  scenario text NOT NULL,
  status text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'approved', 'rejected')),
  due date NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz,
  decided_by text,
  reason text,
  decision_message text,                   -- what was signed
  decision_signature text                  -- SM2 by the node
);
CREATE INDEX ON open.application (key_id, created_at DESC);
CREATE INDEX ON open.application (provider_department_id, status, due);
