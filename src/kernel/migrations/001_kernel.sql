-- Kernel: the node, departments, users, sessions, app credentials, working-day calendar.
CREATE SCHEMA IF NOT EXISTS kernel;

CREATE TABLE kernel.node (
  id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  code text NOT NULL,
  name text NOT NULL,
  level text NOT NULL CHECK (level IN ('national', 'province', 'city', 'county')),
  region_code char(6) NOT NULL CHECK (region_code ~ '^\d{6}$'),
  sign_public_key text NOT NULL,
  sign_private_key_sealed text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE kernel.department (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 2 AND 100),
  short_name text,
  uscc char(18) UNIQUE,
  region_code char(6) NOT NULL CHECK (region_code ~ '^\d{6}$'),
  is_bureau boolean NOT NULL DEFAULT false,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE kernel.app_user (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9_.-]{2,63}$'),
  display_name text NOT NULL,
  department_id uuid NOT NULL REFERENCES kernel.department (id),
  roles text[] NOT NULL CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['admin', 'officer', 'consumer', 'auditor']::text[]),
  password_hash text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  failed_logins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  must_change_password boolean NOT NULL DEFAULT false,
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX app_user_department_idx ON kernel.app_user (department_id);

CREATE TABLE kernel.session (
  id text PRIMARY KEY,                 -- SHA-256 of the cookie's token; the token itself is never stored
  user_id uuid NOT NULL REFERENCES kernel.app_user (id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  ip text,
  user_agent text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX session_user_idx ON kernel.session (user_id);
CREATE INDEX session_expires_idx ON kernel.session (expires_at);

CREATE TABLE kernel.login_failure (
  id bigserial PRIMARY KEY,
  username text NOT NULL,
  ip text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failure_ip_idx ON kernel.login_failure (ip, at);

CREATE TABLE kernel.app_credential (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_key text NOT NULL UNIQUE,
  name text NOT NULL,
  department_id uuid NOT NULL REFERENCES kernel.department (id),
  secret_sealed text NOT NULL,         -- SM4-CBC + HMAC-SM3 under the node's master key
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  rotated_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz
);
CREATE INDEX app_credential_department_idx ON kernel.app_credential (department_id);

CREATE TABLE kernel.app_nonce (
  app_key text NOT NULL,
  nonce text NOT NULL,
  seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (app_key, nonce)
);
CREATE INDEX app_nonce_seen_idx ON kernel.app_nonce (seen_at);

-- Days added by an administrator on top of data/cn-holidays.json (a row here wins over the file).
CREATE TABLE kernel.holiday (
  day date PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('off', 'work')),
  note text,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now()
);
