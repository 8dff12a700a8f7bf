-- Catalog (数据目录): classification tree, resources with every version kept, review history,
-- the search entry of each published resource, and the schema `ds` of the dataset tables.
CREATE SCHEMA IF NOT EXISTS catalog;
CREATE SCHEMA IF NOT EXISTS ds;

CREATE TABLE catalog.settings (
  id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  -- {category} = the category's full code, {seq:N} = a per-category sequence padded to N digits
  resource_code_format text NOT NULL DEFAULT '{category}/{seq:6}'
);
INSERT INTO catalog.settings DEFAULT VALUES;

-- 信息资源分类: 类 / 项 / 目 / 细目; top level 1 = 基础, 2 = 主题, 3 = 部门
CREATE TABLE catalog.category (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  parent_id uuid REFERENCES catalog.category (id),
  code text NOT NULL CHECK (code ~ '^[0-9]{1,4}$'),
  full_code text NOT NULL UNIQUE,
  name text NOT NULL,
  level smallint NOT NULL CHECK (level BETWEEN 1 AND 4),
  sort integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (parent_id, code)
);

CREATE TABLE catalog.code_seq (
  category_code text PRIMARY KEY,
  last integer NOT NULL DEFAULT 0
);

CREATE TABLE catalog.resource (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text UNIQUE,                        -- generated at first publication
  department_id uuid NOT NULL REFERENCES kernel.department (id),
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'retired')),
  published_version integer,
  open_version integer,                    -- the version being edited or reviewed, if any
  dataset_table text,                      -- ds.<name> once published
  first_published_at timestamptz,
  retired_at timestamptz,
  retire_reason text,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX resource_department_idx ON catalog.resource (department_id);

CREATE TABLE catalog.resource_version (
  resource_id uuid NOT NULL REFERENCES catalog.resource (id),
  version integer NOT NULL CHECK (version > 0),
  state text NOT NULL CHECK (state IN ('draft', 'submitted', 'returned', 'published', 'superseded', 'withdrawn')),
  meta jsonb NOT NULL,
  items jsonb NOT NULL,
  grade smallint NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  submitted_at timestamptz,
  reviewed_at timestamptz,
  reviewed_by uuid,
  review_comment text,
  published_at timestamptz,
  PRIMARY KEY (resource_id, version)
);
CREATE INDEX resource_version_state_idx ON catalog.resource_version (state) WHERE state = 'submitted';

-- every step of every version: who did what, when, with which comment
CREATE TABLE catalog.resource_event (
  id bigserial PRIMARY KEY,
  resource_id uuid NOT NULL REFERENCES catalog.resource (id),
  version integer NOT NULL,
  action text NOT NULL,
  actor_id uuid,
  actor_name text,
  comment text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX resource_event_resource_idx ON catalog.resource_event (resource_id, id);

-- 一本账: one row per published resource, for search and facets
CREATE TABLE catalog.entry (
  resource_id uuid PRIMARY KEY REFERENCES catalog.resource (id),
  code text NOT NULL,
  name text NOT NULL,
  summary text NOT NULL,
  department_id uuid NOT NULL,
  category_id uuid NOT NULL,
  category_code text NOT NULL,             -- the category's full code
  category_top text NOT NULL,              -- 1 基础 / 2 主题 / 3 部门
  share_type text NOT NULL,
  open_type text NOT NULL,
  grade smallint NOT NULL,
  update_cycle text NOT NULL,
  format_class smallint NOT NULL,
  item_count integer NOT NULL,
  published_at timestamptz NOT NULL,
  version integer NOT NULL,
  name_search tsvector NOT NULL,           -- name and code only: the first tier of relevance
  search tsvector NOT NULL                 -- name (A), data items (B), summary (C), department (D)
);
CREATE INDEX entry_name_search_idx ON catalog.entry USING gin (name_search);
CREATE INDEX entry_search_idx ON catalog.entry USING gin (search);
CREATE INDEX entry_department_idx ON catalog.entry (department_id);
CREATE INDEX entry_published_idx ON catalog.entry (published_at DESC);
CREATE INDEX entry_open_idx ON catalog.entry (open_type) WHERE open_type <> 'none';

-- the default classification (editable by an administrator)
INSERT INTO catalog.category (code, full_code, name, level, sort) VALUES
  ('1', '1', '基础信息资源', 1, 1), ('2', '2', '主题信息资源', 1, 2), ('3', '3', '部门信息资源', 1, 3);
INSERT INTO catalog.category (parent_id, code, full_code, name, level, sort)
SELECT c.id, v.code, c.full_code || v.code, v.name, 2, v.sort
FROM catalog.category c
JOIN (VALUES
  ('1', '01', '人口', 1), ('1', '02', '法人', 2), ('1', '03', '自然资源和空间地理', 3), ('1', '04', '社会信用', 4), ('1', '05', '电子证照', 5),
  ('2', '01', '公共服务', 1), ('2', '02', '健康保障', 2), ('2', '03', '社会保障', 3), ('2', '04', '市场监管', 4), ('2', '05', '城乡建设', 5),
  ('2', '06', '生态环境', 6), ('2', '07', '教育文化', 7), ('2', '08', '交通出行', 8), ('2', '09', '安全生产', 9), ('2', '10', '民生服务', 10)
) AS v (top, code, name, sort) ON c.full_code = v.top;
