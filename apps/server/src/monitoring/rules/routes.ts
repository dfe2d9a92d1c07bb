import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireCaller, requireUser } from '../../http/guards.ts';
import { problemResponses } from '../../http/schemas.ts';
import { actorOf } from '../../caller.ts';
import * as rules from './service.ts';

const BASE = '/api/v1/monitoring/rules';

const ruleSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: ['threshold', 'accumulation', 'rate', 'offline', 'composite'] },
    name: { type: ['string', 'null'] },
    version: { type: 'integer' },
    enabled: { type: 'boolean' },
    regionCode: { type: 'string', description: 'who sees and edits it: the sensor\'s or point\'s region; 000000 for national rules (sensor types, every point)' },
    regionName: { type: ['string', 'null'] },
    source: { type: 'string', enum: ['stored', 'sensor'], description: 'sensor: implied by a sensor\'s own thresholds (read only; change the sensor)' },
    origin: { type: ['string', 'null'], enum: ['catalogue', 'user', null] },
    editable: { type: 'boolean', description: 'whether the caller may change or delete it' },
    definition: { type: 'object', additionalProperties: true, description: 'the rule as the engine runs it (packages/rules), defaults filled in' },
    createdAt: { type: ['string', 'null'], format: 'date-time' },
    createdBy: { type: ['string', 'null'] },
    updatedAt: { type: ['string', 'null'], format: 'date-time' },
    updatedBy: { type: ['string', 'null'] },
  },
} as const;

const fieldErrors = { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } } as const;

const ruleBody = {
  type: 'object',
  additionalProperties: true,
  description:
    'A rule of packages/rules: { kind: threshold | accumulation | rate | offline | composite, id?, name?, description?, enabled?, … }. ' +
    'Sensor rules name one `sensor` (a code in your region) or a `sensorType` (national administrators only); composites give `all`, `level` and ' +
    '`scope` ({ point: "<id>" } in your region, { area: "<county code>" }, or "point" / "area" for every one, national only). ' +
    'The whole definition is replaced on PUT. Errors name the field: levels.red, all[1].rule, scope.point.',
} as const;

const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 200 } }, required: ['id'] } as const;

type ListQuery = {
  limit: number;
  offset: number;
  kind?: string;
  sensorType?: string;
  sensor?: string;
  appliesTo?: string;
  regionCode?: string;
  enabled?: boolean;
  q?: string;
};

export function registerRuleRoutes(app: FastifyInstance, deps: rules.RulesDeps): void {
  const caller = (request: FastifyRequest): rules.RuleCaller => {
    const c = requireCaller(request);
    return { actor: actorOf(c), scope: c.scope, role: c.kind === 'user' ? c.role : null };
  };
  const writer = (request: FastifyRequest): rules.RuleCaller => {
    const c = requireUser(request, rules.RULE_WRITERS);
    return { actor: actorOf(c), scope: c.scope, role: c.role };
  };

  app.get<{ Querystring: ListQuery }>(
    BASE,
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Stored rules the caller can see (its region\'s and the national ones); appliesTo=<sensor code> lists every rule applying to that sensor, those implied by it included',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            offset: { type: 'integer', minimum: 0, default: 0 },
            kind: { type: 'string', enum: ['threshold', 'accumulation', 'rate', 'offline', 'composite'] },
            sensorType: { type: 'string', maxLength: 64 },
            sensor: { type: 'string', maxLength: 64, description: 'stored rules naming this sensor' },
            appliesTo: { type: 'string', maxLength: 64, description: 'a sensor code: its implied rules, the rules naming it and those of its type' },
            regionCode: { type: 'string', pattern: '^([0-9]{6}|[0-9]{9}|[0-9]{12})$', description: 'rules of this region and below, and the national ones' },
            enabled: { type: 'boolean' },
            q: { type: 'string', minLength: 1, maxLength: 100, description: 'in the id or the name' },
          },
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: ruleSchema }, total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } } }, ...problemResponses },
      },
    },
    async (request) => rules.listRules(deps, caller(request), request.query),
  );

  app.post<{ Body: unknown }>(
    BASE,
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Save a new rule (admin, commander); version 1, or one past the last version of a deleted rule of the same id',
        body: ruleBody,
        response: { 201: ruleSchema, ...problemResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await rules.createRule(deps, writer(request), request.body)),
  );

  app.post<{ Body: unknown }>(
    `${BASE}/validate`,
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Check a rule without saving it (admin, commander): every problem with its field, as a save would report them',
        description: 'With the id of an existing rule, it is checked as a change of that rule.',
        body: ruleBody,
        response: {
          200: {
            type: 'object',
            properties: { valid: { type: 'boolean' }, errors: fieldErrors, rule: { type: ['object', 'null'], additionalProperties: true }, regionCode: { type: ['string', 'null'] } },
          },
          ...problemResponses,
        },
      },
    },
    async (request) => rules.validateRule(deps, writer(request), request.body),
  );

  app.get<{ Params: { id: string } }>(
    `${BASE}/:id`,
    { schema: { tags: ['monitoring'], summary: 'One rule, stored or implied by a sensor (sensor:<code>)', params: idParams, response: { 200: ruleSchema, ...problemResponses } } },
    async (request) => rules.getRule(deps, caller(request), request.params.id),
  );

  app.put<{ Params: { id: string }; Body: unknown }>(
    `${BASE}/:id`,
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Replace a rule\'s definition (admin, commander; national rules national administrators); `version` is the version read (409 when stale)',
        params: idParams,
        body: ruleBody,
        response: { 200: ruleSchema, ...problemResponses },
      },
    },
    async (request) => rules.updateRule(deps, writer(request), request.params.id, request.body),
  );

  app.delete<{ Params: { id: string }; Querystring: { version?: number } }>(
    `${BASE}/:id`,
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Delete a rule (its versions stay); 409 while an enabled composite uses it',
        params: idParams,
        querystring: { type: 'object', additionalProperties: false, properties: { version: { type: 'integer', minimum: 1 } } },
        response: { 204: { type: 'null' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      await rules.deleteRule(deps, writer(request), request.params.id, request.query.version ?? null);
      return reply.status(204).send();
    },
  );

  app.get<{ Params: { id: string } }>(
    `${BASE}/:id/versions`,
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Every saved version of a rule, newest first (a deleted rule\'s too)',
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    version: { type: 'integer' },
                    change: { type: 'string', enum: ['created', 'updated', 'deleted'] },
                    kind: { type: 'string' },
                    definition: { type: 'object', additionalProperties: true },
                    enabled: { type: 'boolean' },
                    regionCode: { type: 'string' },
                    changedAt: { type: 'string', format: 'date-time' },
                    changedBy: { type: 'string' },
                  },
                },
              },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (request) => rules.listVersions(deps, caller(request), request.params.id),
  );
}
