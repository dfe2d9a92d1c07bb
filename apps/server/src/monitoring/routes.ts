import type { FastifyInstance } from 'fastify';
import { ValidationError, type Role } from '@anlan/core';
import { requireCaller, requireUser } from '../http/guards.ts';
import { idParam, problemResponses, regionCodeBody } from '../http/schemas.ts';
import { XLSX_CONTENT_TYPE, attachmentDisposition } from '../http/xlsx.ts';
import { actorOf } from '../caller.ts';
import { LEVELS, POINT_TYPE_KEYS, SENSOR_TYPE_KEYS, WATCHES_KIND_KEYS, catalogueView } from './catalogue.ts';
import { exportRegistry } from './export.ts';
import { importRegistry, type ImportMode } from './import.ts';
import * as monitoring from './service.ts';
import type { ListFilter } from './store.ts';
import type { PointInput, SensorInput } from './validate.ts';

const WRITERS: readonly Role[] = ['admin', 'commander', 'duty'];
const BASE = '/api/v1/monitoring';
const IMPORT_BODY_LIMIT = 20 * 1024 * 1024;
const IMPORT_TYPES = [XLSX_CONTENT_TYPE, 'application/octet-stream', 'text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel'];

const level = { type: 'number' } as const;
const levels = Object.fromEntries(LEVELS.map((l) => [l, level])) as Record<(typeof LEVELS)[number], typeof level>;
const nullableText = (maxLength: number) => ({ type: ['string', 'null'], maxLength }) as const;

const thresholdsSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'direction "above": alarming when the value rises to a level (blue < yellow < orange < red); "below": when it falls to it (blue > … > red). Levels are optional.',
  properties: { direction: { type: 'string', enum: ['above', 'below'] }, ...levels },
  required: ['direction'],
} as const;

const accumulationSchema = {
  type: ['array', 'null'],
  maxItems: 8,
  description: 'Thresholds on the sum of the readings over sliding windows (rainfall): [{windowSec: 3600, blue: 20}, …]',
  items: { type: 'object', additionalProperties: false, properties: { windowSec: { type: 'integer' }, ...levels }, required: ['windowSec'] },
} as const;

const bookkeeping = {
  createdAt: { type: 'string', format: 'date-time' },
  createdBy: { type: 'string' },
  updatedAt: { type: 'string', format: 'date-time' },
  updatedBy: { type: 'string' },
  version: { type: 'integer' },
} as const;

const pointSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    type: { type: 'string' },
    typeName: { type: 'string' },
    regionCode: { type: 'string' },
    regionName: { type: ['string', 'null'] },
    lon: { type: 'number' },
    lat: { type: 'number' },
    ownerUnit: { type: ['string', 'null'] },
    watchesKind: { type: ['string', 'null'] },
    watchesRef: { type: ['string', 'null'] },
    watchesName: { type: ['string', 'null'] },
    notes: { type: ['string', 'null'] },
    sensorCount: { type: 'integer' },
    ...bookkeeping,
  },
} as const;

const sensorSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    code: { type: 'string' },
    pointId: { type: 'integer' },
    pointName: { type: 'string' },
    regionCode: { type: 'string', description: 'the region of the sensor\'s point' },
    regionName: { type: ['string', 'null'] },
    type: { type: 'string' },
    typeName: { type: 'string' },
    quantity: { type: 'string' },
    unit: { type: 'string' },
    unitOverride: { type: 'boolean' },
    samplingIntervalSec: { type: 'integer' },
    rangeMin: { type: ['number', 'null'] },
    rangeMax: { type: ['number', 'null'] },
    thresholds: { type: 'object', properties: { direction: { type: 'string' }, ...levels } },
    accumulation: { type: ['array', 'null'], items: { type: 'object', properties: { windowSec: { type: 'integer' }, ...levels } } },
    enabled: { type: 'boolean' },
    notes: { type: ['string', 'null'] },
    ...bookkeeping,
  },
} as const;

const pointFields = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  type: { type: 'string', enum: [...POINT_TYPE_KEYS], description: 'point type key, see GET /api/v1/monitoring/types' },
  regionCode: { ...regionCodeBody, description: 'county or township (GB/T 2260) the point lies in; inside the caller\'s region' },
  lon: { type: 'number', minimum: -180, maximum: 180 },
  lat: { type: 'number', minimum: -90, maximum: 90 },
  ownerUnit: nullableText(200),
  watchesKind: { type: ['string', 'null'], enum: [...WATCHES_KIND_KEYS, null] },
  watchesRef: nullableText(100),
  watchesName: nullableText(200),
  notes: nullableText(2000),
} as const;

const sensorFields = {
  code: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'chosen by the bureau, unique (letter case ignored), e.g. LD-RAIN-001' },
  pointId: { type: 'integer', minimum: 1 },
  type: { type: 'string', enum: [...SENSOR_TYPE_KEYS], description: 'sensor type key; may be left out when the quantity names one type' },
  quantity: { type: 'string', minLength: 1, maxLength: 64 },
  unit: { type: 'string', minLength: 1, maxLength: 32 },
  unitOverride: { type: 'boolean', description: 'true to register a quantity or unit other than the type\'s on purpose' },
  samplingIntervalSec: { type: 'integer', minimum: 1, maximum: 86400 },
  rangeMin: { type: ['number', 'null'] },
  rangeMax: { type: ['number', 'null'] },
  thresholds: thresholdsSchema,
  accumulation: accumulationSchema,
  enabled: { type: 'boolean' },
  notes: nullableText(2000),
} as const;

const version = { type: 'integer', minimum: 1, description: 'the version you read; a stale one answers 409' } as const;

const listQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  offset: { type: 'integer', minimum: 0, default: 0 },
  type: { type: 'string', maxLength: 64 },
  regionCode: { type: 'string', pattern: '^([0-9]{6}|[0-9]{9}|[0-9]{12})$', description: 'only this region and below' },
  q: { type: 'string', minLength: 1, maxLength: 100 },
  bbox: { type: 'string', pattern: '^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$', description: 'minLon,minLat,maxLon,maxLat (WGS84)' },
} as const;

type ListQuery = { limit: number; offset: number; type?: string; regionCode?: string; q?: string; bbox?: string; pointId?: number; enabled?: boolean };

function filterOf(query: ListQuery): ListFilter {
  let bbox: ListFilter['bbox'];
  if (query.bbox) {
    const [a, b, c, d] = query.bbox.split(',').map(Number);
    if (![a, b, c, d].every(Number.isFinite) || a > c || b > d) throw new ValidationError([{ field: 'bbox', message: 'must be minLon,minLat,maxLon,maxLat with min ≤ max' }]);
    bbox = [a, b, c, d];
  }
  return { limit: query.limit, offset: query.offset, type: query.type, regionCode: query.regionCode, q: query.q, bbox, pointId: query.pointId, enabled: query.enabled };
}

const page = (item: object) => ({ type: 'object', properties: { items: { type: 'array', items: item }, total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } } }) as const;

const deleteQuery = { type: 'object', additionalProperties: false, properties: { version } } as const;

export function registerMonitoringRoutes(app: FastifyInstance, deps: monitoring.MonitoringDeps): void {
  const who = (caller: ReturnType<typeof requireUser>) => ({ actor: actorOf(caller), scope: caller.scope });

  app.get(
    `${BASE}/types`,
    {
      schema: {
        tags: ['monitoring'],
        summary: 'The catalogue: point types, sensor types with quantity, unit, sampling interval, range, default thresholds and their sources',
        response: { 200: { type: 'object', additionalProperties: true }, ...problemResponses },
      },
    },
    async (request) => {
      requireCaller(request);
      return catalogueView();
    },
  );

  // ---- points ----

  app.get<{ Querystring: ListQuery }>(
    `${BASE}/points`,
    { schema: { tags: ['monitoring'], summary: 'Monitoring points of the caller\'s region', querystring: { type: 'object', additionalProperties: false, properties: listQuery }, response: { 200: page(pointSchema), ...problemResponses } } },
    async (request) => monitoring.listPoints(deps, requireCaller(request).scope, filterOf(request.query)),
  );

  app.get<{ Params: { id: number } }>(
    `${BASE}/points/:id`,
    { schema: { tags: ['monitoring'], summary: 'One monitoring point', params: idParam, response: { 200: pointSchema, ...problemResponses } } },
    async (request) => monitoring.getPoint(deps, requireCaller(request).scope, request.params.id),
  );

  app.post<{ Body: PointInput }>(
    `${BASE}/points`,
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Register a monitoring point (admin, commander, duty)',
        body: { type: 'object', additionalProperties: false, properties: pointFields, required: ['name', 'type', 'regionCode', 'lon', 'lat'] },
        response: { 201: pointSchema, ...problemResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await monitoring.createPoint(deps, who(requireUser(request, WRITERS)), request.body)),
  );

  app.put<{ Params: { id: number }; Body: PointInput & { version: number } }>(
    `${BASE}/points/:id`,
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Change a monitoring point: the fields given replace, the others stay; version is the one read (409 when stale)',
        params: idParam,
        body: { type: 'object', additionalProperties: false, properties: { ...pointFields, version }, required: ['version'] },
        response: { 200: pointSchema, ...problemResponses },
      },
    },
    async (request) => monitoring.updatePoint(deps, who(requireUser(request, WRITERS)), request.params.id, request.body),
  );

  app.delete<{ Params: { id: number }; Querystring: { cascade?: boolean; version?: number } }>(
    `${BASE}/points/:id`,
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Delete a monitoring point; one with sensors answers 409 unless ?cascade=true, which deletes its sensors too',
        params: idParam,
        querystring: { type: 'object', additionalProperties: false, properties: { cascade: { type: 'boolean', default: false }, version } },
        response: { 204: { type: 'null' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      await monitoring.deletePoint(deps, who(requireUser(request, WRITERS)), request.params.id, { cascade: request.query.cascade ?? false, version: request.query.version ?? null });
      return reply.status(204).send();
    },
  );

  // ---- sensors ----

  app.get<{ Querystring: ListQuery }>(
    `${BASE}/sensors`,
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Sensors of the caller\'s region (a sensor is where its point is)',
        querystring: { type: 'object', additionalProperties: false, properties: { ...listQuery, pointId: { type: 'integer', minimum: 1 }, enabled: { type: 'boolean' } } },
        response: { 200: page(sensorSchema), ...problemResponses },
      },
    },
    async (request) => monitoring.listSensors(deps, requireCaller(request).scope, filterOf(request.query)),
  );

  app.get<{ Params: { id: number } }>(
    `${BASE}/sensors/:id`,
    { schema: { tags: ['monitoring'], summary: 'One sensor', params: idParam, response: { 200: sensorSchema, ...problemResponses } } },
    async (request) => monitoring.getSensor(deps, requireCaller(request).scope, request.params.id),
  );

  app.post<{ Body: SensorInput }>(
    `${BASE}/sensors`,
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Register a sensor on a point (admin, commander, duty); what is left out comes from the type\'s catalogue entry',
        body: { type: 'object', additionalProperties: false, properties: sensorFields, required: ['code', 'pointId'] },
        response: { 201: sensorSchema, ...problemResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await monitoring.createSensor(deps, who(requireUser(request, WRITERS)), request.body)),
  );

  app.put<{ Params: { id: number }; Body: SensorInput & { version: number } }>(
    `${BASE}/sensors/:id`,
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Change a sensor: the fields given replace, the others stay (a new type brings its defaults); 409 on a stale version',
        params: idParam,
        body: { type: 'object', additionalProperties: false, properties: { ...sensorFields, version }, required: ['version'] },
        response: { 200: sensorSchema, ...problemResponses },
      },
    },
    async (request) => monitoring.updateSensor(deps, who(requireUser(request, WRITERS)), request.params.id, request.body),
  );

  app.delete<{ Params: { id: number }; Querystring: { version?: number } }>(
    `${BASE}/sensors/:id`,
    { schema: { tags: ['monitoring'], summary: 'Delete a sensor', params: idParam, querystring: deleteQuery, response: { 204: { type: 'null' }, ...problemResponses } } },
    async (request, reply) => {
      await monitoring.deleteSensor(deps, who(requireUser(request, WRITERS)), request.params.id, request.query.version ?? null);
      return reply.status(204).send();
    },
  );

  // ---- spreadsheets ----

  const rowError = { type: 'object', properties: { row: { type: 'integer' }, field: { type: 'string' }, column: { type: 'string' }, message: { type: 'string' } } } as const;
  void app.register(async (scoped) => {
    // The body is the file itself, read as bytes: .xlsx is a zip, and a CSV may be GB18030.
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser(IMPORT_TYPES, { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, body));
    scoped.post<{ Querystring: { kind: 'points' | 'sensors'; mode: ImportMode; dryRun: boolean }; Body: Buffer }>(
      `${BASE}/import`,
      {
        bodyLimit: IMPORT_BODY_LIMIT,
        schema: {
          tags: ['monitoring'],
          summary: 'Import points or sensors from an .xlsx or CSV file (the body); bad rows are reported by row number, good rows stored together',
          description:
            'Columns as in the export (Chinese or English headers; see docs/monitoring.md). mode=insert adds only (an existing code or 编号 is a row error); ' +
            'mode=upsert also changes existing sensors (by code) and points (by 编号), empty cells keeping their values. dryRun=true checks without storing. ' +
            'Answers 400 when no row can be imported.',
          consumes: IMPORT_TYPES,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { kind: { type: 'string', enum: ['points', 'sensors'] }, mode: { type: 'string', enum: ['insert', 'upsert'], default: 'insert' }, dryRun: { type: 'boolean', default: false } },
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
      },
      async (request) => {
        const caller = requireUser(request, WRITERS);
        if (!Buffer.isBuffer(request.body) || request.body.length === 0) throw new ValidationError([{ field: 'file', message: 'send the .xlsx or CSV file as the request body' }]);
        return importRegistry(deps, who(caller), { kind: request.query.kind, mode: request.query.mode, dryRun: request.query.dryRun, data: request.body });
      },
    );
  });

  for (const format of ['xlsx', 'csv'] as const) {
    app.get<{ Querystring: { kind: 'points' | 'sensors'; type?: string; regionCode?: string } }>(
      `${BASE}/export.${format}`,
      {
        schema: {
          tags: ['monitoring'],
          summary: `Download the points or sensors of the caller's region as ${format === 'xlsx' ? 'an Excel workbook' : 'CSV (UTF-8 with BOM)'}, in the import's column layout`,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { kind: { type: 'string', enum: ['points', 'sensors'] }, type: listQuery.type, regionCode: listQuery.regionCode },
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
      },
      async (request, reply) => {
        const file = await exportRegistry(deps, requireCaller(request).scope, { format, ...request.query });
        return reply
          .type(file.contentType)
          .header('content-disposition', attachmentDisposition(file.filename, file.asciiFilename))
          .header('cache-control', 'private, no-store')
          .send(file.body);
      },
    );
  }
}
