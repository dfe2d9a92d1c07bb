import type { FastifyInstance } from 'fastify';
import type { EventBus } from './bus.ts';
import { requireCaller } from '../http/guards.ts';

const HEARTBEAT_MS = 25_000;

/** Server-sent events: each connection receives the bus events inside its caller's scope. */
export function registerEventRoutes(app: FastifyInstance, bus: EventBus): void {
  // Open streams are ended on shutdown; otherwise the server would wait for clients forever.
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });
  app.get(
    '/api/v1/events',
    { schema: { tags: ['events'], summary: 'Live events (text/event-stream) within the caller\'s region scope' } },
    async (request, reply) => {
      const caller = requireCaller(request);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: 3000\n\n`);
      const unsubscribe = bus.subscribe((event) => {
        if (!event.regionCode.startsWith(caller.scope.prefix)) return;
        res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      });
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
