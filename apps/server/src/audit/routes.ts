import type { FastifyInstance } from 'fastify';
import type { Queryable } from '@anlan/db';
import { requireUser } from '../http/guards.ts';
import { problemResponses } from '../http/schemas.ts';
import { readAudit } from './service.ts';

const entrySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    actorId: { type: ['integer', 'null'] },
    actorName: { type: ['string', 'null'] },
    action: { type: 'string' },
    targetType: { type: ['string', 'null'] },
    targetId: { type: ['string', 'null'] },
    regionCode: { type: ['string', 'null'] },
    ip: { type: ['string', 'null'] },
    before: {},
    after: {},
    hash: { type: 'string' },
  },
} as const;

export function registerAuditRoutes(app: FastifyInstance, deps: { db: Queryable }): void {
  app.get<{ Querystring: { limit: number; before?: number } }>(
    '/api/v1/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Audit log inside the caller\'s scope, newest first (administrators)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, before: { type: 'integer', minimum: 1 } },
        },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: entrySchema }, nextBefore: { type: ['integer', 'null'] } } },
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const caller = requireUser(request, ['admin']);
      const { limit, before } = request.query;
      const items = await readAudit(deps.db, caller.scope, limit, before ?? null);
      return { items, nextBefore: items.length === limit ? items[items.length - 1].id : null };
    },
  );
}
