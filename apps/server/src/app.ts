import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { AppContext } from './context.ts';
import { installProblemHandler } from './http/problem.ts';
import { installValidators } from './http/validation.ts';
import { registerSharedSchemas } from './http/schemas.ts';
import { installAuthHook } from './http/auth-hook.ts';
import { installMetrics } from './http/metrics.ts';
import { installWeb } from './http/web.ts';
import { createLoginLimits } from './auth/service.ts';
import { registerAuthRoutes } from './auth/routes.ts';
import { registerUserRoutes } from './users/routes.ts';
import { registerTokenRoutes } from './tokens/routes.ts';
import { registerAuditRoutes } from './audit/routes.ts';
import { registerRegionRoutes } from './regions/routes.ts';
import { registerEventRoutes } from './events/routes.ts';
import { registerSystemRoutes } from './system/routes.ts';
import { registerAssessmentRoutes } from './assessment/routes.ts';
import { registerReportRoutes } from './assessment/report-routes.ts';
import { registerInventoryRoutes } from './assessment/inventory-routes.ts';
import { registerAssessmentExportRoutes } from './assessment/export-routes.ts';
import { registerMonitoringRoutes } from './monitoring/routes.ts';
import { registerReadingRoutes } from './monitoring/ingest/routes.ts';
import { registerRuleRoutes } from './monitoring/rules/routes.ts';
import { registerAlarmRoutes } from './monitoring/alarms/routes.ts';
import { AlarmService } from './monitoring/alarms/service.ts';
import { registerRiskRoutes } from './risk/routes.ts';
import { registerWarningCoreRoutes } from './warning/core/routes.ts';
import { registerWarningResponseRoutes } from './warning/response/routes.ts';
import { registerRosterRoutes } from './warning/roster/routes.ts';
import { registerDeliveryRoutes } from './warning/delivery/routes.ts';

export interface AppOptions {
  /** Serve the built web app from apps/web/dist when present. */
  serveWeb?: boolean;
  /** Trust X-Forwarded-For from a reverse proxy in front of Anlan. */
  trustProxy?: boolean;
}

/** The composition root: every module's routes wired to the shared context. */
export async function buildApp(ctx: AppContext, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    trustProxy: opts.trustProxy ?? false,
    // Per-request lines would drown the console of a duty laptop; errors are logged by the problem handler.
    logController: new LogController({ disableRequestLogging: true }),
  });
  installValidators(app);
  installProblemHandler(app);
  registerSharedSchemas(app);
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Anlan 安澜 API', version: ctx.version, description: 'Emergency management platform API. Errors are application/problem+json (RFC 9457).' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'anlan_session' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  const metrics = installMetrics(app);
  installAuthHook(app, ctx);

  const limits = createLoginLimits(ctx.clock);
  registerSystemRoutes(app, { db: ctx.db, version: ctx.version, metrics });
  registerAuthRoutes(app, { db: ctx.db, clock: ctx.clock, bus: ctx.bus, limits });
  registerUserRoutes(app, ctx);
  registerTokenRoutes(app, ctx);
  registerAuditRoutes(app, ctx);
  registerRegionRoutes(app, ctx);
  registerAssessmentRoutes(app, ctx);
  registerReportRoutes(app, ctx);
  registerInventoryRoutes(app, ctx);
  registerAssessmentExportRoutes(app, ctx);
  registerMonitoringRoutes(app, ctx);
  registerReadingRoutes(app, ctx);
  registerRuleRoutes(app, ctx);
  // Without an engine host (a bare app in a test) alarms can still be read and acted on.
  registerAlarmRoutes(app, { db: ctx.db, clock: ctx.clock, readings: ctx.readings, alarms: ctx.monitoringRules?.alarms ?? new AlarmService(ctx) });
  registerWarningResponseRoutes(app, ctx);
  registerWarningCoreRoutes(app, {
    db: ctx.db, clock: ctx.clock, bus: ctx.bus, log: ctx.log,
    // Read when used: startAnlan wires these after the app is built.
    dispatch: () => ctx.warningDispatch, feeds: () => ctx.warningCore?.feeds,
    alarms: ctx.monitoringRules?.alarms ?? new AlarmService(ctx),
  });
  registerRosterRoutes(app, ctx);
  registerDeliveryRoutes(app, () => ctx.warningDelivery);
  registerRiskRoutes(app, ctx);
  registerEventRoutes(app, ctx.bus);
  if (opts.serveWeb !== false) await installWeb(app);
  return app;
}
