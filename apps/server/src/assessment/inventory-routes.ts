import type { FastifyInstance } from 'fastify';
import { ValidationError } from '@anlan/core';
import { requireCaller, requireUser } from '../http/guards.ts';
import { idParam, problemResponses } from '../http/schemas.ts';
import { actorOf } from '../caller.ts';
import type { AssessmentDeps } from './service.ts';
import { jobSchema } from './routes.ts';
import * as inventories from './inventories.ts';

const ROLES = ['admin', 'commander', 'duty'] as const;
/** A city of a few million buildings as CSV. */
const INVENTORY_BODY_LIMIT = 512 * 1024 * 1024;
const INVENTORY_TYPES = ['text/csv', 'application/csv', 'text/plain', 'application/geo+json', 'application/json'];

const rowError = { type: 'object', properties: { row: { type: 'integer' }, field: { type: 'string' }, message: { type: 'string' } } } as const;
const inventorySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'string' },
    regionCode: { type: 'string' },
    rows: { type: 'integer', description: 'buildings accepted' },
    rejectedRows: { type: 'integer' },
    errors: { type: 'array', items: rowError, description: 'the first 500 rejected rows with the field and reason' },
    counties: { type: 'array', items: { type: 'string' } },
    bbox: { type: 'array', items: { type: 'number' } },
    bytes: { type: 'integer' },
  },
} as const;

export function registerInventoryRoutes(app: FastifyInstance, deps: AssessmentDeps): void {
  void app.register(async (scoped) => {
    // The body is the file itself; JSON is read as text too, since GeoJSON goes to the inventory parser whole.
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser(INVENTORY_TYPES, { parseAs: 'string', bodyLimit: INVENTORY_BODY_LIMIT }, (_req, body, done) => done(null, body));
    scoped.post<{ Body: string; Querystring: { name: string; fileName?: string } }>(
      '/api/v1/assessments/earthquake/inventories',
      {
        bodyLimit: INVENTORY_BODY_LIMIT,
        schema: {
          tags: ['assessment'],
          summary: 'Upload a building inventory (CSV or GeoJSON points); bad rows are listed, good rows kept',
          description:
            'Columns (CSV header or GeoJSON properties, English or Chinese): lon, lat, class (A1 A2 B C D E or 土木/砖木/砖混/框架/钢结构…), ' +
            'floors, floor_area_m2, occupants_day, occupants_night, value_cny (optional), region_code (optional; else found from the county outlines). ' +
            'Rows are numbered as in a spreadsheet (header = row 1). Rows whose county is outside the caller\'s region are rejected.',
          consumes: INVENTORY_TYPES,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, fileName: { type: 'string', maxLength: 200 } },
            required: ['name'],
          },
          response: { 201: inventorySchema, ...problemResponses },
        },
      },
      async (request, reply) => {
        const caller = requireUser(request, ROLES);
        if (typeof request.body !== 'string') throw new ValidationError([{ field: 'body', message: 'send the CSV or GeoJSON file as the request body' }]);
        const created = await inventories.uploadInventory(deps, { actor: actorOf(caller), scope: caller.scope }, {
          name: request.query.name, text: request.body, fileName: request.query.fileName ?? (request.headers['content-type']?.includes('json') ? 'upload.geojson' : 'upload.csv'),
        });
        return reply.status(201).send(created);
      },
    );
  });

  app.get(
    '/api/v1/assessments/earthquake/inventories',
    { schema: { tags: ['assessment'], summary: 'Building inventories of the caller\'s region', response: { 200: { type: 'object', properties: { items: { type: 'array', items: inventorySchema } } }, ...problemResponses } } },
    async (request) => ({ items: await inventories.listInventories(deps, requireCaller(request).scope) }),
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/assessments/earthquake/inventories/:id',
    { schema: { tags: ['assessment'], summary: 'One inventory with its rejected rows', params: idParam, response: { 200: inventorySchema, ...problemResponses } } },
    async (request) => inventories.getInventory(deps, requireCaller(request).scope, request.params.id),
  );

  app.delete<{ Params: { id: number } }>(
    '/api/v1/assessments/earthquake/inventories/:id',
    { schema: { tags: ['assessment'], summary: 'Delete an inventory (assessments made with it keep their results)', params: idParam, response: { 204: { type: 'null' }, ...problemResponses } } },
    async (request, reply) => {
      const caller = requireUser(request, ROLES);
      await inventories.deleteInventory(deps, { actor: actorOf(caller), scope: caller.scope }, request.params.id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/assessments/earthquake/jobs',
    { schema: { tags: ['assessment'], summary: 'Assessment jobs of the caller\'s region, newest first', response: { 200: { type: 'object', properties: { items: { type: 'array', items: jobSchema } } }, ...problemResponses } } },
    async (request) => ({ items: await deps.assessmentJobs.list(requireCaller(request).scope) }),
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/assessments/earthquake/jobs/:id',
    { schema: { tags: ['assessment'], summary: 'One assessment job: state, stage, and the assessment when done', params: idParam, response: { 200: jobSchema, ...problemResponses } } },
    async (request) => deps.assessmentJobs.get(requireCaller(request).scope, request.params.id),
  );
}
