-- Risk module, part 1 (风险辨识 · 生产经营单位与场所): the enterprises a bureau supervises, with
-- their responsible persons; the small places grid workers register (九小场所, 出租屋, 自建房);
-- the units an enterprise declares under GB 18218-2018 with their hazardous chemicals and the
-- computed major-hazard result. Risk sources, checklists, inspections and hazards come in later
-- migrations and reference risk_enterprises (id) and risk_places (id).
--
-- Keys of industry, department, scale and place kind are the catalogue's
-- (apps/server/src/risk/catalogue.ts), checked there, so that adding one needs no migration.

CREATE TABLE risk_enterprises (
  id bigserial PRIMARY KEY,
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  -- 统一社会信用代码 (GB 32100-2015), normalised (upper case, no spaces); the check character is
  -- verified by the service, the shape here.
  uscc text NOT NULL CHECK (uscc ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
  industry text NOT NULL,
  -- 大型/中型/小型/微型 (统计上大中小微型企业划分办法(2017)); unknown for many small firms.
  scale text,
  address text,
  -- Optional: many registers carry an address but no coordinates.
  lon double precision CHECK (lon BETWEEN -180 AND 180),
  lat double precision CHECK (lat BETWEEN -90 AND 90),
  geom geometry(Point, 4326) GENERATED ALWAYS AS (CASE WHEN lon IS NULL OR lat IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END) STORED,
  -- County, township or village (GB/T 2260) the enterprise is in; the region scope filters on it.
  region_code text NOT NULL REFERENCES regions (code),
  -- 行业主管部门 ("管行业必须管安全"): the department that supervises its safety.
  department text NOT NULL,
  notes text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by bigint REFERENCES users (id) ON DELETE SET NULL,
  created_by_name text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by bigint REFERENCES users (id) ON DELETE SET NULL,
  updated_by_name text NOT NULL,
  -- Optimistic concurrency: every change increments it; a PUT names the version it read.
  version integer NOT NULL DEFAULT 1,
  CHECK ((lon IS NULL) = (lat IS NULL))
);
-- One registration per legal entity across the country: the code is the duplicate test.
CREATE UNIQUE INDEX risk_enterprises_uscc_idx ON risk_enterprises (uscc);
CREATE INDEX risk_enterprises_region_idx ON risk_enterprises (region_code text_pattern_ops);
CREATE INDEX risk_enterprises_industry_idx ON risk_enterprises (industry, region_code text_pattern_ops);
CREATE INDEX risk_enterprises_geom_idx ON risk_enterprises USING gist (geom);

-- 主要负责人 and 安全管理人员, in the order given (the first principal is the one called first).
CREATE TABLE risk_enterprise_persons (
  id bigserial PRIMARY KEY,
  enterprise_id bigint NOT NULL REFERENCES risk_enterprises (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('principal', 'safety_manager')),
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 50),
  phone text NOT NULL,
  position integer NOT NULL,
  UNIQUE (enterprise_id, position)
);

-- Places that are not companies, registered by the grid worker who found them; no credit code.
CREATE TABLE risk_places (
  id bigserial PRIMARY KEY,
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  kind text NOT NULL,
  address text,
  lon double precision CHECK (lon BETWEEN -180 AND 180),
  lat double precision CHECK (lat BETWEEN -90 AND 90),
  geom geometry(Point, 4326) GENERATED ALWAYS AS (CASE WHEN lon IS NULL OR lat IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END) STORED,
  -- Township or village: the grid a place belongs to.
  region_code text NOT NULL REFERENCES regions (code),
  operator_name text,
  operator_phone text,
  notes text,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The grid worker (or official) who registered it; kept when others edit it.
  created_by bigint REFERENCES users (id) ON DELETE SET NULL,
  created_by_name text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by bigint REFERENCES users (id) ON DELETE SET NULL,
  updated_by_name text NOT NULL,
  version integer NOT NULL DEFAULT 1,
  CHECK ((lon IS NULL) = (lat IS NULL))
);
CREATE INDEX risk_places_region_idx ON risk_places (region_code text_pattern_ops);
CREATE INDEX risk_places_kind_idx ON risk_places (kind, region_code text_pattern_ops);
CREATE INDEX risk_places_geom_idx ON risk_places USING gist (geom);

-- A unit (生产单元 / 储存单元) an enterprise declares under GB 18218-2018, with the result Anlan
-- computed from its chemicals (recomputed on every change, never typed in).
CREATE TABLE risk_installations (
  id bigserial PRIMARY KEY,
  -- No cascade: deleting an enterprise that still has units must be asked for explicitly.
  enterprise_id bigint NOT NULL REFERENCES risk_enterprises (id),
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  kind text NOT NULL CHECK (kind IN ('production', 'storage')),
  -- People living within 500 m of the boundary (GB 18218-2018 表5).
  exposed_population integer NOT NULL CHECK (exposed_population >= 0),
  notes text,
  -- S = Σ q/Q, R = α Σ β q/Q, major = S ≥ 1, grade 1–4 when major.
  s double precision NOT NULL,
  r double precision NOT NULL,
  major boolean NOT NULL,
  grade smallint CHECK (grade BETWEEN 1 AND 4),
  -- The whole computation, term by term, as shown to the user.
  computation jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by bigint REFERENCES users (id) ON DELETE SET NULL,
  created_by_name text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by bigint REFERENCES users (id) ON DELETE SET NULL,
  updated_by_name text NOT NULL,
  version integer NOT NULL DEFAULT 1,
  CHECK ((grade IS NULL) = (NOT major))
);
CREATE INDEX risk_installations_enterprise_idx ON risk_installations (enterprise_id);
CREATE INDEX risk_installations_major_idx ON risk_installations (grade) WHERE major;

-- The chemicals of a unit as declared (the input of the computation).
CREATE TABLE risk_installation_chemicals (
  id bigserial PRIMARY KEY,
  installation_id bigint NOT NULL REFERENCES risk_installations (id) ON DELETE CASCADE,
  position integer NOT NULL,
  -- As the user gave them; the 表1 row found is in the computation.
  name text,
  cas text,
  quantity_tonnes double precision NOT NULL CHECK (quantity_tonnes > 0),
  -- GB 18218-2018 表2 classes for a chemical 表1 does not name (e.g. {W5.4}).
  hazard_classes text[] NOT NULL DEFAULT '{}',
  -- GB 18218-2018 表4 class for β of a 表1 chemical outside 表3, when the user chose one.
  beta_class text,
  UNIQUE (installation_id, position)
);
