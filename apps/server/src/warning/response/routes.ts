/**
 * Every route of call-response (叫应), in one encapsulated plugin that alone parses
 * multipart/form-data (the photo uploads), with its limits.
 */
import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { AppContext } from '../../context.ts';
import { registerBoardRoutes } from './board-routes.ts';
import { WarningResponse } from './host.ts';
import { registerLinkRoutes } from './link-routes.ts';
import { registerMyRoutes } from './my-routes.ts';
import { PHOTO_MAX_BYTES } from './photos.ts';

export function registerWarningResponseRoutes(app: FastifyInstance, ctx: AppContext): void {
  let wr = ctx.warningResponse;
  if (!wr) {
    // A bare app (no startAnlan): answers, the board and links work; escalation waits for a host.
    const own = new WarningResponse({ db: ctx.db, clock: ctx.clock, bus: ctx.bus, log: ctx.log, filesDir: ctx.filesDir });
    app.addHook('onClose', async () => own.close());
    wr = own;
  }
  const host = wr;
  void app.register(async (scoped) => {
    await scoped.register(multipart, { limits: { fileSize: PHOTO_MAX_BYTES, files: 1, fields: 12, parts: 14 } });
    registerLinkRoutes(scoped, host);
    registerMyRoutes(scoped, host);
    registerBoardRoutes(scoped, host);
  });
}
