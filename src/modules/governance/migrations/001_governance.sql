-- 数据治理: rules on data items, the problems they find, and each check's metrics and score.
CREATE SCHEMA gov;

-- GB/T 2260 codes known to the identity rules: in force (last_year NULL) or abolished in last_year.
-- Filled from data/regions*.json after migrating (governance/regions.ts), whenever the data changes.
CREATE TABLE gov.region (code text PRIMARY KEY, last_year integer);
CREATE TABLE gov.region_source (checksum text NOT NULL);

-- Days in a month, without raising on impossible dates.
CREATE FUNCTION gov.real_date(y integer, m integer, d integer) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN y < 1 OR m < 1 OR m > 12 OR d < 1 THEN false
    ELSE d <= CASE WHEN m = 2 THEN CASE WHEN (y % 4 = 0 AND y % 100 <> 0) OR y % 400 = 0 THEN 29 ELSE 28 END
                   WHEN m IN (4, 6, 9, 11) THEN 30 ELSE 31 END END
$$;

-- 公民身份号码 (GB 11643): NULL when valid, else format | birth_date | checksum | region (same order as
-- the JavaScript rule). The value is normalised first: full-width digits/X, spaces, hyphens, lower x.
CREATE FUNCTION gov.ric_normal(v text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT upper(regexp_replace(translate(v, '０１２３４５６７８９Ｘｘ', '0123456789Xx'), '[\s-]', '', 'g'))
$$;
CREATE FUNCTION gov.ric_problem(raw text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN v !~ '^[0-9]{17}[0-9X]$' THEN 'format'
    WHEN substr(v, 7, 4)::int < 1850 OR NOT gov.real_date(substr(v, 7, 4)::int, substr(v, 11, 2)::int, substr(v, 13, 2)::int) THEN 'birth_date'
    WHEN make_date(substr(v, 7, 4)::int, substr(v, 11, 2)::int, substr(v, 13, 2)::int) > current_date THEN 'birth_date'
    WHEN substr('10X98765432', ((substr(v, 1, 1)::int * 7 + substr(v, 2, 1)::int * 9 + substr(v, 3, 1)::int * 10 + substr(v, 4, 1)::int * 5
        + substr(v, 5, 1)::int * 8 + substr(v, 6, 1)::int * 4 + substr(v, 7, 1)::int * 2 + substr(v, 8, 1)::int * 1 + substr(v, 9, 1)::int * 6
        + substr(v, 10, 1)::int * 3 + substr(v, 11, 1)::int * 7 + substr(v, 12, 1)::int * 9 + substr(v, 13, 1)::int * 10 + substr(v, 14, 1)::int * 5
        + substr(v, 15, 1)::int * 8 + substr(v, 16, 1)::int * 4 + substr(v, 17, 1)::int * 2) % 11) + 1, 1) <> substr(v, 18, 1) THEN 'checksum'
    WHEN NOT EXISTS (SELECT 1 FROM gov.region r WHERE r.code = substr(v, 1, 6) AND (r.last_year IS NULL OR r.last_year >= substr(v, 7, 4)::int)) THEN 'region'
  END FROM (SELECT gov.ric_normal(raw) AS v) n
$$;

-- 统一社会信用代码 (GB 32100): NULL when valid, else format | checksum.
CREATE FUNCTION gov.uscc_problem(raw text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN v !~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$' THEN 'format'
    WHEN substr('0123456789ABCDEFGHJKLMNPQRTUWXY', (31 - (
        (strpos(a, substr(v, 1, 1)) - 1) * 1 + (strpos(a, substr(v, 2, 1)) - 1) * 3 + (strpos(a, substr(v, 3, 1)) - 1) * 9
      + (strpos(a, substr(v, 4, 1)) - 1) * 27 + (strpos(a, substr(v, 5, 1)) - 1) * 19 + (strpos(a, substr(v, 6, 1)) - 1) * 26
      + (strpos(a, substr(v, 7, 1)) - 1) * 16 + (strpos(a, substr(v, 8, 1)) - 1) * 17 + (strpos(a, substr(v, 9, 1)) - 1) * 20
      + (strpos(a, substr(v, 10, 1)) - 1) * 29 + (strpos(a, substr(v, 11, 1)) - 1) * 25 + (strpos(a, substr(v, 12, 1)) - 1) * 13
      + (strpos(a, substr(v, 13, 1)) - 1) * 8 + (strpos(a, substr(v, 14, 1)) - 1) * 24 + (strpos(a, substr(v, 15, 1)) - 1) * 10
      + (strpos(a, substr(v, 16, 1)) - 1) * 30 + (strpos(a, substr(v, 17, 1)) - 1) * 28) % 31) % 31 + 1, 1) <> substr(v, 18, 1) THEN 'checksum'
  END FROM (SELECT upper(regexp_replace(translate(raw, '０１２３４５６７８９', '0123456789'), '[\s-]', '', 'g')) AS v, '0123456789ABCDEFGHJKLMNPQRTUWXY'::text AS a) n
$$;

-- 行政区划代码: NULL when in force, else format | abolished_region | unknown_region.
CREATE FUNCTION gov.region_problem(raw text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN v !~ '^[0-9]{6}$' THEN 'format'
    WHEN r.code IS NULL THEN 'unknown_region'
    WHEN r.last_year IS NOT NULL THEN 'abolished_region'
  END FROM (SELECT btrim(translate(raw, '０１２３４５６７８９', '0123456789')) AS v) n LEFT JOIN gov.region r ON r.code = n.v
$$;

CREATE FUNCTION gov.mobile_problem(raw text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN regexp_replace(translate(raw, '０１２３４５６７８９－', '0123456789-'), '[\s\u3000-]', '', 'g') !~ '^1[3-9][0-9]{9}$' THEN 'format' END
$$;
CREATE FUNCTION gov.landline_problem(raw text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN v ~ '^0[0-9]{2,3}-?[2-9][0-9]{6,7}(-[0-9]{1,6})?$' OR v ~ '^[48]00-?[0-9]{3}-?[0-9]{4}$' THEN NULL ELSE 'format' END
  FROM (SELECT regexp_replace(regexp_replace(translate(raw, '０１２３４５６７８９－（）', '0123456789-()'), '[\s\u3000]', '', 'g'), '^\((0[0-9]{2,3})\)', '\1-') AS v) n
$$;
CREATE FUNCTION gov.email_problem(raw text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN lower(btrim(raw)) !~ '^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$' THEN 'format' END
$$;

CREATE TABLE gov.rule (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  resource_id uuid NOT NULL REFERENCES catalog.resource (id) ON DELETE CASCADE,
  item text,                                   -- NULL for rules on the whole resource
  kind text NOT NULL CHECK (kind IN ('not_null', 'unique', 'length', 'pattern', 'code', 'range', 'date', 'ric', 'uscc', 'region', 'mobile',
                                     'landline', 'email', 'ric_consistency', 'reference', 'freshness', 'volume')),
  params jsonb NOT NULL DEFAULT '{}',
  severity text NOT NULL DEFAULT 'flagging' CHECK (severity IN ('blocking', 'flagging')),
  dimension text NOT NULL CHECK (dimension IN ('completeness', 'validity', 'uniqueness', 'consistency', 'timeliness')),
  enabled boolean NOT NULL DEFAULT true,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE NULLS NOT DISTINCT (resource_id, item, kind)
);
CREATE INDEX ON gov.rule (resource_id);

-- One check of a resource's stored rows (after an ingest run, or asked for): metrics and score.
CREATE TABLE gov.check_run (
  id bigserial PRIMARY KEY,
  resource_id uuid NOT NULL REFERENCES catalog.resource (id) ON DELETE CASCADE,
  department_id uuid NOT NULL,
  ingest_run_id bigint,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  rows bigint,
  failing_rows bigint,
  metrics jsonb,                               -- { completeness: 0.98, validity: …, … } (dimensions with rules)
  score numeric(5, 2),
  started_by text
);
CREATE INDEX ON gov.check_run (resource_id, id DESC);
CREATE INDEX ON gov.check_run (department_id, id DESC);

-- Checks waiting for a worker (an ingest run asks for one when it commits).
CREATE TABLE gov.check_request (resource_id uuid PRIMARY KEY, ingest_run_id bigint, requested_at timestamptz NOT NULL DEFAULT now());

-- Rows failing a rule (问题数据): open until the source fixes them (the next check closes them) or
-- the provider confirms the value as correct, with a reason.
CREATE TABLE gov.problem (
  id bigserial PRIMARY KEY,
  resource_id uuid NOT NULL REFERENCES catalog.resource (id) ON DELETE CASCADE,
  department_id uuid NOT NULL,
  rule_id uuid NOT NULL REFERENCES gov.rule (id) ON DELETE CASCADE,
  row_key text NOT NULL,                       -- the business key, parts joined by |
  value text,
  reason text NOT NULL,                        -- a reason code (validators.ts REASONS)
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'fixed', 'confirmed')),
  first_check_id bigint,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz,
  confirmed_by text,
  confirmed_reason text,
  UNIQUE (rule_id, row_key)
);
CREATE INDEX ON gov.problem (resource_id, status);
CREATE INDEX ON gov.problem (department_id, status);
