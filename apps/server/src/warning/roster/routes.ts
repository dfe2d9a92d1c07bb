/**
 * The roster's HTTP API under /api/v1/warning: responsible persons (责任人), what each answers for
 * (包保 assignments), the chain of superiors, spreadsheet import/export, the chain-levels setting.
 * Routes parse and delegate; the rules are in service.ts, the SQL and the scope in store.ts.
 */
import type { FastifyInstance } from 'fastify';
import { ForbiddenError, ValidationError, type Role } from '@anlan/core';
import { actorOf, type Caller } from '../../caller.ts';
import { requireCaller, requireUser } from '../../http/guards.ts';
import { idParam, problemResponses, regionCodeBody } from '../../http/schemas.ts';
import { XLSX_CONTENT_TYPE, attachmentDisposition } from '../../http/xlsx.ts';
import { exportRoster } from './export.ts';
import { importRoster, type ImportMode } from './import.ts';
import * as roster from './service.ts';
import { villagesOf } from './store.ts';
import { ensureVillages } from './villages.ts';
import { ASSIGNMENT_KIND_KEYS, ROLE_KEYS, VULNERABLE_CATEGORY_KEYS, vocabularyView, type AssignmentKind, type RoleKey, type VulnerableCategory } from './vocabulary.ts';
import type { AssignmentInput, PersonInput } from './validate.ts';

const BASE = '/api/v1/warning';
/** Who keeps the roster. */
const WRITERS: readonly Role[] = ['admin', 'commander', 'duty'];
/** Who reads it: phones of a whole county are not for enterprise users or the responders themselves. */
const READER_ROLES: readonly Role[] = ['admin', 'commander', 'duty', 'inspector'];
const IMPORT_BODY_LIMIT = 30 * 1024 * 1024;
const IMPORT_TYPES = [XLSX_CONTENT_TYPE, 'application/octet-stream', 'text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel'];

const nullableText = (maxLength: number) => ({ type: ['string', 'null'], maxLength }) as const;
const version = { type: 'integer', minimum: 1, description: 'the version you read; a stale one answers 409' } as const;
const regionFilter = { type: 'string', pattern: '^([0-9]{6}|[0-9]{9}|[0-9]{12})$', description: 'only this region and below' } as const;

const bookkeeping = {
  createdAt: { type: 'string', format: 'date-time' },
  createdBy: { type: 'string' },
  updatedAt: { type: 'string', format: 'date-time' },
  updatedBy: { type: 'string' },
  version: { type: 'integer' },
} as const;

const personSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    phone: { type: 'string' },
    email: { type: ['string', 'null'] },
    roles: { type: 'array', items: { type: 'string' } },
    regionCode: { type: 'string' },
    regionName: { type: ['string', 'null'] },
    superiorId: { type: ['integer', 'null'] },
    superiorName: { type: ['string', 'null'] },
    userId: { type: ['integer', 'null'] },
    username: { type: ['string', 'null'] },
    active: { type: 'boolean' },
    notes: { type: ['string', 'null'] },
    assignmentCount: { type: 'integer' },
    people: { type: 'integer', description: 'people to move across the person\'s active assignments' },
    subordinateCount: { type: 'integer' },
    ...bookkeeping,
  },
} as const;

const assignmentSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    personId: { type: 'integer' },
    personName: { type: 'string' },
    personPhone: { type: 'string' },
    kind: { type: 'string' },
    category: { type: ['string', 'null'] },
    name: { type: 'string' },
    regionCode: { type: 'string' },
    regionName: { type: ['string', 'null'] },
    lon: { type: ['number', 'null'] },
    lat: { type: ['number', 'null'] },
    people: { type: 'integer' },
    ref: { type: ['string', 'null'] },
    active: { type: 'boolean' },
    notes: { type: ['string', 'null'] },
    ...bookkeeping,
  },
} as const;

const personFields = {
  name: { type: 'string', minLength: 1, maxLength: 100 },
  phone: { type: 'string', minLength: 1, maxLength: 32, description: 'mainland mobile, 11 digits (spaces, hyphens and +86 are taken off)' },
  email: nullableText(254),
  roles: { type: 'array', minItems: 1, maxItems: 8, uniqueItems: true, items: { type: 'string', enum: [...ROLE_KEYS] }, description: 'see GET /api/v1/warning/roster/vocabulary' },
  regionCode: { ...regionCodeBody, description: 'the county, township or village the person serves; inside the caller\'s region' },
  superiorId: { type: ['integer', 'null'], minimum: 1, description: 'the next person up the escalation chain (village → township → county); in the caller\'s region, no loops' },
  userId: { type: ['integer', 'null'], minimum: 1, description: 'a login account of the caller\'s region, for the mobile page (一键通)' },
  active: { type: 'boolean' },
  notes: nullableText(2000),
} as const;

const assignmentFields = {
  kind: { type: 'string', enum: [...ASSIGNMENT_KIND_KEYS] },
  category: { type: ['string', 'null'], enum: [...VULNERABLE_CATEGORY_KEYS, null], description: 'for kind vulnerable only, and required there' },
  name: { type: 'string', minLength: 1, maxLength: 200 },
  regionCode: { ...regionCodeBody, description: 'the county, township or village it lies in; inside the caller\'s region' },
  lon: { type: ['number', 'null'], minimum: -180, maximum: 180 },
  lat: { type: ['number', 'null'], minimum: -90, maximum: 90 },
  people: { type: 'integer', minimum: 0, maximum: 100000, description: 'people to move when it must be evacuated' },
  ref: { ...nullableText(100), description: 'another record: for kind point, a monitoring point id lends its position when lon/lat are left out' },
  active: { type: 'boolean' },
  notes: nullableText(2000),
} as const;

const page = (item: object, extra: Record<string, object> = {}) =>
  ({ type: 'object', properties: { items: { type: 'array', items: item }, total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' }, ...extra } }) as const;

const paging = { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, offset: { type: 'integer', minimum: 0, default: 0 } } as const;

const personParams = { type: 'object', properties: { id: idParam.properties.id }, required: ['id'] } as const;
const assignmentParams = { type: 'object', properties: { id: idParam.properties.id, aid: idParam.properties.id }, required: ['id', 'aid'] } as const;

const chainSchema = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          level: { type: 'integer' }, id: { type: 'integer' }, name: { type: 'string' }, roles: { type: 'array', items: { type: 'string' } },
          regionCode: { type: 'string' }, regionName: { type: ['string', 'null'] }, active: { type: 'boolean' }, phone: { type: ['string', 'null'] }, inScope: { type: 'boolean' },
        },
      },
    },
  },
} as const;

type PersonQuery = { limit: number; offset: number; regionCode?: string; role?: RoleKey; q?: string; active?: boolean; superiorId?: number };
type AssignmentQuery = { limit: number; offset: number; regionCode?: string; kind?: AssignmentKind; category?: VulnerableCategory; q?: string; active?: boolean };

/** A reader of the roster: a user with a reading role, or an API token (an integration syncing it). */
function requireReader(request: Parameters<typeof requireCaller>[0]): Caller {
  const caller = requireCaller(request);
  if (caller.kind === 'user' && !READER_ROLES.includes(caller.role)) throw new ForbiddenError(`Reading the roster needs the role ${READER_ROLES.join(' or ')}`);
  return caller;
}

export function registerRosterRoutes(app: FastifyInstance, deps: roster.RosterDeps): void {
  const who = (caller: Caller) => ({ actor: actorOf(caller), scope: caller.scope });
  const writer = (request: Parameters<typeof requireCaller>[0]) => who(requireUser(request, WRITERS));

  app.get(
    `${BASE}/roster/vocabulary`,
    { schema: { tags: ['warning'], summary: 'Roles of responsible persons, kinds of assignment and categories of vulnerable persons, with their Chinese and English labels', response: { 200: { type: 'object', additionalProperties: true }, ...problemResponses } } },
    async (request) => {
      requireCaller(request);
      return vocabularyView();
    },
  );

  // ---- persons ----

  app.get<{ Querystring: PersonQuery }>(
    `${BASE}/persons`,
    {
      schema: {
        tags: ['warning'],
        summary: 'Responsible persons (责任人) of the caller\'s region',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...paging, regionCode: regionFilter, role: { type: 'string', enum: [...ROLE_KEYS] }, q: { type: 'string', minLength: 1, maxLength: 100, description: 'part of the name or the phone' },
            active: { type: 'boolean' }, superiorId: { type: 'integer', minimum: 1, description: 'only the persons directly below this one' },
          },
        },
        response: { 200: page(personSchema), ...problemResponses },
      },
    },
    async (request) => roster.listPersons(deps, requireReader(request).scope, request.query),
  );

  app.get<{ Params: { id: number } }>(
    `${BASE}/persons/:id`,
    { schema: { tags: ['warning'], summary: 'One responsible person', params: personParams, response: { 200: personSchema, ...problemResponses } } },
    async (request) => roster.getPerson(deps, requireReader(request).scope, request.params.id),
  );

  app.post<{ Body: PersonInput }>(
    `${BASE}/persons`,
    {
      schema: {
        tags: ['warning'],
        summary: 'Add a responsible person (admin, commander, duty)',
        body: { type: 'object', additionalProperties: false, properties: personFields, required: ['name', 'phone', 'roles', 'regionCode'] },
        response: { 201: personSchema, ...problemResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await roster.createPerson(deps, writer(request), request.body)),
  );

  app.put<{ Params: { id: number }; Body: PersonInput & { version: number } }>(
    `${BASE}/persons/:id`,
    {
      schema: {
        tags: ['warning'],
        summary: 'Change a responsible person: the fields given replace, the others stay; version is the one read (409 when stale)',
        params: personParams,
        body: { type: 'object', additionalProperties: false, properties: { ...personFields, version }, required: ['version'] },
        response: { 200: personSchema, ...problemResponses },
      },
    },
    async (request) => roster.updatePerson(deps, writer(request), request.params.id, request.body),
  );

  app.delete<{ Params: { id: number }; Querystring: { version?: number } }>(
    `${BASE}/persons/:id`,
    {
      schema: {
        tags: ['warning'],
        summary: 'Delete a responsible person and their assignments; 409 while others have them as superior or once a warning reached them (deactivate instead)',
        params: personParams,
        querystring: { type: 'object', additionalProperties: false, properties: { version } },
        response: { 204: { type: 'null' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      await roster.deletePerson(deps, writer(request), request.params.id, request.query.version ?? null);
      return reply.status(204).send();
    },
  );

  app.get<{ Params: { id: number } }>(
    `${BASE}/persons/:id/chain`,
    {
      schema: {
        tags: ['warning'],
        summary: 'The escalation chain upwards: the person (level 0), their superior (1), and so on; persons above the caller\'s region without their phone',
        params: personParams,
        response: { 200: chainSchema, ...problemResponses },
      },
    },
    async (request) => ({ items: await roster.chainOf(deps, requireReader(request).scope, request.params.id) }),
  );

  // ---- assignments ----

  const assignmentQuery = {
    ...paging, regionCode: regionFilter, kind: { type: 'string', enum: [...ASSIGNMENT_KIND_KEYS] }, category: { type: 'string', enum: [...VULNERABLE_CATEGORY_KEYS] },
    q: { type: 'string', minLength: 1, maxLength: 100, description: 'part of its name, or of the person\'s name or phone' }, active: { type: 'boolean' },
  } as const;

  app.get<{ Params: { id: number }; Querystring: AssignmentQuery }>(
    `${BASE}/persons/:id/assignments`,
    {
      schema: {
        tags: ['warning'],
        summary: 'What a person answers for (包保)',
        params: personParams,
        querystring: { type: 'object', additionalProperties: false, properties: assignmentQuery },
        response: { 200: page(assignmentSchema), ...problemResponses },
      },
    },
    async (request) => roster.listAssignments(deps, requireReader(request).scope, { ...request.query, personId: request.params.id }),
  );

  app.get<{ Querystring: AssignmentQuery }>(
    `${BASE}/assignments`,
    {
      schema: {
        tags: ['warning'],
        summary: 'Assignments (包保对象) across the persons of the caller\'s region',
        querystring: { type: 'object', additionalProperties: false, properties: assignmentQuery },
        response: { 200: page(assignmentSchema), ...problemResponses },
      },
    },
    async (request) => roster.listAssignments(deps, requireReader(request).scope, request.query),
  );

  app.post<{ Params: { id: number }; Body: AssignmentInput }>(
    `${BASE}/persons/:id/assignments`,
    {
      schema: {
        tags: ['warning'],
        summary: 'Give a person something to answer for (admin, commander, duty)',
        params: personParams,
        body: { type: 'object', additionalProperties: false, properties: assignmentFields, required: ['kind', 'name', 'regionCode'] },
        response: { 201: assignmentSchema, ...problemResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await roster.createAssignment(deps, writer(request), request.params.id, request.body)),
  );

  app.put<{ Params: { id: number; aid: number }; Body: AssignmentInput & { version: number } }>(
    `${BASE}/persons/:id/assignments/:aid`,
    {
      schema: {
        tags: ['warning'],
        summary: 'Change an assignment: the fields given replace, the others stay; 409 on a stale version',
        params: assignmentParams,
        body: { type: 'object', additionalProperties: false, properties: { ...assignmentFields, version }, required: ['version'] },
        response: { 200: assignmentSchema, ...problemResponses },
      },
    },
    async (request) => roster.updateAssignment(deps, writer(request), request.params.id, request.params.aid, request.body),
  );

  app.delete<{ Params: { id: number; aid: number }; Querystring: { version?: number } }>(
    `${BASE}/persons/:id/assignments/:aid`,
    {
      schema: {
        tags: ['warning'],
        summary: 'Delete an assignment',
        params: assignmentParams,
        querystring: { type: 'object', additionalProperties: false, properties: { version } },
        response: { 204: { type: 'null' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      await roster.deleteAssignment(deps, writer(request), request.params.id, request.params.aid, request.query.version ?? null);
      return reply.status(204).send();
    },
  );

  // ---- villages, settings ----

  app.get<{ Params: { code: string } }>(
    `${BASE}/roster/regions/:code/villages`,
    {
      schema: {
        tags: ['warning'],
        summary: 'The villages (村/社区) of a township of the caller\'s region, loaded into the region tree on first use',
        params: { type: 'object', properties: { code: { type: 'string', pattern: '^[0-9]{9}$' } }, required: ['code'] },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' } } } } } }, ...problemResponses },
      },
    },
    async (request) => {
      const { scope } = requireReader(request);
      await ensureVillages(deps.db, [request.params.code]);
      return { items: await villagesOf(deps.db, scope, request.params.code) };
    },
  );

  const settingsSchema = { type: 'object', properties: { chainLevels: { type: 'integer', description: 'levels of superiors above each directly reached person that a warning also informs' } } } as const;
  app.get(
    `${BASE}/roster/settings`,
    { schema: { tags: ['warning'], summary: 'Roster settings used by recipient resolution', response: { 200: settingsSchema, ...problemResponses } } },
    async (request) => {
      requireReader(request);
      return { chainLevels: await roster.chainLevels(deps.db) };
    },
  );
  app.put<{ Body: { chainLevels: number } }>(
    `${BASE}/roster/settings`,
    {
      schema: {
        tags: ['warning'],
        summary: 'Change the roster settings (administrators)',
        body: { type: 'object', additionalProperties: false, properties: { chainLevels: { type: 'integer', minimum: 0, maximum: roster.MAX_CHAIN_LEVELS } }, required: ['chainLevels'] },
        response: { 200: settingsSchema, ...problemResponses },
      },
    },
    async (request) => ({ chainLevels: await roster.setChainLevels(deps, who(requireUser(request, ['admin'])), request.body.chainLevels) }),
  );

  // ---- spreadsheets ----

  const rowError = { type: 'object', properties: { sheet: { type: 'string' }, row: { type: 'integer' }, field: { type: 'string' }, column: { type: 'string' }, message: { type: 'string' } } } as const;
  const sheetReport = {
    type: 'object',
    properties: {
      kind: { type: 'string' }, sheet: { type: 'string' }, rows: { type: 'integer' }, inserted: { type: 'integer' }, updated: { type: 'integer' }, unchanged: { type: 'integer' },
      rejected: { type: 'integer' }, ignoredColumns: { type: 'array', items: { type: 'string' } },
    },
  } as const;
  void app.register(async (scoped) => {
    // The body is the file itself, read as bytes: .xlsx is a zip, and a CSV may be GB18030.
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser(IMPORT_TYPES, { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, body));
    scoped.post<{ Querystring: { mode: ImportMode; dryRun: boolean; kind?: 'persons' | 'assignments' }; Body: Buffer }>(
      `${BASE}/roster/import`,
      {
        bodyLimit: IMPORT_BODY_LIMIT,
        schema: {
          tags: ['warning'],
          summary: 'Import the roster from an .xlsx workbook (sheets 责任人 and 包保对象) or a CSV file (one of them); bad rows reported by sheet, row, column and reason, good rows stored together',
          description:
            'Columns as in the export (Chinese or English headers; see docs/warning.md). Superiors and the persons of assignments are named by phone: rows of the same file in any order, ' +
            'or persons on the roster. mode=insert adds only; mode=upsert also changes persons by phone and assignments by 编号, empty cells keeping their values. dryRun=true checks without storing. ' +
            'kind tells a CSV\'s table when its headers do not. Answers 400 when no row can be imported.',
          consumes: IMPORT_TYPES,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { mode: { type: 'string', enum: ['insert', 'upsert'], default: 'insert' }, dryRun: { type: 'boolean', default: false }, kind: { type: 'string', enum: ['persons', 'assignments'] } },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                format: { type: 'string' }, mode: { type: 'string' }, dryRun: { type: 'boolean' }, sheets: { type: 'array', items: sheetReport },
                ignoredSheets: { type: 'array', items: { type: 'string' } }, errors: { type: 'array', items: rowError }, errorCount: { type: 'integer' },
              },
            },
            ...problemResponses,
          },
        },
      },
      async (request) => {
        const caller = requireUser(request, WRITERS);
        if (!Buffer.isBuffer(request.body) || request.body.length === 0) throw new ValidationError([{ field: 'file', message: 'send the .xlsx or CSV file as the request body' }]);
        return importRoster(deps, who(caller), { mode: request.query.mode, dryRun: request.query.dryRun, kind: request.query.kind, data: request.body });
      },
    );
  });

  for (const format of ['xlsx', 'csv'] as const) {
    app.get<{ Querystring: { kind?: 'persons' | 'assignments'; regionCode?: string } }>(
      `${BASE}/roster/export.${format}`,
      {
        schema: {
          tags: ['warning'],
          summary: format === 'xlsx' ? 'Download the roster as an Excel workbook in the import\'s layout (sheets 责任人, 包保对象, 说明)' : 'Download the persons or the assignments as CSV (UTF-8 with BOM) in the import\'s layout',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { regionCode: regionFilter, ...(format === 'csv' ? { kind: { type: 'string', enum: ['persons', 'assignments'], default: 'persons' } } : {}) },
          },
          response: {
            200: { description: 'the file', content: { [format === 'xlsx' ? XLSX_CONTENT_TYPE : 'text/csv']: { schema: { type: 'string', format: 'binary' } } } },
            ...problemResponses,
          },
        },
      },
      async (request, reply) => {
        const file = await exportRoster(deps, requireReader(request).scope, { format, kind: request.query.kind, regionCode: request.query.regionCode });
        return reply.type(file.contentType).header('content-disposition', attachmentDisposition(file.filename, file.asciiFilename)).header('cache-control', 'private, no-store').send(file.body);
      },
    );
  }
}
