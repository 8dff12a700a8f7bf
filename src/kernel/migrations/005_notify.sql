-- Notifications: each user's notices (the console's bell), and outgoing webhooks that departments
-- register for systems of their own (signed with HMAC-SM3; deliveries retried with back-off).
CREATE TABLE kernel.notification (
  id bigserial PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES kernel.app_user (id) ON DELETE CASCADE,
  kind text NOT NULL,                      -- e.g. objection.submitted, demand.answered, share.application.remind
  title text NOT NULL,
  body text,
  link text,                               -- the console page it is about
  subject_type text,
  subject_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz
);
CREATE INDEX notification_user_idx ON kernel.notification (user_id, id DESC);
CREATE INDEX notification_unread_idx ON kernel.notification (user_id) WHERE read_at IS NULL;

CREATE TABLE kernel.webhook (
  id bigserial PRIMARY KEY,
  department_id uuid NOT NULL REFERENCES kernel.department (id),
  url text NOT NULL,
  secret_sealed text NOT NULL,             -- SM4-sealed; shown once when created
  kinds text[] NOT NULL DEFAULT '{}',      -- empty: every kind
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_department_idx ON kernel.webhook (department_id) WHERE status = 'active';

CREATE TABLE kernel.webhook_delivery (
  id bigserial PRIMARY KEY,
  webhook_id bigint NOT NULL REFERENCES kernel.webhook (id) ON DELETE CASCADE,
  event jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_at timestamptz NOT NULL DEFAULT now(),
  last_status integer,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE INDEX webhook_delivery_due_idx ON kernel.webhook_delivery (next_at) WHERE status = 'pending';
CREATE INDEX webhook_delivery_hook_idx ON kernel.webhook_delivery (webhook_id, id DESC);
