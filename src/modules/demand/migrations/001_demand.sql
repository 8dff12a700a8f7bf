-- 数据需求 (供需对接, DOMAIN §3): 提出 → 受理/匹配 (to a catalog resource, or assigned to the department
-- that should provide it) → 答复 (within the node's working days, default 3) → 落实 (a share
-- application made from it, or a new resource linked to it) → 评价.
CREATE SCHEMA demand;

CREATE TABLE demand.demand (
  id bigserial PRIMARY KEY,
  department_id uuid NOT NULL REFERENCES kernel.department (id),        -- the department that needs the data
  requester text NOT NULL,
  requester_user_id uuid REFERENCES kernel.app_user (id),
  title text NOT NULL,
  description text NOT NULL,               -- what data
  purpose text NOT NULL,                   -- why
  fields text[] NOT NULL DEFAULT '{}',     -- the items wanted, in the demander's words
  legal_basis text NOT NULL,
  scenario text NOT NULL,
  status text NOT NULL CHECK (status IN ('submitted', 'matched', 'assigned', 'provided', 'rejected')),
  due date NOT NULL,                       -- the answer's due date
  reminded_due date,
  escalated_due date,
  resource_id uuid REFERENCES catalog.resource (id),                   -- matched, or provided
  assigned_department_id uuid REFERENCES kernel.department (id),
  reason text,
  answered_at timestamptz,
  answered_by text,
  application_id bigint REFERENCES share.application (id),
  rating smallint CHECK (rating BETWEEN 1 AND 5),
  rating_comment text,
  rated_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON demand.demand (department_id, id DESC);
CREATE INDEX ON demand.demand (assigned_department_id, status);
CREATE INDEX ON demand.demand (status, due);

CREATE TABLE demand.event (
  id bigserial PRIMARY KEY,
  demand_id bigint NOT NULL REFERENCES demand.demand (id),
  step text NOT NULL,
  by_name text NOT NULL,
  comment text,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON demand.event (demand_id, id);
