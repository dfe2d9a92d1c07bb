import type { FastifyInstance } from 'fastify';
import { ForbiddenError, NotFoundError, type Role } from '@anlan/core';
import { requireCaller } from '../../http/guards.ts';
import { problemResponses } from '../../http/schemas.ts';
import { actorOf } from '../../caller.ts';
import * as registry from '../store.ts';
import { parseJsonBatch, parseNdjsonBatch } from './parse.ts';
import { sensorReadings, type IngestDeps, type ReadingIngest, type Resolution } from './service.ts';
import { latestOfPoint, listQuarantine } from './store.ts';

const WRITERS: readonly Role[] = ['admin', 'commander', 'duty'];
const BODY_LIMIT = 16 * 1024 * 1024;
const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl'];
const PURGE_EVERY_MS = 24 * 60 * 60 * 1000;

const rejectedSchema = {
  type: 'object',
  properties: {
    index: { type: 'integer', description: 'array index, or NDJSON line number (from 0)' },
    sensor: { type: ['string', 'null'] },
    reason: {
      type: 'string',
      enum: ['malformed', 'unknown_sensor', 'not_in_scope', 'sensor_disabled', 'invalid_value', 'out_of_range', 'invalid_timestamp', 'future_timestamp', 'too_old', 'duplicate'],
    },
    message: { type: 'string' },
  },
} as const;

const tsQuery = { type: 'string', maxLength: 40, description: 'ISO 8601 with offset' } as const;

export function registerReadingRoutes(app: FastifyInstance, deps: Pick<IngestDeps, 'db' | 'clock' | 'bus'> & { readings: ReadingIngest }): ReadingIngest {
  const ingest = deps.readings;
  const unsubscribe = deps.bus.subscribe((e) => ingest.directory.onEvent(e));
  const purge = () => void ingest.purge().catch((err: unknown) => app.log.error({ err }, 'monitoring readings purge failed'));
  const first = setTimeout(purge, 60_000);
  const daily = setInterval(purge, PURGE_EVERY_MS);
  first.unref();
  daily.unref();
  app.addHook('onClose', async () => {
    clearTimeout(first);
    clearInterval(daily);
    unsubscribe();
  });

  // In its own encapsulated scope: only this route reads NDJSON, and its JSON as text (parsed once, fast).
  void app.register(async (scoped) => {
    scoped.removeContentTypeParser('application/json');
    scoped.addContentTypeParser(['application/json', ...NDJSON_TYPES], { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));

    scoped.post<{ Body: string }>(
      '/api/v1/readings',
      {
        bodyLimit: BODY_LIMIT,
        schema: {
          tags: ['monitoring'],
          summary: 'Receive a batch of sensor readings (API tokens; users admin, commander, duty)',
          description:
            'Body: `[{ "sensor": "<code>", "ts": "<ISO 8601 with offset, or epoch ms>", "value": <number> }, …]` as application/json, or the same ' +
            'objects one a line as application/x-ndjson (a line that is not JSON is rejected alone). Up to 16 MiB. 200 means the accepted ' +
            'readings are committed; each rejected one is listed with its reason and kept in the quarantine.',
          consumes: ['application/json', ...NDJSON_TYPES],
          response: { 200: { type: 'object', properties: { accepted: { type: 'integer' }, rejected: { type: 'array', items: rejectedSchema } } }, ...problemResponses },
        },
      },
      async (request) => {
        const caller = requireCaller(request);
        if (caller.kind === 'user' && !WRITERS.includes(caller.role)) throw new ForbiddenError(`This operation needs the role ${WRITERS.join(' or ')}`);
        const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
        const body = typeof request.body === 'string' ? request.body : '';
        const items = NDJSON_TYPES.includes(type) ? parseNdjsonBatch(body) : parseJsonBatch(body);
        return ingest.ingest({ actor: actorOf(caller), scope: caller.scope }, items);
      },
    );
  });

  app.get<{ Params: { code: string }; Querystring: { from?: string; to?: string; resolution?: Resolution; limit?: number } }>(
    '/api/v1/monitoring/sensors/:code/readings',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Readings of one sensor: raw, or minute / hour rollups (default the last 24 hours; at most 10,000 points)',
        params: { type: 'object', properties: { code: { type: 'string', maxLength: 64 } }, required: ['code'] },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { from: tsQuery, to: tsQuery, resolution: { type: 'string', enum: ['raw', 'minute', 'hour'], default: 'raw' }, limit: { type: 'integer', minimum: 1, maximum: 10000 } },
        },
        response: { 200: { type: 'object', additionalProperties: true }, ...problemResponses },
      },
    },
    async (request) => {
      await ingest.settled({ rollups: request.query.resolution !== undefined && request.query.resolution !== 'raw' });
      return sensorReadings(deps, requireCaller(request).scope, request.params.code, request.query);
    },
  );

  app.get<{ Querystring: { pointId: number } }>(
    '/api/v1/monitoring/latest',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'The latest value of each sensor of a point',
        querystring: { type: 'object', additionalProperties: false, properties: { pointId: { type: 'integer', minimum: 1 } }, required: ['pointId'] },
        response: { 200: { type: 'object', additionalProperties: true }, ...problemResponses },
      },
    },
    async (request) => {
      const scope = requireCaller(request).scope;
      const point = await registry.findPoint(deps.db, scope, request.query.pointId);
      if (!point) throw new NotFoundError(`Monitoring point ${request.query.pointId}`);
      const items = await latestOfPoint(deps.db, point.id);
      // The hot values: monitoring_latest lags behind them by a few seconds under load.
      for (const item of items) {
        const hot = ingest.latestOf(item.sensorId);
        if (hot && (item.ts === null || hot.ts > item.ts.getTime())) {
          item.ts = new Date(hot.ts);
          item.value = hot.value;
        }
      }
      return { pointId: point.id, items };
    },
  );

  app.get<{ Querystring: { limit: number; before?: number } }>(
    '/api/v1/monitoring/quarantine',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Rejected readings, newest first (the region\'s; national users also see those of unknown sensors)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, before: { type: 'integer', minimum: 1, description: 'id cursor: rows older than this one' } },
        },
        response: { 200: { type: 'object', additionalProperties: true }, ...problemResponses },
      },
    },
    async (request) => {
      await ingest.settled();
      return { items: await listQuarantine(deps.db, requireCaller(request).scope, request.query.limit, request.query.before ?? null) };
    },
  );

  return ingest;
}
