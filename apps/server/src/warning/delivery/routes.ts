/**
 * Delivery's HTTP surface: the SMS gateway's callbacks (receipts, replies; authenticated by an
 * HMAC over the raw body, not by a session), Web Push subscriptions of the mobile page, and the
 * per-channel outbox counts of a warning for the board.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '@anlan/core';
import { requireCaller, requireUser } from '../../http/guards.ts';
import { idParam, problemResponses } from '../../http/schemas.ts';
import { actorOf } from '../../caller.ts';
import { CHANNELS } from './channel.ts';
import { INBOUND_PATH, RECEIPTS_PATH, type DeliveryService } from './service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body as received, for routes whose signature covers it. */
    rawBody?: string;
  }
}

const signedHeaders = {
  type: 'object',
  properties: {
    'x-anlan-timestamp': { type: 'string', description: 'Unix seconds; within 300 s of the server clock' },
    'x-anlan-signature': { type: 'string', description: 'v1=<hex HMAC-SHA256(callback secret, timestamp + "." + raw body)>' },
  },
} as const;

const rowErrors = {
  type: 'array',
  items: { type: 'object', properties: { index: { type: 'integer' }, field: { type: 'string' }, message: { type: 'string' } } },
} as const;

const countsSchema = {
  type: 'object',
  properties: {
    channel: { type: 'string', enum: [...CHANNELS] },
    queued: { type: 'integer' },
    sending: { type: 'integer' },
    sent: { type: 'integer' },
    delivered: { type: 'integer' },
    failed: { type: 'integer' },
    total: { type: 'integer' },
  },
} as const;

const pushBody = {
  type: 'object',
  additionalProperties: false,
  description: 'PushSubscription.toJSON() of the browser',
  properties: {
    endpoint: { type: 'string', minLength: 10, maxLength: 2000 },
    expirationTime: { type: ['number', 'null'] },
    keys: {
      type: 'object',
      additionalProperties: false,
      properties: {
        p256dh: { type: 'string', pattern: '^[A-Za-z0-9_-]{80,100}$', description: 'the browser\'s P-256 key, base64url' },
        auth: { type: 'string', pattern: '^[A-Za-z0-9_-]{16,32}$', description: 'the auth secret, base64url' },
      },
      required: ['p256dh', 'auth'],
    },
  },
  required: ['endpoint', 'keys'],
} as const;

export function registerDeliveryRoutes(app: FastifyInstance, delivery: () => DeliveryService | undefined): void {
  const service = (): DeliveryService => {
    const s = delivery();
    if (!s) throw new AppError(503, 'Service Unavailable', 'Warning delivery is not running in this process');
    return s;
  };

  // The callbacks keep their raw body: the signature is over the bytes the gateway sent.
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request: FastifyRequest, body: string, done) => {
      request.rawBody = body;
      try {
        done(null, JSON.parse(body));
      } catch {
        done(new AppError(400, 'Bad Request', 'The body is not JSON'), undefined);
      }
    });

    scope.post(
      RECEIPTS_PATH,
      {
        schema: {
          tags: ['warning'],
          summary: 'SMS delivery receipts from the gateway (signed; see docs/warning.md#delivery-channels)',
          headers: signedHeaders,
          body: {
            type: 'object',
            properties: {
              receipts: {
                type: 'array',
                description: '[{ messageId, status: "delivered"|"failed", at?: ISO date-time, error?: text }]; each row is checked on its own',
                items: { type: 'object' },
              },
            },
            required: ['receipts'],
          },
          response: {
            200: {
              type: 'object',
              properties: {
                accepted: { type: 'integer', description: 'receipts matched to a message we sent' },
                unknown: { type: 'array', items: { type: 'string' }, description: 'messageIds we never got from this gateway' },
                errors: rowErrors,
              },
            },
            ...problemResponses,
          },
        },
      },
      async (request) => service().smsReceipts(request.rawBody ?? '', request.body, request.headers),
    );

    scope.post(
      INBOUND_PATH,
      {
        schema: {
          tags: ['warning'],
          summary: 'SMS replies from the gateway (回复1收到 and feedback codes; signed)',
          headers: signedHeaders,
          body: {
            type: 'object',
            properties: {
              messages: {
                type: 'array',
                description: '[{ messageId, phone, text, receivedAt?: ISO date-time }]; each row is checked on its own',
                items: { type: 'object' },
              },
            },
            required: ['messages'],
          },
          response: {
            200: {
              type: 'object',
              properties: {
                accepted: { type: 'integer' },
                results: { type: 'array', items: { type: 'object', properties: { index: { type: 'integer' }, messageId: { type: 'string' }, outcome: { type: 'object', additionalProperties: true } } } },
                errors: rowErrors,
              },
            },
            ...problemResponses,
          },
        },
      },
      async (request) => service().smsInbound(request.rawBody ?? '', request.body, request.headers),
    );
  });

  app.get(
    '/api/v1/warning/push/key',
    {
      schema: {
        tags: ['warning'],
        summary: 'The VAPID public key the mobile page subscribes with (applicationServerKey)',
        response: { 200: { type: 'object', properties: { publicKey: { type: 'string' } } }, ...problemResponses },
      },
    },
    async (request) => {
      requireCaller(request);
      return { publicKey: await service().pushPublicKey() };
    },
  );

  app.post<{ Body: { endpoint: string; keys: { p256dh: string; auth: string } } }>(
    '/api/v1/warning/push/subscriptions',
    {
      schema: {
        tags: ['warning'],
        summary: 'Register this browser for Web Push of the warnings that reach the logged-in responsible person',
        body: pushBody,
        response: {
          201: { type: 'object', properties: { id: { type: 'integer' }, personId: { type: 'integer' } } },
          200: { type: 'object', properties: { id: { type: 'integer' }, personId: { type: 'integer' } } },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const ua = request.headers['user-agent'];
      const r = await service().subscribe(
        { actor: actorOf(user), scope: user.scope, userId: user.id, userAgent: typeof ua === 'string' ? ua.slice(0, 300) : null },
        { endpoint: request.body.endpoint, p256dh: request.body.keys.p256dh, auth: request.body.keys.auth },
      );
      return reply.status(r.created ? 201 : 200).send({ id: r.id, personId: r.personId });
    },
  );

  app.delete<{ Body: { endpoint: string } }>(
    '/api/v1/warning/push/subscriptions',
    {
      schema: {
        tags: ['warning'],
        summary: 'Stop Web Push to this browser',
        body: { type: 'object', additionalProperties: false, properties: { endpoint: { type: 'string', minLength: 10, maxLength: 2000 } }, required: ['endpoint'] },
        response: { 204: { type: 'null' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      await service().unsubscribe({ actor: actorOf(user), scope: user.scope, userId: user.id }, request.body.endpoint);
      return reply.status(204).send();
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/warnings/:id/outbox',
    {
      schema: {
        tags: ['warning'],
        summary: 'Messages of a warning per channel and state (recipients of the caller\'s region), the SMS length, and failures',
        params: idParam,
        response: {
          200: {
            type: 'object',
            properties: {
              warningId: { type: 'integer' },
              channels: { type: 'array', items: countsSchema },
              pendingRecipients: { type: 'integer', description: 'recipients whose messages are still being written' },
              sms: { type: ['object', 'null'], properties: { chars: { type: 'integer' }, segments: { type: 'integer' } } },
              failures: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    recipientId: { type: ['integer', 'null'] },
                    name: { type: ['string', 'null'] },
                    regionCode: { type: ['string', 'null'] },
                    channel: { type: 'string' },
                    address: { type: 'string' },
                    attempts: { type: 'integer' },
                    lastError: { type: ['string', 'null'] },
                  },
                },
              },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (request) => service().outboxStats(requireCaller(request).scope, request.params.id),
  );
}
