import type { FastifyInstance } from 'fastify';
import type { Role } from '@anlan/core';
import type { Database } from '@anlan/db';
import type { Clock } from '@anlan/core';
import { requireCaller, requireUser } from '../../http/guards.ts';
import { idParam, problemResponses } from '../../http/schemas.ts';
import { actorOf } from '../../caller.ts';
import { LEVELS, sensorType } from '../catalogue.ts';
import { OFFLINE_INTERVALS } from '../rules/defaults.ts';
import type { AlarmService } from './service.ts';
import * as store from './store.ts';

const ACTORS: readonly Role[] = ['admin', 'commander', 'duty'];
const BASE = '/api/v1/monitoring';
const regionCodeQuery = { type: 'string', pattern: '^([0-9]{6}|[0-9]{9}|[0-9]{12})$', description: 'this region and below' } as const;
const nullableString = { type: ['string', 'null'] } as const;
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;

const alarmProperties = {
  id: { type: 'integer' },
  ruleId: { type: 'string' },
  ruleVersion: { type: 'integer' },
  ruleKind: { type: 'string' },
  ruleName: nullableString,
  scope: { type: 'string', enum: ['sensor', 'point', 'area'] },
  subject: { type: 'string', description: 'the sensor code, point id or county code the alarm is about' },
  sensorId: { type: ['integer', 'null'] },
  sensorCode: nullableString,
  pointId: { type: ['integer', 'null'] },
  pointName: nullableString,
  regionCode: { type: 'string' },
  regionName: nullableString,
  level: { type: 'string', enum: [...LEVELS] },
  maxLevel: { type: 'string', enum: [...LEVELS] },
  state: { type: 'string', enum: ['raised', 'acknowledged', 'handled', 'cleared'] },
  value: { type: ['number', 'null'] },
  message: { type: 'string' },
  observedAt: nullableTime,
  raisedAt: { type: 'string', format: 'date-time' },
  updatedAt: { type: 'string', format: 'date-time' },
  acknowledgedAt: nullableTime,
  acknowledgedBy: nullableString,
  handledAt: nullableTime,
  handledBy: nullableString,
  handleNote: nullableString,
  clearedAt: nullableTime,
  clearedBy: nullableString,
  clearReason: { type: ['string', 'null'], enum: ['recovered', 'manual', 'rule_changed', 'rule_removed', 'sensor_unbound', null] },
} as const;

const alarmSchema = { type: 'object', properties: alarmProperties } as const;

const eventSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    kind: { type: 'string', enum: ['raised', 'level_changed', 'acknowledged', 'handled', 'cleared'] },
    level: nullableString,
    previousLevel: nullableString,
    value: { type: ['number', 'null'] },
    message: nullableString,
    by: nullableString,
    note: nullableString,
  },
} as const;

const counts = { sensors: { type: 'integer' }, online: { type: 'integer' }, offline: { type: 'integer' }, noData: { type: 'integer' } } as const;

export interface AlarmRouteDeps {
  db: Database;
  clock: Clock;
  alarms: AlarmService;
  /** The map and the status read monitoring_latest, which trails the hot latest values. */
  readings?: { syncLatest(): Promise<void> };
}

export function registerAlarmRoutes(app: FastifyInstance, deps: AlarmRouteDeps): void {
  const who = (c: ReturnType<typeof requireUser>) => ({ actor: actorOf(c), scope: c.scope });

  app.get<{ Querystring: store.AlarmFilter }>(
    `${BASE}/alarms`,
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Alarms of the caller\'s region, newest first; state=open is every state but cleared',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'string', enum: ['open', 'raised', 'acknowledged', 'handled', 'cleared'] },
            level: { type: 'string', enum: [...LEVELS] },
            regionCode: regionCodeQuery,
            pointId: { type: 'integer', minimum: 1 },
            sensor: { type: 'string', maxLength: 64 },
            ruleId: { type: 'string', maxLength: 200 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            before: { type: 'integer', minimum: 1, description: 'id cursor: alarms older than this one' },
          },
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: alarmSchema } } }, ...problemResponses },
      },
    },
    async (request) => ({ items: await deps.alarms.list(requireCaller(request).scope, request.query) }),
  );

  app.get<{ Params: { id: number } }>(
    `${BASE}/alarms/:id`,
    {
      schema: {
        tags: ['monitoring'],
        summary: 'One alarm with every step of it',
        params: idParam,
        response: { 200: { type: 'object', properties: { ...alarmProperties, events: { type: 'array', items: eventSchema } } }, ...problemResponses },
      },
    },
    async (request) => deps.alarms.get(requireCaller(request).scope, request.params.id),
  );

  // An optional note may come with no body at all.
  const note = (maxLength: number, required: boolean) =>
    ({
      type: required ? 'object' : ['object', 'null'],
      additionalProperties: false,
      properties: { note: { type: 'string', maxLength, ...(required ? { minLength: 1 } : {}) } },
      ...(required ? { required: ['note'] } : {}),
    }) as const;

  app.post<{ Params: { id: number }; Body: { note?: string } | undefined }>(
    `${BASE}/alarms/:id/ack`,
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Acknowledge an alarm (admin, commander, duty); a cleared alarm nobody acknowledged may still be; 409 when already acknowledged',
        params: idParam,
        body: note(2000, false),
        response: { 200: alarmSchema, ...problemResponses },
      },
    },
    async (request) => deps.alarms.acknowledge(who(requireUser(request, ACTORS)), request.params.id, request.body?.note ?? null),
  );

  app.post<{ Params: { id: number }; Body: { note: string } }>(
    `${BASE}/alarms/:id/handle`,
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Record what was done (处置情况) (admin, commander, duty); also acknowledges; 409 for a cleared or handled alarm',
        params: idParam,
        body: note(4000, true),
        response: { 200: alarmSchema, ...problemResponses },
      },
    },
    async (request) => deps.alarms.handle(who(requireUser(request, ACTORS)), request.params.id, request.body.note),
  );

  app.post<{ Params: { id: number }; Body: { note?: string } | undefined }>(
    `${BASE}/alarms/:id/clear`,
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Clear an alarm by hand (admin, commander, duty); 409 when already cleared. While its condition lasts it is not raised again unless the level rises',
        params: idParam,
        body: note(2000, false),
        response: { 200: alarmSchema, ...problemResponses },
      },
    },
    async (request) => deps.alarms.clear(who(requireUser(request, ACTORS)), request.params.id, request.body?.note ?? null),
  );

  app.get<{ Querystring: { type?: string; regionCode?: string } }>(
    `${BASE}/overview`,
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Every monitoring point of the caller\'s region with its state, for the map: the highest open alarm level, else offline, no_data or normal',
        description:
          'state: red/orange/yellow/blue — the highest level among the point\'s open alarms (offline alarms excepted); offline — none of its enabled sensors ' +
          `reported within ${OFFLINE_INTERVALS} sampling intervals, though one has reported before; no_data — none ever reported (or it has no sensors); else normal.`,
        querystring: { type: 'object', additionalProperties: false, properties: { type: { type: 'string', maxLength: 64 }, regionCode: regionCodeQuery } },
        response: {
          200: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'integer' },
                    name: { type: 'string' },
                    type: { type: 'string' },
                    regionCode: { type: 'string' },
                    lon: { type: 'number' },
                    lat: { type: 'number' },
                    state: { type: 'string', enum: ['normal', ...LEVELS, 'offline', 'no_data'] },
                    sensors: { type: 'integer' },
                    openAlarms: { type: 'integer' },
                  },
                },
              },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      await deps.readings?.syncLatest();
      const json = await store.overviewJson(deps.db, requireCaller(request).scope, request.query, deps.clock.now().getTime(), OFFLINE_INTERVALS);
      // Written by the database in the documented shape; serialising it again would only cost.
      return reply.type('application/json; charset=utf-8').send(json);
    },
  );

  app.get<{ Querystring: { regionCode?: string } }>(
    `${BASE}/status`,
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Enabled sensors online, offline and never reported, by region one level below the scope (county users: townships) and by sensor type',
        querystring: { type: 'object', additionalProperties: false, properties: { regionCode: regionCodeQuery } },
        response: {
          200: {
            type: 'object',
            properties: {
              byRegion: { type: 'array', items: { type: 'object', properties: { regionCode: { type: 'string' }, regionName: nullableString, ...counts } } },
              byType: { type: 'array', items: { type: 'object', properties: { type: { type: 'string' }, typeName: { type: 'string' }, ...counts } } },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const scope = requireCaller(request).scope;
      const regionCode = request.query.regionCode && request.query.regionCode.startsWith(scope.prefix) ? request.query.regionCode : undefined;
      await deps.readings?.syncLatest();
      const s = await store.status(deps.db, scope, regionCode, deps.clock.now().getTime(), OFFLINE_INTERVALS);
      return { byRegion: s.byRegion, byType: s.byType.map((t) => ({ ...t, typeName: sensorType(t.type)?.name ?? t.type })) };
    },
  );
}
