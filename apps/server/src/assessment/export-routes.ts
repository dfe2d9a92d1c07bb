import type { FastifyInstance } from 'fastify';
import type { Clock } from '@anlan/core';
import type { Database } from '@anlan/db';
import { requireCaller } from '../http/guards.ts';
import { idParam, problemResponses } from '../http/schemas.ts';
import { XLSX_CONTENT_TYPE, attachmentDisposition } from '../http/xlsx.ts';
import { exportEarthquakeGeojson, exportEarthquakeXlsx } from './export.ts';

const contentDispositionHeader = {
  'content-disposition': {
    type: 'string',
    description: "attachment; filename=\"earthquake-assessment-<id>-M<Ms>.<ext>\"; filename*=UTF-8''地震快速评估-<id>-<Ms>级.<ext> (percent-encoded)",
  },
} as const;

const xlsxResponse = {
  description:
    'Excel workbook (.xlsx) with the sheets 概要 (event parameters, totals of the whole earthquake, notes and data sources), ' +
    '分县结果 (one row per county inside the caller\'s scope: code, name, highest intensity, population, exposed population ≥ VI, ' +
    'buildings by damage state 基本完好/轻微破坏/中等破坏/严重破坏/毁坏, deaths, injuries, direct loss in 万元) and ' +
    '烈度分布 (area and exposed population per intensity band). People and buildings are rounded to whole numbers, money to 0.1 万元.',
  headers: contentDispositionHeader,
  content: { [XLSX_CONTENT_TYPE]: { schema: { type: 'string', format: 'binary' } } },
} as const;

const geojsonResponse = {
  description:
    'GeoJSON FeatureCollection (WGS84): the intensity contour polygons VI and up, largest first ' +
    '(properties kind "intensity", intensity, label e.g. "VII 度", roman, areaKm2, aKm, bKm, ruptureLengthKm), then one Point per county ' +
    'inside the caller\'s scope at its seat of government from the reference data (properties kind "county", code, name, maxIntensity, label, population, ' +
    'exposedPopulation, buildings_none … buildings_complete, deaths, injuries, lossCny; unrounded). The foreign member "assessment" carries the event and totals.',
  headers: contentDispositionHeader,
  content: {
    'application/geo+json': {
      schema: {
        type: 'object',
        properties: {
          type: { type: 'string', enum: ['FeatureCollection'] },
          name: { type: 'string' },
          assessment: { type: 'object', additionalProperties: true },
          features: { type: 'array', items: { type: 'object', additionalProperties: true } },
        },
      },
    },
  },
} as const;

/**
 * Excel and GeoJSON downloads of an earthquake assessment; same readers and scope as GET /:id.
 * The 200 responses name their media type under `content` (OpenAPI 3) rather than a route-wide
 * `produces`, so that the error responses stay documented as JSON problems.
 */
export function registerAssessmentExportRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock }): void {
  app.get<{ Params: { id: number } }>(
    '/api/v1/assessments/earthquake/:id/export.xlsx',
    {
      schema: {
        tags: ['assessment'],
        summary: 'Download an earthquake assessment as an Excel report (per-county rows inside the caller\'s scope)',
        params: idParam,
        response: { 200: xlsxResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const file = await exportEarthquakeXlsx(deps, requireCaller(request).scope, request.params.id);
      return reply
        .type(XLSX_CONTENT_TYPE)
        .header('content-disposition', attachmentDisposition(file.filename, file.asciiFilename))
        .header('cache-control', 'private, no-store')
        .send(file.body);
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/assessments/earthquake/:id/export.geojson',
    {
      schema: {
        tags: ['assessment'],
        summary: 'Download an earthquake assessment as GeoJSON: intensity contours and county points (inside the caller\'s scope)',
        params: idParam,
        response: { 200: geojsonResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const file = await exportEarthquakeGeojson(deps, requireCaller(request).scope, request.params.id);
      // Already-serialised GeoJSON: bypass the response serializer.
      return reply
        .type('application/geo+json')
        .header('content-disposition', attachmentDisposition(file.filename, file.asciiFilename))
        .header('cache-control', 'private, no-store')
        .serializer((p: unknown) => p as string)
        .send(file.body);
    },
  );
}
