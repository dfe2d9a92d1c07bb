import type { FastifyInstance } from 'fastify';
import { requireUser } from '../http/guards.ts';
import { idParam, problemResponses, regionCodeBody } from '../http/schemas.ts';
import { actorOf } from '../caller.ts';
import * as tokens from './service.ts';

const tokenSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    regionCode: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: ['string', 'null'] },
    lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
    revokedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

export function registerTokenRoutes(app: FastifyInstance, deps: tokens.TokensDeps): void {
  app.get(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'API tokens inside the caller\'s scope (administrators); secrets are never listed',
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: tokenSchema } } }, ...problemResponses },
      },
    },
    async (request) => {
      const caller = requireUser(request, ['admin']);
      return { items: await tokens.listTokens(deps, { actor: actorOf(caller), scope: caller.scope }) };
    },
  );

  app.post<{ Body: { name: string; regionCode: string } }>(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token for a device or integration; the token is shown once',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, regionCode: regionCodeBody },
          required: ['name', 'regionCode'],
        },
        response: { 201: { type: 'object', properties: { id: { type: 'integer' }, token: { type: 'string' } } }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const caller = requireUser(request, ['admin']);
      const created = await tokens.createToken(deps, { actor: actorOf(caller), scope: caller.scope }, request.body);
      return reply.status(201).send(created);
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/api/v1/tokens/:id',
    { schema: { tags: ['tokens'], summary: 'Revoke a token', params: idParam, response: { 204: { type: 'null' }, ...problemResponses } } },
    async (request, reply) => {
      const caller = requireUser(request, ['admin']);
      await tokens.revokeToken(deps, { actor: actorOf(caller), scope: caller.scope }, request.params.id);
      return reply.status(204).send();
    },
  );
}
