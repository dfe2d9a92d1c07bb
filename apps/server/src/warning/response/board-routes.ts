/**
 * The board's routes: recipients of a warning with their status and time left, the evacuation
 * ledger, the spreadsheet, the live stream, answers recorded by staff, photos, and SMS replies that
 * matched nobody. All of them read through the store's region scope.
 */
import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Role } from '@anlan/core';
import { actorOf } from '../../caller.ts';
import { requireCaller, requireUser } from '../../http/guards.ts';
import { idParam, problemResponses } from '../../http/schemas.ts';
import { XLSX_CONTENT_TYPE, attachmentDisposition } from '../../http/xlsx.ts';
import { answerBodySchema, type AnswerBody } from './answer-input.ts';
import { RECIPIENT_STATUSES, type RecipientFilter, type RecipientStatus } from './board-store.ts';
import * as boardService from './board-service.ts';
import type { WarningResponse } from './host.ts';
import { answerResultSchema, evacuationSchema, recipientsPageSchema, unmatchedSchema } from './schemas.ts';
import * as service from './service.ts';
import { listUnmatched } from './sms-store.ts';

const STAFF: readonly Role[] = ['admin', 'commander', 'duty'];
const HEARTBEAT_MS = 25_000;

const filterProperties = {
  status: { type: 'string', enum: [...RECIPIENT_STATUSES] },
  regionCode: { type: 'string', pattern: '^([0-9]{6}|[0-9]{9}|[0-9]{12})$', description: 'this township or village (and below)' },
  q: { type: 'string', minLength: 1, maxLength: 50, description: 'part of the name or phone number' },
} as const;

type FilterQuery = { status?: RecipientStatus; regionCode?: string; q?: string };
type ListQuery = FilterQuery & { sort: 'region' | 'deadline'; limit: number; offset: number };

const warningAndRecipient = {
  type: 'object',
  properties: { id: idParam.properties.id, recipientId: idParam.properties.id },
  required: ['id', 'recipientId'],
} as const;

const warningAndAnswer = {
  type: 'object',
  properties: { id: idParam.properties.id, answerId: idParam.properties.id },
  required: ['id', 'answerId'],
} as const;

export function registerBoardRoutes(app: FastifyInstance, wr: WarningResponse): void {
  const deps = { db: wr.deps.db, clock: wr.deps.clock, filesDir: wr.deps.filesDir };

  app.get<{ Params: { id: number }; Querystring: ListQuery }>(
    '/api/v1/warnings/:id/recipients',
    {
      schema: {
        tags: ['warning'],
        summary: 'The call-response board: recipients of a warning in the caller\'s region with status, time left and latest feedback, and counts per status, township and village',
        params: idParam,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...filterProperties,
            sort: { type: 'string', enum: ['region', 'deadline'], default: 'region', description: 'region: by township and village; deadline: silent and escalated first, then the least time left' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: { 200: recipientsPageSchema, ...problemResponses },
      },
    },
    async (request) => boardService.recipients(deps, requireCaller(request).scope, request.params.id, request.query as RecipientFilter),
  );

  app.get<{ Params: { id: number }; Querystring: FilterQuery }>(
    '/api/v1/warnings/:id/recipients/export',
    {
      schema: {
        tags: ['warning'],
        summary: 'The recipient list (叫应名单) and the evacuation ledger (转移台账) as an Excel workbook; same filters as the list',
        params: idParam,
        querystring: { type: 'object', additionalProperties: false, properties: filterProperties },
        produces: [XLSX_CONTENT_TYPE],
        response: { 200: { type: 'string', format: 'binary' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { warning, xlsx } = await boardService.exportRecipients(deps, requireCaller(request).scope, request.params.id, request.query);
      const stamp = wr.deps.clock.now().toISOString().slice(0, 10);
      return reply
        .type(XLSX_CONTENT_TYPE)
        .header('content-disposition', attachmentDisposition(`叫应名单-预警${warning.id}-${stamp}.xlsx`, `warning-${warning.id}-recipients-${stamp}.xlsx`))
        .send(xlsx);
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/warnings/:id/evacuation',
    {
      schema: {
        tags: ['warning'],
        summary: 'The evacuation ledger (转移台账): planned, moved, sheltered and at risk per county, township and village, and 转移到位率 (moved / planned)',
        description: 'planned sums what each recipient must move (their 包保 inside the area); moved, sheltered and atRisk sum each recipient\'s latest report of that count.',
        params: idParam,
        response: { 200: evacuationSchema, ...problemResponses },
      },
    },
    async (request) => boardService.evacuation(deps, requireCaller(request).scope, request.params.id),
  );

  app.post<{ Params: { id: number; recipientId: number }; Body: AnswerBody }>(
    '/api/v1/warnings/:id/recipients/:recipientId/answer',
    {
      schema: {
        tags: ['warning'],
        summary: 'Record an answer taken by phone, on the recipient\'s behalf (admin, commander, duty); audited',
        params: warningAndRecipient,
        body: answerBodySchema,
        response: { 200: answerResultSchema, ...problemResponses },
      },
    },
    async (request) => {
      const caller = requireUser(request, STAFF);
      return service.answerOnBehalf(wr, { actor: actorOf(caller), scope: caller.scope }, request.params.id, request.params.recipientId, request.body);
    },
  );

  app.get<{ Params: { id: number; answerId: number } }>(
    '/api/v1/warnings/:id/answers/:answerId/photo',
    {
      schema: {
        tags: ['warning'],
        summary: 'The photo sent with an answer (JPEG, PNG, WebP or HEIC)',
        params: warningAndAnswer,
        produces: ['image/jpeg', 'image/png', 'image/webp', 'image/heic'],
        response: { 200: { type: 'string', format: 'binary' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const photo = await boardService.answerPhoto(deps, requireCaller(request).scope, request.params.id, request.params.answerId);
      return reply.type(photo.mime).header('cache-control', 'private, max-age=86400').send(createReadStream(photo.path));
    },
  );

  app.get<{ Querystring: { limit: number; before?: number } }>(
    '/api/v1/warning/sms-unmatched',
    {
      schema: {
        tags: ['warning'],
        summary: 'SMS replies that answered nothing (unknown number, no reply code, no open warning), newest first (admin, commander, duty)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 }, before: { type: 'integer', minimum: 1, description: 'id cursor' } },
        },
        response: { 200: unmatchedSchema, ...problemResponses },
      },
    },
    async (request) => ({ items: await listUnmatched(wr.deps.db, requireUser(request, STAFF).scope, request.query.limit, request.query.before ?? null) }),
  );

  registerBoardStream(app, wr);
}

/**
 * Live updates of one warning's board (text/event-stream): first a `snapshot` of the counts, then
 * `update`s at most once a second while answers, escalations or receipts come in.
 */
function registerBoardStream(app: FastifyInstance, wr: WarningResponse): void {
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });
  app.get<{ Params: { id: number } }>(
    '/api/v1/warnings/:id/board/stream',
    {
      schema: {
        tags: ['warning'],
        summary: 'Live board of a warning (text/event-stream): event "snapshot" once, then "update" { counts, groups, changed[], reload } at most once a second',
        params: idParam,
      },
    },
    async (request, reply) => {
      const caller = requireCaller(request);
      const warningId = request.params.id;
      await boardService.warningFor(wr.deps, caller.scope, warningId);
      const snapshot = await wr.board.snapshot(warningId, caller.scope);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: 3000\n\nevent: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`);
      const unsubscribe = wr.board.subscribe(warningId, caller.scope, (event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
      const stop = () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(end);
      };
      const end = () => {
        stop();
        res.end();
      };
      open.add(end);
      request.raw.on('close', stop);
    },
  );
}
