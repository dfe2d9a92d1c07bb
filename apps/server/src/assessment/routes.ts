import type { FastifyInstance } from 'fastify';
import { requireCaller, requireUser } from '../http/guards.ts';
import { idParam, problemResponses } from '../http/schemas.ts';
import { actorOf } from '../caller.ts';
import * as assessments from './service.ts';

const range = { type: 'object', properties: { median: { type: 'number' }, low: { type: 'number' }, high: { type: 'number' } } } as const;

const summarySchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'integer' },
    name: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'string' },
    event: { type: 'object', additionalProperties: true },
    epicentre: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' } } },
    maxIntensity: { type: 'number' },
    deaths: range,
    injuries: range,
    economicLossCny: range,
    pagerAlert: { type: 'string', enum: ['green', 'yellow', 'orange', 'red'] },
    seconds: { type: 'number' },
  },
} as const;

export const jobSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'string' },
    inventoryId: { type: 'integer' },
    name: { type: ['string', 'null'] },
    event: { type: 'object', additionalProperties: true },
    state: { type: 'string', enum: ['queued', 'running', 'done', 'failed'] },
    stage: { type: ['string', 'null'], description: 'loading, assessing or storing while running' },
    startedAt: { type: ['string', 'null'], format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time' },
    error: { type: ['string', 'null'] },
    assessmentId: { type: ['integer', 'null'] },
  },
} as const;

const detailSchema = {
  ...summarySchema,
  description:
    'The summary plus areaKm2ByIntensity, exposedPopulationByIntensity, buildingsByDamageState (基本完好…毁坏), per-county regions (inside the caller\'s scope) and intensity contours (GeoJSON)',
} as const;

export function registerAssessmentRoutes(app: FastifyInstance, deps: assessments.AssessmentDeps): void {
  app.post<{ Body: assessments.RunInput }>(
    '/api/v1/assessments/earthquake',
    {
      schema: {
        tags: ['assessment'],
        summary: 'Run a rapid earthquake assessment with the national default exposure and keep its results',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            lon: { type: 'number' },
            lat: { type: 'number' },
            depthKm: { type: 'number' },
            magnitude: { type: 'number' },
            strikeDeg: { type: 'number' },
            time: { type: 'string', maxLength: 40 },
            name: { type: 'string', maxLength: 100 },
            inventoryId: { type: 'integer', minimum: 1, description: 'assess an uploaded building inventory instead of the national default exposure' },
          },
          required: ['lon', 'lat', 'depthKm', 'magnitude'],
        },
        response: { 201: detailSchema, 202: { description: 'a large inventory: the assessment runs as a job', ...jobSchema }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const caller = requireUser(request, ['admin', 'commander', 'duty']);
      const result = await assessments.runEarthquakeAssessment(deps, { actor: actorOf(caller), scope: caller.scope }, request.body);
      if ('job' in result) return reply.status(202).header('location', `/api/v1/assessments/earthquake/jobs/${result.job.id}`).send(result.job);
      return reply.status(201).send(result.assessment);
    },
  );

  app.get(
    '/api/v1/assessments/earthquake',
    {
      schema: {
        tags: ['assessment'],
        summary: 'Earthquake assessments whose epicentre or shaken counties lie in the caller\'s scope, newest first',
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: summarySchema } } }, ...problemResponses },
      },
    },
    async (request) => ({ items: await assessments.listEarthquakeAssessments(deps, requireCaller(request).scope) }),
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/assessments/earthquake/:id',
    { schema: { tags: ['assessment'], summary: 'One earthquake assessment with per-county results and contours', params: idParam, response: { 200: detailSchema, ...problemResponses } } },
    async (request) => assessments.getEarthquakeAssessment(deps, requireCaller(request).scope, request.params.id),
  );
}
