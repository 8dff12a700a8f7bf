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
-- (PL/pgSQL: a SQL function this size is not inlined, and then costs ~100 µs a call; these ~10.)
CREATE FUNCTION gov.ric_problem(raw text) RETURNS text LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  v text := raw;
  y int; m int; d int; b bytea;
BEGIN
  IF v !~ '^[0-9]{17}[0-9X]$' THEN
    v := gov.ric_normal(raw);
    IF v !~ '^[0-9]{17}[0-9X]$' THEN RETURN 'format'; END IF;
  END IF;
  y := substr(v, 7, 4)::int; m := substr(v, 11, 2)::int; d := substr(v, 13, 2)::int;
  IF y < 1850 OR NOT gov.real_date(y, m, d) THEN RETURN 'birth_date'; END IF;
  IF make_date(y, m, d) > current_date THEN RETURN 'birth_date'; END IF;
  b := convert_to(v, 'SQL_ASCII');
  IF substr('10X98765432', ((get_byte(b, 0) - 48) * 7 + (get_byte(b, 1) - 48) * 9 + (get_byte(b, 2) - 48) * 10 + (get_byte(b, 3) - 48) * 5
      + (get_byte(b, 4) - 48) * 8 + (get_byte(b, 5) - 48) * 4 + (get_byte(b, 6) - 48) * 2 + (get_byte(b, 7) - 48) + (get_byte(b, 8) - 48) * 6
      + (get_byte(b, 9) - 48) * 3 + (get_byte(b, 10) - 48) * 7 + (get_byte(b, 11) - 48) * 9 + (get_byte(b, 12) - 48) * 10 + (get_byte(b, 13) - 48) * 5
      + (get_byte(b, 14) - 48) * 8 + (get_byte(b, 15) - 48) * 4 + (get_byte(b, 16) - 48) * 2) % 11 + 1, 1) <> substr(v, 18, 1) THEN
    RETURN 'checksum';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM gov.region r WHERE r.code = substr(v, 1, 6) AND (r.last_year IS NULL OR r.last_year >= y)) THEN RETURN 'region'; END IF;
  RETURN NULL;
END $$;

-- 统一社会信用代码 (GB 32100): NULL when valid, else format | checksum.
CREATE FUNCTION gov.uscc_problem(raw text) RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  a constant text := '0123456789ABCDEFGHJKLMNPQRTUWXY';
  w constant int[] := '{1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28}';
  v text := upper(regexp_replace(translate(raw, '０１２３４５６７８９', '0123456789'), '[\s-]', '', 'g'));
  s int := 0;
BEGIN
  IF v !~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$' THEN RETURN 'format'; END IF;
  FOR i IN 1..17 LOOP s := s + (strpos(a, substr(v, i, 1)) - 1) * w[i]; END LOOP;
  IF substr(a, (31 - s % 31) % 31 + 1, 1) <> substr(v, 18, 1) THEN RETURN 'checksum'; END IF;
  RETURN NULL;
END $$;

-- 行政区划代码: NULL when in force, else format | abolished_region | unknown_region.
CREATE FUNCTION gov.region_problem(raw text) RETURNS text LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  v text := btrim(translate(raw, '０１２３４５６７８９', '0123456789'));
  last int; found_ boolean;
BEGIN
  IF v !~ '^[0-9]{6}$' THEN RETURN 'format'; END IF;
  SELECT true, r.last_year INTO found_, last FROM gov.region r WHERE r.code = v;
  IF found_ IS NULL THEN RETURN 'unknown_region'; END IF;
  IF last IS NOT NULL THEN RETURN 'abolished_region'; END IF;
  RETURN NULL;
END $$;

-- mobile, landline, e-mail: one expression each (inlined into the checking query)
CREATE FUNCTION gov.mobile_problem(raw text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN regexp_replace(translate(raw, '０１２３４５６７８９－', '0123456789-'), '[\s\u3000-]', '', 'g') !~ '^1[3-9][0-9]{9}$' THEN 'format' END
$$;
CREATE FUNCTION gov.landline_problem(raw text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN regexp_replace(regexp_replace(translate(raw, '０１２３４５６７８９－（）', '0123456789-()'), '[\s\u3000]', '', 'g'), '^\((0[0-9]{2,3})\)', '\1-')
    ~ '^(0[0-9]{2,3}-?[2-9][0-9]{6,7}(-[0-9]{1,6})?|[48]00-?[0-9]{3}-?[0-9]{4})$' THEN NULL ELSE 'format' END
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

-- A date or a number from text without raising on what is neither (NULL then): rules on text items.
CREATE FUNCTION gov.safe_date(v text) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN v ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}' AND gov.real_date(substr(v, 1, 4)::int, substr(v, 6, 2)::int, substr(v, 9, 2)::int)
    THEN make_date(substr(v, 1, 4)::int, substr(v, 6, 2)::int, substr(v, 9, 2)::int) END
$$;
CREATE FUNCTION gov.safe_num(v text) RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN btrim(v) ~ '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$' THEN btrim(v)::numeric END
$$;

-- The 公民身份号码 rule for a value already in canonical form (17 digits and a digit or X), without the
-- region: one expression, inlined by the planner into the checking query (which joins gov.region).
CREATE FUNCTION gov.ric_check(v text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN substr(v, 7, 4)::int < 1850 OR NOT gov.real_date(substr(v, 7, 4)::int, substr(v, 11, 2)::int, substr(v, 13, 2)::int) THEN 'birth_date'
    WHEN substr(v, 7, 8) > to_char(current_date, 'YYYYMMDD') THEN 'birth_date'
    WHEN substr('10X98765432', ((ascii(substr(v, 1, 1)) - 48) * 7 + (ascii(substr(v, 2, 1)) - 48) * 9 + (ascii(substr(v, 3, 1)) - 48) * 10
        + (ascii(substr(v, 4, 1)) - 48) * 5 + (ascii(substr(v, 5, 1)) - 48) * 8 + (ascii(substr(v, 6, 1)) - 48) * 4 + (ascii(substr(v, 7, 1)) - 48) * 2
        + (ascii(substr(v, 8, 1)) - 48) + (ascii(substr(v, 9, 1)) - 48) * 6 + (ascii(substr(v, 10, 1)) - 48) * 3 + (ascii(substr(v, 11, 1)) - 48) * 7
        + (ascii(substr(v, 12, 1)) - 48) * 9 + (ascii(substr(v, 13, 1)) - 48) * 10 + (ascii(substr(v, 14, 1)) - 48) * 5 + (ascii(substr(v, 15, 1)) - 48) * 8
        + (ascii(substr(v, 16, 1)) - 48) * 4 + (ascii(substr(v, 17, 1)) - 48) * 2) % 11 + 1, 1) <> substr(v, 18, 1) THEN 'checksum'
  END
$$;
