/**
 * The mobile page (一键通) of a logged-in responsible person: the account is linked to a person of
 * the roster (responsible_persons.user_id), and sees and answers only that person's warnings.
 */
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../http/guards.ts';
import { problemResponses } from '../../http/schemas.ts';
import { answerBodySchema, type AnswerBody } from './answer-input.ts';
import type { WarningResponse } from './host.ts';
import { readPhotoForm } from './photo-form.ts';
import { answerResultSchema, myWarningsSchema, recipientIdParam } from './schemas.ts';
import * as service from './service.ts';

const BASE = '/api/v1/warning/my';

export function registerMyRoutes(app: FastifyInstance, wr: WarningResponse): void {
  const me = (request: Parameters<typeof requireUser>[0]) => {
    const user = requireUser(request);
    return { userId: user.id, scope: user.scope };
  };

  app.get<{ Querystring: { limit: number } }>(
    BASE,
    {
      schema: {
        tags: ['warning'],
        summary: 'The warnings that concern me (the responsible person linked to my account): open ones first, with my status and deadline',
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 } } },
        response: { 200: myWarningsSchema, ...problemResponses },
      },
    },
    async (request) => service.myWarnings(wr, me(request), request.query.limit),
  );

  app.post<{ Params: { recipientId: number }; Body: AnswerBody }>(
    `${BASE}/:recipientId/answer`,
    {
      schema: {
        tags: ['warning'],
        summary: 'Answer a warning addressed to me: { kind: "received" } or { kind: "feedback", moved, sheltered, atRisk, note }; clientKey makes a queued answer sent twice count once',
        params: recipientIdParam,
        body: answerBodySchema,
        response: { 200: answerResultSchema, ...problemResponses },
      },
    },
    async (request) => service.answerAsMe(wr, me(request), request.params.recipientId, request.body),
  );

  app.post<{ Params: { recipientId: number } }>(
    `${BASE}/:recipientId/photo`,
    {
      schema: {
        tags: ['warning'],
        summary: 'Feedback with a photo on a warning addressed to me: multipart/form-data, file field "photo" and optional fields moved, sheltered, atRisk, note, clientKey, answeredAt',
        consumes: ['multipart/form-data'],
        params: recipientIdParam,
        response: { 200: answerResultSchema, ...problemResponses },
      },
    },
    async (request) => {
      const caller = me(request);
      const { body, photo } = await readPhotoForm(request);
      return service.answerAsMe(wr, caller, request.params.recipientId, body, photo);
    },
  );
}
