import type { FastifyInstance } from 'fastify';
import type { Queryable } from '@anlan/db';
import { requireCaller } from '../http/guards.ts';
import { problemResponses, regionCodeParam } from '../http/schemas.ts';
import * as regions from './service.ts';
import type { BoundaryDetail } from './store.ts';

const listOfRegions = { type: 'object', properties: { items: { type: 'array', items: { $ref: 'Region#' } } } } as const;

const featureCollection = {
  type: 'object',
  description: 'GeoJSON FeatureCollection (WGS84); each feature has properties code, name, level, source, role (self|child)',
  properties: { type: { type: 'string' }, features: { type: 'array', items: { type: 'object', additionalProperties: true } } },
} as const;

export function registerRegionRoutes(app: FastifyInstance, deps: { db: Queryable }): void {
  app.get(
    '/api/v1/regions',
    {
      schema: { tags: ['regions'], summary: 'The top of the region tree the caller may see', response: { 200: listOfRegions, ...problemResponses } },
    },
    async (request) => ({ items: await regions.getRoots(deps.db, requireCaller(request).scope) }),
  );

  app.get(
    '/api/v1/regions/boundary-source',
    {
      schema: {
        tags: ['regions'],
        summary: 'Which boundaries the map shows (reference or official) and since when',
        response: {
          200: { type: 'object', properties: { kind: { type: 'string' }, name: { type: 'string' }, importedAt: { type: ['string', 'null'] } } },
          ...problemResponses,
        },
      },
    },
    async (request) => {
      requireCaller(request);
      return regions.getBoundarySource(deps.db);
    },
  );

  app.get<{ Params: { code: string } }>(
    '/api/v1/regions/:code',
    { schema: { tags: ['regions'], summary: 'One region', params: regionCodeParam, response: { 200: { $ref: 'Region#' }, ...problemResponses } } },
    async (request) => regions.getRegion(deps.db, requireCaller(request).scope, request.params.code),
  );

  app.get<{ Params: { code: string } }>(
    '/api/v1/regions/:code/children',
    { schema: { tags: ['regions'], summary: 'Children of a region', params: regionCodeParam, response: { 200: listOfRegions, ...problemResponses } } },
    async (request) => ({ items: await regions.getChildren(deps.db, requireCaller(request).scope, request.params.code) }),
  );

  app.get<{ Params: { code: string }; Querystring: { detail: BoundaryDetail; include: 'self' | 'children' | 'both' } }>(
    '/api/v1/regions/:code/boundaries',
    {
      schema: {
        tags: ['regions'],
        summary: 'Boundaries of a region and/or its children as GeoJSON, simplified for the map (detail 0 coarse … 2 fine)',
        params: regionCodeParam,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            detail: { type: 'integer', enum: [0, 1, 2], default: 1 },
            include: { type: 'string', enum: ['self', 'children', 'both'], default: 'both' },
          },
        },
        response: { 200: featureCollection, ...problemResponses },
      },
    },
    async (request, reply) => {
      const body = await regions.getBoundaries(deps.db, requireCaller(request).scope, request.params.code, request.query.detail, request.query.include);
      // Already-serialised GeoJSON: bypass the response serializer.
      return reply.type('application/geo+json').header('cache-control', 'private, max-age=300').serializer((p: unknown) => p as string).send(body);
    },
  );
}
