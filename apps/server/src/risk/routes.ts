import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError, ValidationError, type Role } from '@anlan/core';
import { requireCaller, requireUser } from '../http/guards.ts';
import { idParam, problemResponses, regionCodeBody } from '../http/schemas.ts';
import { XLSX_CONTENT_TYPE, attachmentDisposition } from '../http/xlsx.ts';
import { actorOf, type Caller } from '../caller.ts';
import { DEPARTMENT_KEYS, INDUSTRY_KEYS, PERSON_ROLE_KEYS, PLACE_KIND_KEYS, SCALE_KEYS, UNIT_KIND_KEYS, catalogueView } from './catalogue.ts';
import { computeUnit, MAX_CHEMICALS, type UnitInput } from './gb18218/compute.ts';
import { searchChemicals, toxicGasBeta, hazardClass } from './gb18218/chemicals.ts';
import { ALPHA_BANDS, DATA_NOTES, GRADE_BANDS, HAZARD_CLASSES, STANDARD, TOXIC_GAS_BETAS, type NamedChemical } from './gb18218/tables.ts';
import { exportRegister } from './export.ts';
import { importRegister, type ImportMode } from './import.ts';
import * as installations from './installations.ts';
import * as risk from './service.ts';
import type { EnterpriseFilter, PlaceFilter } from './store.ts';
import { mapFeatures } from './store.ts';
import type { EnterpriseInput, PlaceInput } from './validate.ts';

const BASE = '/api/v1/risk';
/** Who keeps the enterprise register and declares GB 18218 units for an enterprise. */
const REGISTRARS: readonly Role[] = ['admin', 'commander', 'duty', 'inspector'];
/** Places are registered by grid workers (基层责任人) as well. */
const PLACE_REGISTRARS: readonly Role[] = [...REGISTRARS, 'responder'];
const IMPORT_BODY_LIMIT = 20 * 1024 * 1024;
const IMPORT_TYPES = [XLSX_CONTENT_TYPE, 'application/octet-stream', 'text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel'];

/**
 * Everyone of the bureau reads the register of their region. An enterprise account is the
 * enterprise's own: it must never list its neighbours, and until accounts are bound to their
 * enterprise (risk, part 2) it reads none.
 */
function requireReader(request: FastifyRequest): Caller {
  const caller = requireCaller(request);
  if (caller.kind === 'user' && caller.role === 'enterprise') throw new ForbiddenError('An enterprise account sees only its own enterprise; the register is the bureau\'s');
  return caller;
}

const nullableText = (maxLength: number) => ({ type: ['string', 'null'], maxLength }) as const;
const nullableNumber = { type: ['number', 'null'] } as const;
const version = { type: 'integer', minimum: 1, description: 'the version you read; a stale one answers 409' } as const;
const bookkeeping = {
  createdAt: { type: 'string', format: 'date-time' },
  createdBy: { type: 'string' },
  updatedAt: { type: 'string', format: 'date-time' },
  updatedBy: { type: 'string' },
  version: { type: 'integer' },
} as const;

const personSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    role: { type: 'string', enum: [...PERSON_ROLE_KEYS], description: 'principal 主要负责人, safety_manager 安全管理人员' },
    name: { type: 'string', minLength: 1, maxLength: 50 },
    phone: { type: 'string', minLength: 1, maxLength: 40, description: 'mobile (11 digits) or landline with area code' },
  },
  required: ['role', 'name', 'phone'],
} as const;

const enterpriseSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    uscc: { type: 'string' },
    industry: { type: 'string' },
    industryName: { type: 'string' },
    scale: { type: ['string', 'null'] },
    scaleName: { type: ['string', 'null'] },
    department: { type: 'string' },
    departmentName: { type: 'string' },
    address: { type: ['string', 'null'] },
    lon: nullableNumber,
    lat: nullableNumber,
    regionCode: { type: 'string' },
    regionName: { type: ['string', 'null'] },
    notes: { type: ['string', 'null'] },
    persons: { type: 'array', items: { type: 'object', properties: { role: { type: 'string' }, name: { type: 'string' }, phone: { type: 'string' } } } },
    installationCount: { type: 'integer' },
    majorInstallationCount: { type: 'integer' },
    topGrade: { type: ['integer', 'null'], description: 'the highest grade (1 highest) among its major hazard installations' },
    ...bookkeeping,
  },
} as const;

const enterpriseFields = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  uscc: { type: 'string', minLength: 1, maxLength: 40, description: '统一社会信用代码, 18 characters (GB 32100-2015); spaces and lower case are normalised, the check character is verified' },
  industry: { type: 'string', enum: [...INDUSTRY_KEYS], description: 'industry key, see GET /api/v1/risk/catalogue' },
  scale: { type: ['string', 'null'], enum: [...SCALE_KEYS, null] },
  department: { type: 'string', enum: [...DEPARTMENT_KEYS], description: 'supervising department (行业主管部门); defaults from the industry where that is the same everywhere' },
  address: nullableText(300),
  lon: { type: ['number', 'null'], minimum: -180, maximum: 180 },
  lat: { type: ['number', 'null'], minimum: -90, maximum: 90 },
  regionCode: { ...regionCodeBody, description: 'county, township or village inside the caller\'s region; left out, the county the coordinates lie in' },
  notes: nullableText(2000),
  persons: { type: 'array', maxItems: 20, items: personSchema, description: 'replaces the list: 主要负责人 and 安全管理人员 with phones' },
} as const;

const placeSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    kind: { type: 'string' },
    kindName: { type: 'string' },
    address: { type: ['string', 'null'] },
    lon: nullableNumber,
    lat: nullableNumber,
    regionCode: { type: 'string' },
    regionName: { type: ['string', 'null'] },
    operatorName: { type: ['string', 'null'] },
    operatorPhone: { type: ['string', 'null'] },
    notes: { type: ['string', 'null'] },
    registeredBy: { type: 'string' },
    registeredById: { type: ['integer', 'null'] },
    ...bookkeeping,
  },
} as const;

const placeFields = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  kind: { type: 'string', enum: [...PLACE_KIND_KEYS] },
  address: nullableText(300),
  lon: { type: ['number', 'null'], minimum: -180, maximum: 180 },
  lat: { type: ['number', 'null'], minimum: -90, maximum: 90 },
  regionCode: { ...regionCodeBody, description: 'township or village; left out, the caller\'s own when that is a township or village' },
  operatorName: nullableText(50),
  operatorPhone: nullableText(40),
  notes: nullableText(2000),
} as const;

const chemicalInputSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: ['string', 'null'], maxLength: 200, description: 'the name in GB 18218-2018 表1 or an alias (液氯, LPG…); for a chemical 表1 does not name, what it is called' },
    cas: { type: ['string', 'null'], maxLength: 20, description: 'CAS number; finds the 表1 row when the name is left out' },
    quantityTonnes: { type: 'number', description: 'q: the largest quantity the unit holds (design maximum), tonnes, > 0' },
    hazardClasses: { type: ['array', 'null'], maxItems: 10, items: { type: 'string', maxLength: 8 }, description: 'GB 18218-2018 表2 classes (J1…W11) of a chemical 表1 does not name' },
    betaClass: { type: ['string', 'null'], maxLength: 8, description: 'GB 18218-2018 表4 class for β of a 表1 chemical outside 表3, when the default does not fit (e.g. W5.1 above its boiling point)' },
  },
  required: ['quantityTonnes'],
} as const;

const installationFields = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  kind: { type: 'string', enum: [...UNIT_KIND_KEYS], description: 'production 生产单元 or storage 储存单元' },
  exposedPopulation: { type: 'integer', minimum: 0, description: 'people living within 500 m of the boundary (α, GB 18218-2018 表5)' },
  notes: nullableText(2000),
  chemicals: { type: 'array', minItems: 1, maxItems: MAX_CHEMICALS, items: chemicalInputSchema },
} as const;

const computationSchema = { type: 'object', additionalProperties: true, description: 'every term (q, Q, β with their sources), S, Σβq/Q, α, R, major, grade' } as const;

const installationSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    enterpriseId: { type: 'integer' },
    enterpriseName: { type: 'string' },
    regionCode: { type: 'string' },
    name: { type: 'string' },
    kind: { type: 'string' },
    kindName: { type: 'string' },
    exposedPopulation: { type: 'integer' },
    notes: { type: ['string', 'null'] },
    chemicals: { type: 'array', items: { type: 'object', additionalProperties: true } },
    s: { type: 'number' },
    r: { type: 'number' },
    major: { type: 'boolean' },
    grade: { type: ['integer', 'null'] },
    computation: computationSchema,
    ...bookkeeping,
  },
} as const;

const page = (item: object) => ({ type: 'object', properties: { items: { type: 'array', items: item }, total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } } }) as const;

const regionFilter = { type: 'string', pattern: '^([0-9]{6}|[0-9]{9}|[0-9]{12})$', description: 'only this region and below' } as const;
const bboxParam = { type: 'string', pattern: '^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$', description: 'minLon,minLat,maxLon,maxLat (WGS84)' } as const;
const paging = { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 }, offset: { type: 'integer', minimum: 0, default: 0 } } as const;

function bboxOf(text: string | undefined): [number, number, number, number] | undefined {
  if (!text) return undefined;
  const [a, b, c, d] = text.split(',').map(Number);
  if (![a, b, c, d].every(Number.isFinite) || a > c || b > d) throw new ValidationError([{ field: 'bbox', message: 'must be minLon,minLat,maxLon,maxLat with min ≤ max' }]);
  return [a, b, c, d];
}

function chemicalView(c: NamedChemical) {
  const gas = c.toxicGas ? toxicGasBeta(c.toxicGas) : undefined;
  const cls = c.betaClass ? hazardClass(c.betaClass) : undefined;
  return {
    name: c.name, aliases: c.aliases, cas: c.cas, criticalQuantity: c.criticalQuantity, source: c.source,
    beta: gas?.beta ?? cls?.beta ?? null,
    betaSource: gas ? `${gas.source} ${gas.name}` : cls ? `${cls.sources.beta} ${cls.key}` : null,
    betaClass: c.betaClass,
    betaNeedsClass: !gas && !cls,
  };
}

export function registerRiskRoutes(app: FastifyInstance, deps: risk.RiskDeps): void {
  const who = (caller: ReturnType<typeof requireUser>) => ({ actor: actorOf(caller), scope: caller.scope });
  const tags = ['risk'];

  app.get(`${BASE}/catalogue`, {
    schema: { tags, summary: 'Industries, supervising departments, scales, kinds of place, person roles and unit kinds, with Chinese and English names', response: { 200: { type: 'object', additionalProperties: true }, ...problemResponses } },
  }, async (request) => {
    requireCaller(request);
    return catalogueView();
  });

  // ---- GB 18218-2018 ----

  app.get(`${BASE}/gb18218`, {
    schema: {
      tags,
      summary: 'The GB 18218-2018 tables Anlan computes with (表2/表4 classes, 表3 toxic gases, 表5 α, 表6 grades) and what the transcription rests on; 表1 through /risk/chemicals',
      response: { 200: { type: 'object', additionalProperties: true }, ...problemResponses },
    },
  }, async (request) => {
    requireCaller(request);
    return { standard: STANDARD, notes: DATA_NOTES, hazardClasses: HAZARD_CLASSES, toxicGases: TOXIC_GAS_BETAS, alphaBands: ALPHA_BANDS, gradeBands: GRADE_BANDS.map((g) => ({ ...g, minR: Number.isFinite(g.minR) ? g.minR : null })) };
  });

  app.get<{ Querystring: { q?: string; limit: number } }>(`${BASE}/chemicals`, {
    schema: {
      tags,
      summary: 'Search GB 18218-2018 表1 by name, alias or CAS number: the critical quantity Q and the β Anlan uses',
      querystring: { type: 'object', additionalProperties: false, properties: { q: { type: 'string', maxLength: 100 }, limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 } } },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', additionalProperties: true } } } }, ...problemResponses },
    },
  }, async (request) => {
    requireCaller(request);
    return { items: searchChemicals(request.query.q ?? '', request.query.limit).map(chemicalView) };
  });

  app.post<{ Body: UnitInput }>(`${BASE}/gb18218/compute`, {
    schema: {
      tags,
      summary: 'Compute S, R and the grade of a unit without storing it (the form\'s preview); 400 naming the chemical line that cannot be computed',
      body: { type: 'object', additionalProperties: false, properties: { exposedPopulation: installationFields.exposedPopulation, chemicals: installationFields.chemicals }, required: ['exposedPopulation', 'chemicals'] },
      response: { 200: computationSchema, ...problemResponses },
    },
  }, async (request) => {
    // Holds no data of anyone's: every account may use the calculator.
    requireCaller(request);
    const r = computeUnit(request.body);
    if (!r.ok) throw new ValidationError(r.errors, 'The unit cannot be computed');
    return r.computation;
  });

  // ---- enterprises ----

  type EnterpriseQuery = Omit<EnterpriseFilter, 'bbox'> & { bbox?: string };
  app.get<{ Querystring: EnterpriseQuery }>(`${BASE}/enterprises`, {
    schema: {
      tags,
      summary: 'Enterprises of the caller\'s region, filtered and paged',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          ...paging, regionCode: regionFilter, industry: { type: 'string', maxLength: 64 }, department: { type: 'string', maxLength: 64 }, scale: { type: 'string', maxLength: 16 },
          q: { type: 'string', minLength: 1, maxLength: 100, description: 'part of the name, credit code or address' }, major: { type: 'boolean', description: 'only those with (true) or without (false) a major hazard installation' }, bbox: bboxParam,
        },
      },
      response: { 200: page(enterpriseSchema), ...problemResponses },
    },
  }, async (request) => {
    const caller = requireReader(request);
    return risk.listEnterprises(deps, caller.scope, { ...request.query, bbox: bboxOf(request.query.bbox) });
  });

  app.get<{ Params: { id: number } }>(`${BASE}/enterprises/:id`, { schema: { tags, summary: 'One enterprise', params: idParam, response: { 200: enterpriseSchema, ...problemResponses } } }, async (request) =>
    risk.getEnterprise(deps, requireReader(request).scope, request.params.id),
  );

  app.post<{ Body: EnterpriseInput }>(`${BASE}/enterprises`, {
    schema: {
      tags,
      summary: 'Register an enterprise (admin, commander, duty, inspector); a credit code already registered answers 409 naming the enterprise that holds it',
      body: { type: 'object', additionalProperties: false, properties: enterpriseFields, required: ['name', 'uscc', 'industry'] },
      response: { 201: enterpriseSchema, ...problemResponses },
    },
  }, async (request, reply) => reply.status(201).send(await risk.createEnterprise(deps, who(requireUser(request, REGISTRARS)), request.body)));

  app.put<{ Params: { id: number }; Body: EnterpriseInput & { version: number } }>(`${BASE}/enterprises/:id`, {
    schema: {
      tags,
      summary: 'Change an enterprise: the fields given replace (persons as a whole list), the others stay; version is the one read (409 when stale)',
      params: idParam,
      body: { type: 'object', additionalProperties: false, properties: { ...enterpriseFields, version }, required: ['version'] },
      response: { 200: enterpriseSchema, ...problemResponses },
    },
  }, async (request) => risk.updateEnterprise(deps, who(requireUser(request, REGISTRARS)), request.params.id, request.body));

  app.delete<{ Params: { id: number }; Querystring: { cascade: boolean; version?: number } }>(`${BASE}/enterprises/:id`, {
    schema: {
      tags,
      summary: 'Delete an enterprise; one with GB 18218 units answers 409 unless ?cascade=true',
      params: idParam,
      querystring: { type: 'object', additionalProperties: false, properties: { cascade: { type: 'boolean', default: false }, version } },
      response: { 204: { type: 'null' }, ...problemResponses },
    },
  }, async (request, reply) => {
    await risk.deleteEnterprise(deps, who(requireUser(request, REGISTRARS)), request.params.id, { cascade: request.query.cascade, version: request.query.version ?? null });
    return reply.status(204).send();
  });

  // ---- GB 18218 units of an enterprise ----

  const unitParams = { type: 'object', properties: { id: idParam.properties.id, iid: idParam.properties.id }, required: ['id', 'iid'] } as const;

  app.get<{ Params: { id: number } }>(`${BASE}/enterprises/:id/installations`, {
    schema: { tags, summary: 'The GB 18218 units (生产单元 / 储存单元) of an enterprise with their computation', params: idParam, response: { 200: { type: 'object', properties: { items: { type: 'array', items: installationSchema } } }, ...problemResponses } },
  }, async (request) => ({ items: await installations.listInstallations(deps, requireReader(request).scope, request.params.id) }));

  app.get<{ Params: { id: number; iid: number } }>(`${BASE}/enterprises/:id/installations/:iid`, {
    schema: { tags, summary: 'One GB 18218 unit', params: unitParams, response: { 200: installationSchema, ...problemResponses } },
  }, async (request) => installations.getInstallation(deps, requireReader(request).scope, request.params.id, request.params.iid));

  app.post<{ Params: { id: number }; Body: installations.InstallationInput }>(`${BASE}/enterprises/:id/installations`, {
    schema: {
      tags,
      summary: 'Declare a unit with its hazardous chemicals; answers with S = Σq/Q, R = α·Σβq/Q and the grade (1–4, null when S < 1), term by term',
      params: idParam,
      body: { type: 'object', additionalProperties: false, properties: installationFields, required: ['name', 'kind', 'exposedPopulation', 'chemicals'] },
      response: { 201: installationSchema, ...problemResponses },
    },
  }, async (request, reply) => reply.status(201).send(await installations.createInstallation(deps, who(requireUser(request, REGISTRARS)), request.params.id, request.body)));

  app.put<{ Params: { id: number; iid: number }; Body: installations.InstallationInput & { version: number } }>(`${BASE}/enterprises/:id/installations/:iid`, {
    schema: {
      tags,
      summary: 'Change a unit (fields given replace; chemicals as a whole list) and recompute it; 409 on a stale version',
      params: unitParams,
      body: { type: 'object', additionalProperties: false, properties: { ...installationFields, version }, required: ['version'] },
      response: { 200: installationSchema, ...problemResponses },
    },
  }, async (request) => installations.updateInstallation(deps, who(requireUser(request, REGISTRARS)), request.params.id, request.params.iid, request.body));

  app.delete<{ Params: { id: number; iid: number }; Querystring: { version?: number } }>(`${BASE}/enterprises/:id/installations/:iid`, {
    schema: { tags, summary: 'Delete a unit', params: unitParams, querystring: { type: 'object', additionalProperties: false, properties: { version } }, response: { 204: { type: 'null' }, ...problemResponses } },
  }, async (request, reply) => {
    await installations.deleteInstallation(deps, who(requireUser(request, REGISTRARS)), request.params.id, request.params.iid, request.query.version ?? null);
    return reply.status(204).send();
  });

  // ---- places ----

  type PlaceQuery = Omit<PlaceFilter, 'bbox'> & { bbox?: string };
  app.get<{ Querystring: PlaceQuery }>(`${BASE}/places`, {
    schema: {
      tags,
      summary: 'Small places (九小场所, 出租屋, 自建房…) of the caller\'s region, filtered and paged',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { ...paging, regionCode: regionFilter, kind: { type: 'string', maxLength: 64 }, q: { type: 'string', minLength: 1, maxLength: 100, description: 'part of the name, address or operator' }, bbox: bboxParam },
      },
      response: { 200: page(placeSchema), ...problemResponses },
    },
  }, async (request) => {
    const caller = requireReader(request);
    return risk.listPlaces(deps, caller.scope, { ...request.query, bbox: bboxOf(request.query.bbox) });
  });

  app.get<{ Params: { id: number } }>(`${BASE}/places/:id`, { schema: { tags, summary: 'One place', params: idParam, response: { 200: placeSchema, ...problemResponses } } }, async (request) =>
    risk.getPlace(deps, requireReader(request).scope, request.params.id),
  );

  app.post<{ Body: PlaceInput }>(`${BASE}/places`, {
    schema: {
      tags,
      summary: 'Register a place (grid workers too); the registering user is recorded',
      body: { type: 'object', additionalProperties: false, properties: placeFields, required: ['name', 'kind'] },
      response: { 201: placeSchema, ...problemResponses },
    },
  }, async (request, reply) => reply.status(201).send(await risk.createPlace(deps, who(requireUser(request, PLACE_REGISTRARS)), request.body)));

  app.put<{ Params: { id: number }; Body: PlaceInput & { version: number } }>(`${BASE}/places/:id`, {
    schema: {
      tags,
      summary: 'Change a place: the fields given replace, the others stay; 409 on a stale version',
      params: idParam,
      body: { type: 'object', additionalProperties: false, properties: { ...placeFields, version }, required: ['version'] },
      response: { 200: placeSchema, ...problemResponses },
    },
  }, async (request) => risk.updatePlace(deps, who(requireUser(request, PLACE_REGISTRARS)), request.params.id, request.body));

  app.delete<{ Params: { id: number }; Querystring: { version?: number } }>(`${BASE}/places/:id`, {
    schema: { tags, summary: 'Delete a place', params: idParam, querystring: { type: 'object', additionalProperties: false, properties: { version } }, response: { 204: { type: 'null' }, ...problemResponses } },
  }, async (request, reply) => {
    await risk.deletePlace(deps, who(requireUser(request, PLACE_REGISTRARS)), request.params.id, request.query.version ?? null);
    return reply.status(204).send();
  });

  // ---- the map ----

  app.get<{ Querystring: { regionCode?: string; industry?: string; kind?: string; limit: number } }>(`${BASE}/map`, {
    schema: {
      tags,
      summary: 'Enterprises and places with coordinates, a few fields each, for the map (industry filters enterprises and hides places; kind filters places)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { regionCode: regionFilter, industry: { type: 'string', maxLength: 64 }, kind: { type: 'string', maxLength: 64 }, limit: { type: 'integer', minimum: 1, maximum: 100000, default: 50000 } },
      },
      response: {
        200: {
          type: 'object',
          properties: {
            enterprises: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, industry: { type: 'string' }, lon: { type: 'number' }, lat: { type: 'number' }, regionCode: { type: 'string' }, topGrade: { type: ['integer', 'null'] }, major: { type: 'boolean' } } } },
            places: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, kind: { type: 'string' }, lon: { type: 'number' }, lat: { type: 'number' }, regionCode: { type: 'string' } } } },
            truncated: { type: 'boolean' },
          },
        },
        ...problemResponses,
      },
    },
  }, async (request) => mapFeatures(deps.db, requireReader(request).scope, request.query));

  // ---- spreadsheets ----

  const rowError = { type: 'object', properties: { row: { type: 'integer' }, field: { type: 'string' }, column: { type: 'string' }, message: { type: 'string' } } } as const;
  void app.register(async (scoped) => {
    // The body is the file itself, read as bytes: .xlsx is a zip, and a CSV may be GB18030.
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser(IMPORT_TYPES, { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, body));
    scoped.post<{ Querystring: { kind: 'enterprises' | 'places'; mode: ImportMode; dryRun: boolean }; Body: Buffer }>(`${BASE}/import`, {
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Import enterprises or places from an .xlsx or CSV file (the body); bad rows reported by row, column and reason, good rows stored together',
        description:
          'Columns as in the export (Chinese or English headers; see docs/risk.md). Enterprises are matched by credit code: one that appears twice in the file or is already registered is a row error, ' +
          'unless mode=upsert and it is registered in your region, which updates it (empty cells keep their values). Places: mode=upsert changes the place whose 编号 the row gives. ' +
          'dryRun=true checks without storing. Answers 400 when no row can be imported.',
        consumes: IMPORT_TYPES,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { kind: { type: 'string', enum: ['enterprises', 'places'] }, mode: { type: 'string', enum: ['insert', 'upsert'], default: 'insert' }, dryRun: { type: 'boolean', default: false } },
          required: ['kind'],
        },
        response: {
          200: {
            type: 'object',
            properties: {
              kind: { type: 'string' }, mode: { type: 'string' }, format: { type: 'string' }, dryRun: { type: 'boolean' },
              rows: { type: 'integer' }, inserted: { type: 'integer' }, updated: { type: 'integer' }, unchanged: { type: 'integer' }, rejected: { type: 'integer' },
              errors: { type: 'array', items: rowError }, ignoredColumns: { type: 'array', items: { type: 'string' } },
            },
          },
          ...problemResponses,
        },
      },
    }, async (request) => {
      const caller = requireUser(request, request.query.kind === 'places' ? PLACE_REGISTRARS : REGISTRARS);
      if (!Buffer.isBuffer(request.body) || request.body.length === 0) throw new ValidationError([{ field: 'file', message: 'send the .xlsx or CSV file as the request body' }]);
      return importRegister(deps, who(caller), { kind: request.query.kind, mode: request.query.mode, dryRun: request.query.dryRun, data: request.body });
    });
  });

  for (const format of ['xlsx', 'csv'] as const) {
    app.get<{ Querystring: { kind: 'enterprises' | 'places'; regionCode?: string; industry?: string; placeKind?: string; q?: string } }>(`${BASE}/export.${format}`, {
      schema: {
        tags,
        summary: `Download the enterprises or places of the caller's region as ${format === 'xlsx' ? 'an Excel workbook' : 'CSV (UTF-8 with BOM)'}, in the import's column layout`,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: ['enterprises', 'places'] }, regionCode: regionFilter, industry: { type: 'string', maxLength: 64 }, placeKind: { type: 'string', maxLength: 64 },
            q: { type: 'string', minLength: 1, maxLength: 100 },
          },
          required: ['kind'],
        },
        response: {
          200: {
            description: format === 'xlsx' ? 'sheet 1 the table (header row 1), sheet 说明 the columns' : 'header row then one row per record',
            content: { [format === 'xlsx' ? XLSX_CONTENT_TYPE : 'text/csv']: { schema: { type: 'string', format: 'binary' } } },
          },
          ...problemResponses,
        },
      },
    }, async (request, reply) => {
      const file = await exportRegister(deps, requireReader(request).scope, { format, ...request.query });
      return reply
        .type(file.contentType)
        .header('content-disposition', attachmentDisposition(file.filename, file.asciiFilename))
        .header('cache-control', 'private, no-store')
        .send(file.body);
    });
  }
}
