-- 共享: one-stop applications, their signed decisions, and the grants they end in.
CREATE SCHEMA share;

CREATE TABLE share.application (
  id bigserial PRIMARY KEY,
  resource_id uuid NOT NULL REFERENCES catalog.resource (id),
  provider_department_id uuid NOT NULL REFERENCES kernel.department (id),
  applicant_department_id uuid NOT NULL REFERENCES kernel.department (id),
  applicant text NOT NULL,
  app_credential_id uuid NOT NULL REFERENCES kernel.app_credential (id),
  fields text[] NOT NULL,
  services text[] NOT NULL,
  purpose text NOT NULL,
  legal_basis text NOT NULL,
  scenario text NOT NULL,
  period_from date NOT NULL,
  period_to date NOT NULL,
  expected_calls integer NOT NULL,
  row_filter jsonb,
  status text NOT NULL CHECK (status IN ('provider_review', 'bureau_review', 'returned', 'approved', 'rejected', 'withdrawn')),
  step_due date,                        -- the current review step's deadline (working days)
  submitted_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON share.application (applicant_department_id, id DESC);
CREATE INDEX ON share.application (provider_department_id, status);
CREATE INDEX ON share.application (status, step_due);

-- Every decision, signed by the node with SM2 over `message` (non-repudiation).
CREATE TABLE share.decision (
  id bigserial PRIMARY KEY,
  application_id bigint NOT NULL REFERENCES share.application (id),
  step text NOT NULL CHECK (step IN ('submit', 'provider', 'bureau', 'applicant', 'grant')),
  decision text NOT NULL CHECK (decision IN ('submit', 'resubmit', 'approve', 'return', 'reject', 'withdraw', 'revoke', 'auto_approve')),
  comment text,
  by_user text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  message text NOT NULL,
  signature text NOT NULL
);
CREATE INDEX ON share.decision (application_id, id);

CREATE TABLE share.grant (
  id bigserial PRIMARY KEY,
  application_id bigint NOT NULL UNIQUE REFERENCES share.application (id),
  resource_id uuid NOT NULL REFERENCES catalog.resource (id),
  consumer_department_id uuid NOT NULL REFERENCES kernel.department (id),
  app_credential_id uuid NOT NULL REFERENCES kernel.app_credential (id),
  fields text[] NOT NULL,
  masks jsonb NOT NULL,                 -- field → masking rule applied to it
  services text[] NOT NULL,
  row_filter jsonb,
  rate_per_minute integer NOT NULL,
  expires_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  revoked_by text
);
CREATE INDEX ON share.grant (app_credential_id, resource_id) WHERE status = 'active';
