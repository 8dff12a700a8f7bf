-- 整改: a resource's open problems under one rule go to the provider department as a task with a due
-- date in working days; it is done when none of its problems is open; past its due date it escalates.
CREATE TABLE gov.task (
  id bigserial PRIMARY KEY,
  resource_id uuid NOT NULL REFERENCES catalog.resource (id) ON DELETE CASCADE,
  department_id uuid NOT NULL,
  rule_id uuid NOT NULL REFERENCES gov.rule (id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
  created_at timestamptz NOT NULL DEFAULT now(),
  due_date date NOT NULL,
  escalated_at timestamptz,
  closed_at timestamptz,
  created_by text
);
CREATE UNIQUE INDEX task_open_per_rule ON gov.task (rule_id) WHERE status = 'open';
CREATE INDEX ON gov.task (department_id, status);
ALTER TABLE gov.problem ADD COLUMN task_id bigint REFERENCES gov.task (id) ON DELETE SET NULL;
CREATE INDEX ON gov.problem (task_id);
