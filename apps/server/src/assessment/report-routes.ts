import type { FastifyInstance } from 'fastify';
import { ForbiddenError, NATIONAL_CODE, ValidationError } from '@anlan/core';
import { requireCaller, requireUser } from '../http/guards.ts';
import { idParam, problemResponses } from '../http/schemas.ts';
import { actorOf } from '../caller.ts';
import type { AssessmentDeps } from './service.ts';
import type { QuakeFeedPoller } from './feed-poller.ts';
import * as reports from './reports.ts';

// Read as text and sniffed by the report parser (GeoJSON is JSON under its own media type).
const REPORT_CONTENT_TYPES = ['application/xml', 'text/xml', 'application/cap+xml', 'application/geo+json'];

const outcomeSchema = {
  type: 'object',
  properties: {
    index: { type: 'integer' },
    reportId: { type: 'integer' },
    source: { type: 'string' },
    externalId: { type: 'string' },
    msgType: { type: 'string' },
    outcome: { type: 'string', enum: ['assessed', 'below_threshold', 'not_actual', 'no_exposure', 'cancelled'] },
    message: { type: ['string', 'null'] },
    duplicate: { type: 'boolean' },
    assessmentId: { type: ['integer', 'null'] },
    threadId: { type: 'integer' },
  },
} as const;

const reportSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'integer' },
    receivedAt: { type: 'string', format: 'date-time' },
    receivedBy: { type: 'string' },
    format: { type: 'string', enum: ['cap', 'json', 'geojson', 'cenc-text'] },
    source: { type: 'string' },
    externalId: { type: 'string' },
    msgType: { type: 'string' },
    status: { type: 'string' },
    references: { type: 'array', items: { type: 'string' } },
    event: { type: ['object', 'null'], additionalProperties: true },
    place: { type: ['string', 'null'] },
    notes: { type: 'array', items: { type: 'string' } },
    outcome: outcomeSchema.properties.outcome,
    outcomeMessage: { type: ['string', 'null'] },
    threadId: { type: 'integer' },
    assessmentId: { type: ['integer', 'null'] },
    regionCode: { type: 'string' },
    cancelledAt: { type: ['string', 'null'], format: 'date-time' },
    body: { type: 'string' },
  },
} as const;

const settingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { minMagnitude: { type: 'number', minimum: 3, maximum: 9 } },
  required: ['minMagnitude'],
} as const;

export function registerReportRoutes(app: FastifyInstance, deps: AssessmentDeps & { quakeFeeds?: QuakeFeedPoller }): void {
  // In its own encapsulated scope: only this route reads XML and plain-text bodies.
  void app.register(async (scoped) => {
    scoped.addContentTypeParser(REPORT_CONTENT_TYPES, { parseAs: 'string' }, (_req, body, done) => done(null, body));

    scoped.post<{ Body: unknown }>(
      '/api/v1/assessments/earthquake/reports',
      {
        schema: {
          tags: ['assessment'],
          summary: 'Receive earthquake reports; each real one at or above the threshold is assessed at once',
          description:
            'Body: a CAP 1.2 message (application/cap+xml, application/xml, text/xml), our JSON ' +
            '`{ source, eventId, time, lon, lat, depthKm, magnitude, strikeDeg?, place?, msgType?, references?, status? }` or an array of them, ' +
            'a GeoJSON Feature or FeatureCollection in the USGS format (application/json), or the CENC quick-report text (text/plain). ' +
            'A report already received (same source, id and content) is answered again, not stored twice. Update and Cancel follow `references`; ' +
            'reports of one earthquake from several sources share a thread, and the newest assessment supersedes the older ones.',
          consumes: ['application/json', 'text/plain', ...REPORT_CONTENT_TYPES],
          response: {
            200: { type: 'object', properties: { accepted: { type: 'array', items: outcomeSchema }, rejected: { type: 'array', items: { type: 'object', additionalProperties: true } } } },
            201: { type: 'object', properties: { accepted: { type: 'array', items: outcomeSchema }, rejected: { type: 'array', items: { type: 'object', additionalProperties: true } } } },
            ...problemResponses,
          },
        },
      },
      async (request, reply) => {
        const caller = requireCaller(request);
        if (caller.kind === 'user') requireUser(request, ['admin', 'commander', 'duty']);
        const result = await reports.receiveEarthquakeReports(deps, { actor: actorOf(caller), scope: caller.scope }, request.body, request.headers['content-type'] ?? '');
        if (result.accepted.length === 0) throw new ValidationError(result.rejected, 'No earthquake report in the body could be accepted');
        return reply.status(result.accepted.some((a) => !a.duplicate) ? 201 : 200).send(result);
      },
    );
  });

  app.get(
    '/api/v1/assessments/earthquake/reports',
    {
      schema: {
        tags: ['assessment'],
        summary: 'Earthquake reports received, newest first (epicentre or assessment in the caller\'s scope)',
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: reportSchema } } }, ...problemResponses },
      },
    },
    async (request) => ({ items: await reports.listEarthquakeReports(deps, requireCaller(request).scope) }),
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/assessments/earthquake/reports/:id',
    { schema: { tags: ['assessment'], summary: 'One earthquake report with the body as received', params: idParam, response: { 200: reportSchema, ...problemResponses } } },
    async (request) => reports.getEarthquakeReport(deps, requireCaller(request).scope, request.params.id),
  );

  app.get(
    '/api/v1/assessments/earthquake/feeds',
    {
      schema: {
        tags: ['assessment'],
        summary: 'Polled earthquake report feeds (ANLAN_QUAKE_FEEDS) and how their last poll went',
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', additionalProperties: true } } } }, ...problemResponses },
      },
    },
    async (request) => {
      requireUser(request, ['admin', 'commander', 'duty']);
      return { items: deps.quakeFeeds?.list() ?? [] };
    },
  );

  app.get(
    '/api/v1/assessments/earthquake/settings',
    { schema: { tags: ['assessment'], summary: 'Automatic assessment settings', response: { 200: settingsSchema, ...problemResponses } } },
    async (request) => {
      requireCaller(request);
      return reports.readAutoAssessSettings(deps.db);
    },
  );

  app.put<{ Body: reports.AutoAssessSettings }>(
    '/api/v1/assessments/earthquake/settings',
    { schema: { tags: ['assessment'], summary: 'Change the automatic assessment threshold (national administrators)', body: settingsSchema, response: { 200: settingsSchema, ...problemResponses } } },
    async (request) => {
      const caller = requireUser(request, ['admin']);
      if (caller.scope.code !== NATIONAL_CODE) throw new ForbiddenError('Only a national administrator changes the automatic assessment threshold');
      return reports.updateAutoAssessSettings(deps, { actor: actorOf(caller), scope: caller.scope }, request.body);
    },
  );
}
