/**
 * The one-tap link (一键叫应): `/a/<token>` in an SMS opens the mobile page, which reads and answers
 * through `/api/v1/acks/<token>` without a login. The token is the only credential: a forged one is
 * 403 and an expired one 410, and an address that keeps presenting bad tokens is held off (429).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { problemResponses } from '../../http/schemas.ts';
import { WEB_DIST } from '../../http/web.ts';
import { answerBodySchema, type AnswerBody } from './answer-input.ts';
import type { WarningResponse } from './host.ts';
import { readPhotoForm } from './photo-form.ts';
import { answerResultSchema, linkViewSchema, tokenParam } from './schemas.ts';
import * as service from './service.ts';

const LINK_ERRORS = '403: the token is forged or malformed (errors[0].message says which); 410: it has expired; 429: too many bad tokens from this address.';

export function registerLinkRoutes(app: FastifyInstance, wr: WarningResponse): void {
  app.get<{ Params: { token: string } }>(
    '/api/v1/acks/:token',
    {
      schema: {
        tags: ['warning'],
        summary: 'What a one-tap answer link shows (no login): the warning and the recipient\'s own name and status, nothing about anyone else',
        description: LINK_ERRORS,
        security: [],
        params: tokenParam,
        response: { 200: linkViewSchema, ...problemResponses },
      },
    },
    async (request) => service.viewByLink(wr, request.params.token, request.ip),
  );

  app.post<{ Params: { token: string }; Body: AnswerBody }>(
    '/api/v1/acks/:token',
    {
      schema: {
        tags: ['warning'],
        summary: 'Answer by the one-tap link (no login): { kind: "received" } (收到) or { kind: "feedback", moved, sheltered, atRisk, note }',
        description:
          `The answer is stored before this responds. The same answer sent again (a double tap, a retry with the same clientKey) counts once and answers result "duplicate". ${LINK_ERRORS}`,
        security: [],
        params: tokenParam,
        body: answerBodySchema,
        response: { 200: answerResultSchema, ...problemResponses },
      },
    },
    async (request) => service.answerByLink(wr, request.params.token, request.ip, request.body),
  );

  app.post<{ Params: { token: string } }>(
    '/api/v1/acks/:token/photo',
    {
      schema: {
        tags: ['warning'],
        summary: 'Feedback with a photo by the one-tap link (no login): multipart/form-data, file field "photo" (JPEG, PNG, WebP or HEIC, at most 10 MB) and optional fields moved, sheltered, atRisk, note, clientKey, answeredAt',
        description: LINK_ERRORS,
        security: [],
        consumes: ['multipart/form-data'],
        params: tokenParam,
        response: { 200: answerResultSchema, ...problemResponses },
      },
    },
    async (request) => {
      // The token is checked before the upload is read: a bad link costs no disk and little time.
      await service.recipientOfToken(wr, request.params.token, request.ip);
      const { body, photo } = await readPhotoForm(request);
      return service.answerByLink(wr, request.params.token, request.ip, body, photo);
    },
  );

  // The short link sent by SMS. The single-page app answers every other path itself, but a token
  // ends in ".<mac>", which the static files would take for a file name.
  app.get<{ Params: { token: string } }>('/a/:token', { schema: { hide: true } }, async (_request, reply) => {
    const html = await readFile(join(WEB_DIST, 'index.html'), 'utf8').catch(() => null);
    if (html === null) {
      return reply
        .status(404)
        .type('application/problem+json')
        .send({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'The web app is not built (npm run build:web); answer with POST /api/v1/acks/<token>' });
    }
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  });
}
