import type { FastifyInstance } from 'fastify';
import type { Database } from '@anlan/db';
import type { Registry } from 'prom-client';
import { problemResponses } from '../http/schemas.ts';
import { getBoundarySource } from '../regions/service.ts';
import { readSetting } from './settings.ts';

export function registerSystemRoutes(app: FastifyInstance, deps: { db: Database; version: string; metrics: Registry }): void {
  app.get(
    '/api/v1/health',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness and database kind',
        response: {
          200: { type: 'object', properties: { status: { type: 'string' }, database: { type: 'string', enum: ['embedded', 'postgres'] }, version: { type: 'string' } } },
          ...problemResponses,
        },
      },
    },
    async () => {
      await deps.db.query('SELECT 1');
      return { status: 'ok', database: deps.db.kind, version: deps.version };
    },
  );

  app.get(
    '/api/v1/system/info',
    {
      schema: {
        tags: ['system'],
        summary: 'Facts the login page and the shell show: version, demo data, boundary source',
        response: {
          200: {
            type: 'object',
            properties: {
              version: { type: 'string' },
              database: { type: 'string' },
              demoData: { type: 'boolean' },
              boundarySource: { type: 'object', properties: { kind: { type: 'string' }, name: { type: 'string' }, importedAt: { type: ['string', 'null'] } } },
            },
          },
          ...problemResponses,
        },
      },
    },
    async () => ({
      version: deps.version,
      database: deps.db.kind,
      demoData: (await readSetting(deps.db, 'demo_data')) !== null,
      boundarySource: await getBoundarySource(deps.db),
    }),
  );

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    return reply.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });
}
