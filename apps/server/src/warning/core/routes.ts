/**
 * The HTTP API of warnings (预警发布): /api/v1/warnings. Routes parse and delegate; the rules are
 * in service.ts and import.ts, the SQL and the region scope in store.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError, ValidationError } from '@anlan/core';
import { LEVEL_NAMES, WARNING_EVENT_TYPES, WARNING_LEVELS, formatCapDateTime, levelToCap, writeCap, CapWriteError } from '@anlan/cap';
import { requireCaller, requireUser } from '../../http/guards.ts';
import { idParam, problemResponses } from '../../http/schemas.ts';
import { actorOf, type Caller } from '../../caller.ts';
import { readSetting, writeSetting } from '../../system/settings.ts';
import { appendAudit } from '../../audit/service.ts';
import { capAlertOf } from './cap.ts';
import { STAGES, STAGE_NAMES, mergeDraft, type DraftInput } from './draft.ts';
import { placeAreas } from './areas.ts';
import { FEEDS_SETTING, checkFeed, type CapFeed, type WarningFeedPoller } from './feed-poller.ts';
import { draftFromAlarm, type AlarmDraftDeps } from './from-alarm.ts';
import { importCap, requireImporter } from './import.ts';
import * as warnings from './service.ts';
import { smsPreview } from './sms.ts';
import * as store from './store.ts';

const BASE = '/api/v1/warnings';
const CAP_CONTENT_TYPES = ['application/cap+xml', 'application/xml', 'text/xml'];
const CAP_BODY_LIMIT = 2 * 1024 * 1024;

export interface WarningRouteDeps extends warnings.WarningDeps {
  alarms: AlarmDraftDeps['alarms'];
  /** The CAP feed poller of this process (absent in a bare app). */
  feeds?: () => WarningFeedPoller | undefined;
}

function callerOf(c: Caller): warnings.WarningCaller {
  return { actor: actorOf(c), scope: c.scope, role: c.kind === 'user' ? c.role : null };
}

const who = (request: FastifyRequest) => callerOf(requireCaller(request));

// ---- schemas ----

const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const lonLat = { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 } as const;
const areaInput = {
  type: 'object',
  additionalProperties: false,
  description: 'One of: { regionCode } (GB/T 2260), { polygon: [[lon, lat], …] } (closed: first point repeated last), { circle: { lon, lat, radiusKm } }; optional label',
  properties: {
    regionCode: { type: 'string', pattern: '^([0-9]{6}|[0-9]{9}|[0-9]{12})$' },
    polygon: { type: 'array', items: lonLat, maxItems: 2000 },
    circle: { type: 'object', additionalProperties: false, properties: { lon: { type: 'number' }, lat: { type: 'number' }, radiusKm: { type: 'number' } }, required: ['lon', 'lat', 'radiusKm'] },
    label: text(200),
  },
} as const;
const translationInput = {
  type: 'object',
  additionalProperties: false,
  properties: { language: text(35), headline: text(200), description: text(4000), instruction: text(4000) },
  required: ['language', 'headline'],
} as const;
const draftFields = {
  event: { type: 'string', maxLength: 40, description: 'event type key (rainstorm) or name (暴雨, Rainstorm): GET /api/v1/warnings/vocabulary' },
  level: { type: 'string', enum: [...WARNING_LEVELS] },
  headline: text(200),
  description: text(4000),
  instruction: text(4000),
  areas: { type: 'array', items: areaInput, maxItems: 50 },
  expires: { type: 'string', maxLength: 40, description: 'ISO 8601 with a time zone, in the future (at most 30 days ahead)' },
  onset: { type: ['string', 'null'], maxLength: 40 },
  stage: { type: 'string', enum: [...STAGES], description: 'the ladder: forecast (6 h 预报预警, default), short (3 h 短临预警), callresponse (1 h 临灾叫应)' },
  status: { type: 'string', enum: ['Actual', 'Exercise'], description: 'Exercise: a drill, marked 演练 in CAP and in the SMS' },
  translations: { type: 'array', items: translationInput, maxItems: 5 },
  sourceAlarmId: { type: ['integer', 'null'], minimum: 1, description: 'the monitoring alarm it was created from' },
} as const;
const submitFlag = { submit: { type: 'boolean', description: 'send it for approval at once (default false: stays a draft)' } } as const;
const versionField = { version: { type: 'integer', minimum: 1, description: 'the version you read; a stale one answers 409' } } as const;

const nullableString = { type: ['string', 'null'] } as const;
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
const warningProperties = {
  id: { type: 'integer' },
  threadId: { type: 'integer' },
  previousId: { type: ['integer', 'null'] },
  identifier: { type: 'string' },
  sender: { type: 'string' },
  senderName: nullableString,
  sent: { type: ['string', 'null'], description: 'the CAP <sent> of the issued or imported message' },
  msgType: { type: 'string', enum: ['Alert', 'Update', 'Cancel'] },
  status: { type: 'string' },
  stage: { type: 'string', enum: [...STAGES] },
  event: { type: 'string' },
  level: { type: 'string', enum: [...WARNING_LEVELS] },
  headline: { type: 'string' },
  description: { type: 'string' },
  instruction: { type: 'string' },
  translations: { type: 'array', items: { type: 'object', properties: { language: { type: 'string' }, headline: { type: 'string' }, description: { type: 'string' }, instruction: { type: 'string' } } } },
  regionCode: { type: 'string' },
  regionName: nullableString,
  state: { type: 'string', enum: [...store.WARNING_STATES] },
  origin: { type: 'string', enum: ['local', 'imported'] },
  sourceAlarmId: { type: ['integer', 'null'] },
  source: nullableString,
  onset: nullableTime,
  expires: { type: 'string', format: 'date-time' },
  draftedBy: { type: 'string' },
  draftedById: { type: ['integer', 'null'] },
  submittedAt: nullableTime,
  approvedBy: nullableString,
  approvedById: { type: ['integer', 'null'] },
  issuedAt: nullableTime,
  rejectNote: nullableString,
  createdAt: { type: 'string', format: 'date-time' },
  updatedAt: { type: 'string', format: 'date-time' },
  version: { type: 'integer' },
  areaCount: { type: 'integer' },
} as const;
const warningSchema = { type: 'object', properties: warningProperties } as const;
const areaSchema = {
  type: 'object',
  properties: {
    ord: { type: 'integer' },
    kind: { type: 'string', enum: ['region', 'polygon', 'circle'] },
    label: { type: 'string' },
    regionCode: nullableString,
    regionName: nullableString,
    polygon: { type: ['array', 'null'], items: { type: 'array', items: { type: 'number' } } },
    circle: { type: ['object', 'null'], properties: { lon: { type: 'number' }, lat: { type: 'number' }, radiusKm: { type: 'number' } } },
    withinCode: nullableString,
    withinName: nullableString,
    hasGeometry: { type: 'boolean' },
  },
} as const;
const smsSchema = { type: 'object', properties: { text: { type: 'string' }, length: { type: 'integer' }, segments: { type: 'integer' } } } as const;
const detailSchema = {
  type: 'object',
  properties: {
    ...warningProperties,
    eventName: { type: 'string' },
    eventNameEn: { type: 'string' },
    areas: { type: 'array', items: areaSchema },
    thread: { type: 'array', items: warningSchema, description: 'every step of the thread you may see, oldest first' },
    history: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'integer' }, warningId: { type: 'integer' }, at: { type: 'string', format: 'date-time' }, kind: { type: 'string' }, by: { type: 'string' }, byId: { type: ['integer', 'null'] }, note: nullableString },
      },
    },
    sms: { ...smsSchema, description: 'the SMS text (smsText), its length in characters and in SMS parts' },
    can: {
      type: 'object',
      description: 'what the caller may do with it now',
      properties: {
        edit: { type: 'boolean' }, submit: { type: 'boolean' }, delete: { type: 'boolean' }, approve: { type: 'boolean' }, reject: { type: 'boolean' },
        promote: { type: 'boolean' }, update: { type: 'boolean' }, cancel: { type: 'boolean' }, approveBlocked: { type: ['string', 'null'], enum: ['author', 'role', null] },
      },
    },
  },
} as const;
const fieldErrors = { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } } as const;

type ListQuery = { state?: string; event?: string; level?: string; stage?: string; origin?: string; regionCode?: string; threadId?: number; q?: string; limit: number; offset: number };

export function registerWarningCoreRoutes(app: FastifyInstance, deps: WarningRouteDeps): void {
  app.get(
    `${BASE}/vocabulary`,
    {
      schema: {
        tags: ['warning'],
        summary: 'The national warning vocabulary: event types, the four levels and their CAP mapping, the stages of the ladder',
        response: { 200: { type: 'object', additionalProperties: true }, ...problemResponses },
      },
    },
    async (request) => {
      requireCaller(request);
      return {
        events: WARNING_EVENT_TYPES.map((t) => ({ key: t.key, zh: t.zh, en: t.event, category: t.category, levels: t.levels, issuer: t.issuer })),
        levels: WARNING_LEVELS.map((l) => ({ key: l, ...LEVEL_NAMES[l], severity: levelToCap(l).severity })),
        stages: STAGES.map((s) => ({ key: s, ...STAGE_NAMES[s], ...(({ urgency, certainty }) => ({ urgency, certainty }))(levelToCap('blue', s === 'callresponse' ? 'imminent' : 'forecast')) })),
      };
    },
  );

  app.get<{ Querystring: ListQuery }>(
    BASE,
    {
      schema: {
        tags: ['warning'],
        summary: 'Warnings of the caller\'s region, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'string', pattern: `^(${store.WARNING_STATES.join('|')})(,(${store.WARNING_STATES.join('|')}))*$`, description: 'one state or several, comma-separated' },
            event: { type: 'string', maxLength: 40 },
            level: { type: 'string', enum: [...WARNING_LEVELS] },
            stage: { type: 'string', enum: [...STAGES] },
            origin: { type: 'string', enum: ['local', 'imported'] },
            regionCode: { type: 'string', pattern: '^([0-9]{6}|[0-9]{9}|[0-9]{12})$', description: 'this region and below' },
            threadId: { type: 'integer', minimum: 1 },
            q: { type: 'string', minLength: 1, maxLength: 100, description: 'in the headline or the identifier' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: warningSchema }, total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } } }, ...problemResponses },
      },
    },
    async (request) => {
      const q = request.query;
      return warnings.listWarnings(deps, who(request), {
        state: q.state ? (q.state.split(',') as store.WarningState[]) : undefined,
        event: q.event,
        level: q.level as store.ListFilter['level'],
        stage: q.stage as store.ListFilter['stage'],
        origin: q.origin as store.ListFilter['origin'],
        regionCode: q.regionCode,
        threadId: q.threadId,
        q: q.q,
        limit: q.limit,
        offset: q.offset,
      });
    },
  );

  app.post<{ Body: DraftInput & { submit?: boolean } }>(
    BASE,
    {
      schema: {
        tags: ['warning'],
        summary: 'Draft a warning (admin, commander, duty); submit=true sends it for approval at once',
        description: 'Areas: regions the caller covers, polygons and circles inside them. The warning\'s region is the smallest region holding all its areas. Errors name the field: areas[1].polygon, translations[0].language…',
        body: { type: 'object', additionalProperties: false, properties: { ...draftFields, ...submitFlag }, required: ['event', 'level', 'headline', 'description', 'areas', 'expires'] },
        response: { 201: detailSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { submit, ...input } = request.body;
      return reply.status(201).send(await warnings.createDraft(deps, who(request), input, { submit }));
    },
  );

  app.post<{ Body: DraftInput }>(
    `${BASE}/preview`,
    {
      schema: {
        tags: ['warning'],
        summary: 'Check a draft without storing it: field errors, its region, the SMS text and the CAP XML it would be issued as',
        body: { type: 'object', additionalProperties: false, properties: { ...draftFields, ...submitFlag, msgType: { type: 'string', enum: ['Alert', 'Update', 'Cancel'], description: 'what the SMS should say it is (default Alert)' } } },
        response: {
          200: {
            type: 'object',
            properties: {
              valid: { type: 'boolean' }, errors: fieldErrors, regionCode: nullableString, regionName: nullableString, sms: { ...smsSchema, type: ['object', 'null'] },
              cap: nullableString, areas: { type: 'array', items: { type: 'object', additionalProperties: true } },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const caller = who(request);
      const { submit: _submit, msgType = 'Alert', ...input } = request.body as DraftInput & { submit?: boolean; msgType?: 'Alert' | 'Update' | 'Cancel' };
      const now = deps.clock.now();
      const { record, errors } = mergeDraft(null, input, now);
      const placement = record.areas.length > 0 && !errors.some((e) => e.field.startsWith('areas')) ? await placeAreas(deps.db, caller.scope, record.areas) : null;
      if (placement) errors.push(...placement.errors);
      const regionCode = placement && placement.errors.length === 0 ? placement.regionCode : null;
      const regionName = regionCode ? ((await store.regionNames(deps.db, [regionCode])).get(regionCode) ?? null) : null;
      const senderName = regionCode ? await warnings.issuerName(deps.db, regionCode) : null;
      const sms = errors.some((e) => ['event', 'level', 'headline', 'description'].includes(e.field)) ? null : smsPreview({ ...record, msgType, senderName });
      let cap: string | null = null;
      if (errors.length === 0 && placement && regionCode) {
        const areas: store.WarningArea[] = placement.areas.map((a, ord) => ({
          ord, kind: a.kind, label: a.label, regionCode: a.kind === 'region' ? a.regionCode : null, regionName: null,
          polygon: a.kind === 'polygon' ? a.polygon : null, circle: a.kind === 'circle' ? { lon: a.lon, lat: a.lat, radiusKm: a.radiusKm } : null,
          withinCode: a.withinCode, withinName: null, hasGeometry: true,
        }));
        try {
          cap = writeCap(capAlertOf({
            identifier: `CN.${regionCode}.ANLAN.PREVIEW`, sender: `yjj.${regionCode}@preview`, senderName, msgType: 'Alert', status: record.status, stage: record.stage,
            event: record.event, level: record.level, headline: record.headline, description: record.description, instruction: record.instruction,
            translations: record.translations, onset: record.onsetAt?.toISOString() ?? null, expires: record.expiresAt.toISOString(), areas,
          }, formatCapDateTime(now), []));
        } catch (e) {
          if (!(e instanceof CapWriteError)) throw e;
          errors.push(...e.errors.map((x) => ({ field: x.element, message: x.message })));
        }
      }
      return { valid: errors.length === 0, errors, regionCode, regionName, sms, cap, areas: placement?.areas ?? [] };
    },
  );

  app.get<{ Params: { alarmId: number } }>(
    `${BASE}/draft-from-alarm/:alarmId`,
    {
      schema: {
        tags: ['warning'],
        summary: 'A draft pre-filled from a monitoring alarm (area, event, level, text); nothing is stored',
        params: { type: 'object', properties: { alarmId: idParam.properties.id }, required: ['alarmId'] },
        response: {
          200: {
            type: 'object',
            properties: {
              input: { type: 'object', additionalProperties: true, description: 'the body for POST /api/v1/warnings' },
              alarm: { type: 'object', additionalProperties: true },
              notes: { type: 'array', items: { type: 'string' } },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (request) => draftFromAlarm(deps, who(request).scope, request.params.alarmId),
  );

  // ---- import and feeds ----

  void app.register(async (scoped) => {
    // Only this route reads XML bodies, as text.
    scoped.addContentTypeParser(CAP_CONTENT_TYPES, { parseAs: 'string', bodyLimit: CAP_BODY_LIMIT }, (_req, body, done) => done(null, body));
    scoped.post<{ Body: string; Querystring: { source?: string } }>(
      `${BASE}/cap`,
      {
        bodyLimit: CAP_BODY_LIMIT,
        schema: {
          tags: ['warning'],
          summary: 'Import a CAP 1.2 message (admin, commander, API tokens): an Actual or Exercise alert for areas in your region is issued at once',
          description:
            'Body: the CAP XML (application/cap+xml, application/xml or text/xml). An Update or Cancel joins the thread of the message it references. ' +
            'A message already held (same identifier and sender) answers 200 with duplicate=true. A bad message answers 400 with errors [{ field: the element (alert/info[1]/certainty), message }].',
          consumes: CAP_CONTENT_TYPES,
          querystring: { type: 'object', additionalProperties: false, properties: { source: { type: 'string', maxLength: 200, description: 'where it came from (default: api)' } } },
          response: {
            200: { type: 'object', properties: { duplicate: { type: 'boolean' }, remarks: fieldErrors, warning: detailSchema } },
            201: { type: 'object', properties: { duplicate: { type: 'boolean' }, remarks: fieldErrors, warning: detailSchema } },
            ...problemResponses,
          },
        },
      },
      async (request, reply) => {
        const caller = who(request);
        requireImporter(caller);
        if (typeof request.body !== 'string') throw new ValidationError([{ field: 'body', message: 'must be CAP XML sent as application/cap+xml, application/xml or text/xml' }]);
        const result = await importCap(deps, caller, request.body, request.query.source?.trim() || `api:${caller.actor.name}`);
        return reply.status(result.duplicate ? 200 : 201).send({ duplicate: result.duplicate, remarks: result.remarks.map((r) => ({ field: r.element, message: r.message })), warning: result.warning });
      },
    );
  });

  const settingsSchema = {
    type: 'object',
    properties: {
      capSenderDomain: { type: ['string', 'null'], maxLength: 200, pattern: '^[A-Za-z0-9.-]+$', description: 'the domain of CAP <sender> (yjj.<region>@domain); default anlan.local' },
      feeds: {
        type: 'array',
        maxItems: 50,
        items: { type: 'object', additionalProperties: false, properties: { url: { type: 'string', maxLength: 2000 }, intervalSeconds: { type: 'integer', minimum: 10, maximum: 86400 } }, required: ['url'] },
        description: 'CAP feeds polled besides ANLAN_CAP_FEEDS',
      },
    },
  } as const;

  app.get(
    `${BASE}/settings`,
    { schema: { tags: ['warning'], summary: 'Warning settings: the CAP sender domain and the polled feeds (admin)', response: { 200: settingsSchema, ...problemResponses } } },
    async (request) => {
      requireUser(request, ['admin']);
      return {
        capSenderDomain: (await readSetting<string>(deps.db, warnings.SENDER_DOMAIN_SETTING)) ?? null,
        feeds: (await readSetting<CapFeed[]>(deps.db, FEEDS_SETTING)) ?? [],
      };
    },
  );

  app.put<{ Body: { capSenderDomain?: string | null; feeds?: { url: string; intervalSeconds?: number }[] } }>(
    `${BASE}/settings`,
    {
      schema: {
        tags: ['warning'],
        summary: 'Change the warning settings (admin of the whole country or a province: feeds import for every region)',
        body: { ...settingsSchema, additionalProperties: false },
        response: { 200: settingsSchema, ...problemResponses },
      },
    },
    async (request) => {
      const user = requireUser(request, ['admin']);
      // A feed imports for the whole country: only an administrator of a province or above sets one.
      if (request.body.feeds !== undefined && user.scope.prefix.length > 2) throw new ForbiddenError('CAP feeds import warnings for every region: only an administrator of a province or of the whole country sets them');
      const errors: { field: string; message: string }[] = [];
      const feeds = request.body.feeds?.flatMap((f, i) => {
        try {
          return [checkFeed(f.url, f.intervalSeconds ?? 60)];
        } catch (e) {
          errors.push({ field: `feeds[${i}].url`, message: (e as Error).message });
          return [];
        }
      });
      if (errors.length) throw new ValidationError(errors);
      const before = { capSenderDomain: await readSetting<string>(deps.db, warnings.SENDER_DOMAIN_SETTING), feeds: await readSetting<CapFeed[]>(deps.db, FEEDS_SETTING) };
      await deps.db.transaction(async (tx) => {
        if (request.body.capSenderDomain !== undefined) await writeSetting(tx, warnings.SENDER_DOMAIN_SETTING, request.body.capSenderDomain);
        if (feeds) await writeSetting(tx, FEEDS_SETTING, feeds);
        await appendAudit(tx, deps.clock, actorOf(user), { action: 'warning.settings_changed', targetType: 'system_setting', targetId: 'warning', regionCode: user.scope.code, before, after: request.body });
      });
      if (feeds) await deps.feeds?.()?.reload();
      return {
        capSenderDomain: (await readSetting<string>(deps.db, warnings.SENDER_DOMAIN_SETTING)) ?? null,
        feeds: (await readSetting<CapFeed[]>(deps.db, FEEDS_SETTING)) ?? [],
      };
    },
  );

  app.get(
    `${BASE}/feeds`,
    {
      schema: {
        tags: ['warning'],
        summary: 'The polled CAP feeds and how their last polls went (admin, commander)',
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', additionalProperties: true } } } }, ...problemResponses },
      },
    },
    async (request) => {
      requireUser(request, ['admin', 'commander']);
      return { items: deps.feeds?.()?.list() ?? [] };
    },
  );

  // ---- one warning ----

  app.get<{ Params: { id: number } }>(
    `${BASE}/:id`,
    { schema: { tags: ['warning'], summary: 'One warning with its areas, its thread, its history, its SMS text and what you may do with it', params: idParam, response: { 200: detailSchema, ...problemResponses } } },
    async (request) => warnings.getWarning(deps, who(request), request.params.id),
  );

  app.put<{ Params: { id: number }; Body: DraftInput & { version: number } }>(
    `${BASE}/:id`,
    {
      schema: {
        tags: ['warning'],
        summary: 'Change a draft or a rejected warning (which goes back to draft): the fields given replace, the others stay',
        params: idParam,
        body: { type: 'object', additionalProperties: false, properties: { ...draftFields, ...versionField }, required: ['version'] },
        response: { 200: detailSchema, ...problemResponses },
      },
    },
    async (request) => warnings.editDraft(deps, who(request), request.params.id, request.body),
  );

  app.delete<{ Params: { id: number }; Querystring: { version?: number } }>(
    `${BASE}/:id`,
    {
      schema: {
        tags: ['warning'],
        summary: 'Delete a draft or a rejected warning',
        params: idParam,
        querystring: { type: 'object', additionalProperties: false, properties: versionField },
        response: { 204: { type: 'null' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      await warnings.deleteDraft(deps, who(request), request.params.id, request.query.version ?? null);
      return reply.status(204).send();
    },
  );

  app.get<{ Params: { id: number } }>(
    `${BASE}/:id/cap`,
    {
      schema: {
        tags: ['warning'],
        summary: 'The CAP 1.2 XML: as issued or imported; for a draft, what it would be if issued now (header x-anlan-cap-preview: true)',
        params: idParam,
        produces: ['application/cap+xml'],
      },
    },
    async (request, reply) => {
      const { xml, preview } = await warnings.capOf(deps, who(request), request.params.id);
      if (preview) void reply.header('x-anlan-cap-preview', 'true');
      return reply.type('application/cap+xml; charset=utf-8').send(xml);
    },
  );

  const optionalBody = (properties: Record<string, unknown>, required: string[] = []) =>
    ({ type: required.length ? 'object' : ['object', 'null'], additionalProperties: false, properties, ...(required.length ? { required } : {}) }) as const;

  app.post<{ Params: { id: number }; Body: { version?: number } | null }>(
    `${BASE}/:id/submit`,
    { schema: { tags: ['warning'], summary: 'Submit a draft for approval (签发)', params: idParam, body: optionalBody(versionField), response: { 200: detailSchema, ...problemResponses } } },
    async (request) => warnings.submit(deps, who(request), request.params.id, request.body?.version ?? null),
  );

  app.post<{ Params: { id: number }; Body: { version?: number } | null }>(
    `${BASE}/:id/approve`,
    {
      schema: {
        tags: ['warning'],
        summary: 'Approve (签发) and issue a pending warning: commander or admin of its region, not the person who drafted or edited it',
        params: idParam,
        body: optionalBody(versionField),
        response: { 200: detailSchema, ...problemResponses },
      },
    },
    async (request) => warnings.approve(deps, who(request), request.params.id, request.body?.version ?? null),
  );

  app.post<{ Params: { id: number }; Body: { note: string; version?: number } }>(
    `${BASE}/:id/reject`,
    {
      schema: {
        tags: ['warning'],
        summary: 'Reject a pending warning with a note; it can then be changed and submitted again',
        params: idParam,
        body: optionalBody({ note: { type: 'string', maxLength: 2000 }, ...versionField }, ['note']),
        response: { 200: detailSchema, ...problemResponses },
      },
    },
    async (request) => warnings.reject(deps, who(request), request.params.id, request.body.note, request.body.version ?? null),
  );

  const steps: { step: warnings.Step; summary: string }[] = [
    { step: 'promote', summary: 'The next rung of the ladder (forecast → short → callresponse): a new step of the thread (msgType Update) that needs approval again; fields given change it' },
    { step: 'update', summary: 'An Update of the warning in force (level, areas, text may change): a new step of the thread that needs approval again' },
    { step: 'cancel', summary: 'A Cancel of the warning in force (lifts it where it was issued): a new step of the thread that needs approval again' },
  ];
  for (const { step, summary } of steps) {
    app.post<{ Params: { id: number }; Body: (DraftInput & { submit?: boolean }) | null }>(
      `${BASE}/:id/${step}`,
      {
        schema: {
          tags: ['warning'],
          summary,
          params: idParam,
          body: optionalBody(step === 'cancel' ? { headline: draftFields.headline, description: draftFields.description, instruction: draftFields.instruction, expires: draftFields.expires, translations: draftFields.translations, ...submitFlag } : { ...draftFields, ...submitFlag }),
          response: { 201: detailSchema, ...problemResponses },
        },
      },
      async (request, reply) => reply.status(201).send(await warnings.startStep(deps, who(request), request.params.id, step, request.body ?? {})),
    );
  }
}
