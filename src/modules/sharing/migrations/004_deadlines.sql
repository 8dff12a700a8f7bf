-- Time limits of reviews: a reminder the working day before a step is due, escalation to the bureau
-- once it is overdue (both audited, once per step); a reminder before a grant expires; renewals.
ALTER TABLE share.application
  ADD COLUMN reminded_due date,            -- the step_due a reminder was sent for
  ADD COLUMN escalated_due date,           -- the step_due that was escalated
  ADD COLUMN renews_id bigint REFERENCES share.application (id);
ALTER TABLE share.grant ADD COLUMN expiry_reminded_at timestamptz;
ALTER TABLE share.decision DROP CONSTRAINT decision_decision_check;
ALTER TABLE share.decision ADD CONSTRAINT decision_decision_check
  CHECK (decision IN ('submit', 'resubmit', 'approve', 'return', 'reject', 'withdraw', 'revoke', 'auto_approve', 'renew'));
ALTER TABLE share.delivery DROP CONSTRAINT delivery_format_check;
ALTER TABLE share.delivery ADD CONSTRAINT delivery_format_check CHECK (format IN ('csv', 'xlsx', 'push'));
