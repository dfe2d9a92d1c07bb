import type { FastifyInstance } from 'fastify';
import { ROLES } from '@anlan/core';
import { problemSchema } from './problem.ts';

// Shared JSON schemas, referenced by $ref from routes and published in the OpenAPI document.
export const userSchema = {
  $id: 'User',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    username: { type: 'string' },
    displayName: { type: 'string' },
    role: { type: 'string', enum: [...ROLES] },
    regionCode: { type: 'string' },
    regionName: { type: ['string', 'null'] },
    enabled: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'username', 'displayName', 'role', 'regionCode', 'enabled', 'createdAt'],
} as const;

export const regionSchema = {
  $id: 'Region',
  type: 'object',
  properties: {
    code: { type: 'string' },
    name: { type: 'string' },
    level: { type: 'string', enum: ['country', 'province', 'prefecture', 'county', 'township', 'village'] },
    parentCode: { type: ['string', 'null'] },
    parentName: { type: ['string', 'null'] },
    centroid: { type: ['array', 'null'], items: { type: 'number' } },
    bbox: { type: ['array', 'null'], items: { type: 'number' } },
    childCount: { type: 'integer' },
    hasBoundary: { type: 'boolean' },
  },
  required: ['code', 'name', 'level', 'parentCode', 'childCount', 'hasBoundary'],
} as const;

export function registerSharedSchemas(app: FastifyInstance): void {
  app.addSchema(problemSchema);
  app.addSchema(userSchema);
  app.addSchema(regionSchema);
}

/** Every route documents its error shape. */
export const problemResponses = {
  '4xx': { $ref: 'Problem#' },
  '5xx': { $ref: 'Problem#' },
} as const;

export const regionCodeParam = {
  type: 'object',
  properties: { code: { type: 'string', pattern: '^([0-9]{6}|[0-9]{9}|[0-9]{12})$' } },
  required: ['code'],
} as const;

export const idParam = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1, maximum: 9007199254740991 } },
  required: ['id'],
} as const;

export const regionCodeBody = { type: 'string', pattern: '^([0-9]{6}|[0-9]{9}|[0-9]{12})$' } as const;
