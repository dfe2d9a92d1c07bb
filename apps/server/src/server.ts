import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { openEmbedded, openPostgres, migrate, isFreshDataDir, type Database } from '@anlan/db';
import { systemClock, type Clock } from '@anlan/core';
import { buildApp } from './app.ts';
import { InProcessBus, type EventBus } from './events/bus.ts';
import { NatsBus } from './events/nats-bus.ts';
import { loadReferenceRegions, type Progress } from './regions/loader.ts';
import { ensureFirstAdmin } from './seed/bootstrap.ts';
import { seedDemo } from './seed/demo.ts';
import { DemoSimulator } from './monitoring/simulator/simulator.ts';
import { deleteExpiredSessions } from './auth/store.ts';
import { VERSION } from './version.ts';
import type { AppContext } from './context.ts';
import { AssessmentJobRunner } from './assessment/jobs.ts';
import { createPooledAssess } from './assessment/engine-pool.ts';
import { assessmentJobWork } from './assessment/service.ts';
import { QuakeFeedPoller, type QuakeFeed } from './assessment/feed-poller.ts';
import { ReadingIngest } from './monitoring/ingest/service.ts';
import { RuleHost } from './monitoring/rules/host.ts';
import { MqttIngest } from './monitoring/mqtt/service.ts';
import { WarningCore } from './warning/core/runtime.ts';
import { parseCapFeedList, type CapFeed } from './warning/core/feed-poller.ts';
import { WarningResponse } from './warning/response/host.ts';
import { DeliveryService } from './warning/delivery/service.ts';
import { answerBySms } from './warning/response/sms-reply.ts';
import { createWarningDispatch } from './warning/dispatch.ts';
import { createRecipientResolver } from './warning/roster/resolver.ts';

export interface StartOptions {
  dataDir: string;
  databaseUrl?: string;
  port: number;
  host: string;
  adminPassword?: string;
  /** Create demo data on first start (default true). */
  demo?: boolean;
  demoPassword?: string;
  logLevel?: string;
  clock?: Clock;
  /** Start from a dumped embedded data directory (tests), instead of dataDir. */
  embeddedSnapshot?: Blob;
  progress?: Progress;
  serveWeb?: boolean;
  /** NATS with JetStream for the event bus, when several API processes share the work. */
  natsUrl?: string;
  /** Uploaded files; default `<dataDir>/files`. */
  filesDir?: string;
  /** Inventories with more rows are assessed as a background job (tests lower it). */
  assessmentJobRows?: number;
  /** The readings' write-ahead log; default `<dataDir>/wal` (or beside filesDir when there is no data dir). */
  walDir?: string;
  /** Earthquake report feeds to poll (ANLAN_QUAKE_FEEDS). */
  quakeFeeds?: QuakeFeed[];
  /**
   * With the demo, also its monitoring network of 泸定 (22 points, 45 sensors). Off by default here,
   * as tests count registry rows; `anlan start` turns it on.
   */
  demoNetwork?: boolean;
  /** Make the demo network's sensors report (monitoring/simulator); `anlan start` turns it on unless --no-simulator. */
  simulator?: boolean;
  /** Embedded MQTT broker port (0: any free one); absent or false: no embedded broker. `anlan start` uses 1883. */
  mqttPort?: number | false;
  /** Address the embedded broker listens on; default `host`. */
  mqttHost?: string;
  /** Go on without the embedded broker when its port is taken (the default port, where a Mosquitto may run). */
  mqttPortOptional?: boolean;
  /** External broker to take readings from (ANLAN_MQTT_URL), with the API token whose region they get (ANLAN_MQTT_TOKEN). */
  mqttUrl?: string;
  mqttToken?: string;
  /** Topic prefix on the external broker (ANLAN_MQTT_TOPIC_PREFIX), and its session's client id (ANLAN_MQTT_CLIENT_ID). */
  mqttTopicPrefix?: string;
  mqttClientId?: string;
  /** CAP warning feeds to poll; default ANLAN_CAP_FEEDS (`url[@seconds]`, comma-separated), plus the setting warning.cap_feeds. */
  capFeeds?: CapFeed[];
}

export interface RunningAnlan {
  url: string;
  ctx: AppContext;
  /** Printed once by the caller when the first administrator's password was generated. */
  generatedAdminPassword: string | null;
  close(): Promise<void>;
}

export async function openConfiguredDatabase(opts: Pick<StartOptions, 'dataDir' | 'databaseUrl' | 'embeddedSnapshot' | 'progress'>): Promise<{ db: Database; fresh: boolean }> {
  if (opts.databaseUrl) return { db: await openPostgres(opts.databaseUrl), fresh: false };
  if (opts.embeddedSnapshot) return { db: await openEmbedded({ loadDataDir: opts.embeddedSnapshot }), fresh: false };
  const dir = join(opts.dataDir, 'pg');
  const fresh = isFreshDataDir(dir);
  opts.progress?.(fresh ? 'initdb' : 'open', 0, 1);
  const db = await openEmbedded({ dataDir: dir });
  opts.progress?.(fresh ? 'initdb' : 'open', 1, 1);
  return { db, fresh };
}

/** Migrates, loads reference regions and the first administrator: everything a new database needs. */
export async function prepareDatabase(db: Database, clock: Clock, opts: Pick<StartOptions, 'adminPassword' | 'progress'>): Promise<{ generatedAdminPassword: string | null }> {
  await migrate(db, (done, total, name) => opts.progress?.(`migrate ${name}`, done, total));
  await loadReferenceRegions(db, opts.progress);
  const admin = await ensureFirstAdmin({ db, clock }, opts.adminPassword);
  return { generatedAdminPassword: admin.generatedPassword };
}

export async function startAnlan(opts: StartOptions): Promise<RunningAnlan> {
  const clock = opts.clock ?? systemClock;
  const log: Logger = pino({ level: opts.logLevel ?? 'info', base: { service: 'anlan' } });
  // A bad ANLAN_CAP_FEEDS stops the start before anything listens.
  const capFeeds = opts.capFeeds ?? parseCapFeedList(process.env.ANLAN_CAP_FEEDS);
  const { db } = await openConfiguredDatabase(opts);
  try {
    const { generatedAdminPassword } = await prepareDatabase(db, clock, opts);
    if (opts.demo !== false) {
      await seedDemo({ db, clock }, { password: opts.demoPassword ?? opts.adminPassword ?? generatedAdminPassword ?? '', network: opts.demoNetwork === true });
    }
    const bus: EventBus = opts.natsUrl ? await NatsBus.connect({ url: opts.natsUrl }) : new InProcessBus();
    const assessmentJobs = new AssessmentJobRunner({ db, clock, bus, log });
    const engine = createPooledAssess();
    const filesDir = opts.filesDir ?? join(opts.dataDir, 'files');
    const ctx: AppContext = { db, clock, bus, log, version: VERSION, filesDir, assessmentJobs, runAssess: engine.run, assessmentJobRows: opts.assessmentJobRows, readings: new ReadingIngest({ db, clock, bus, log, walDir: opts.walDir ?? (opts.dataDir ? join(opts.dataDir, 'wal') : join(filesDir, 'wal')) }) };
    await ctx.readings.start();
    // Before anything can ingest: the engine warms up from the database and then takes every batch.
    ctx.monitoringRules = new RuleHost(ctx);
    await ctx.monitoringRules.start();
    ctx.quakeFeeds = new QuakeFeedPoller(ctx, log, opts.quakeFeeds ?? []);
    ctx.warningResponse = new WarningResponse({ db, clock, bus, log, filesDir });
    await assessmentJobs.start(assessmentJobWork(ctx));
    ctx.warningDelivery = await DeliveryService.open({ db, clock, bus, log }, { fallbackPublicUrl: `http://localhost:${opts.port}` });
    ctx.warningDelivery.smsReplies = (sms) => answerBySms({ db, clock, bus, warningResponse: ctx.warningResponse }, sms);
    // Superiors called in by escalation are sent the warning like everyone else.
    ctx.warningResponse.setEnqueuer(ctx.warningDelivery.enqueuer);
    const delivery = ctx.warningDelivery;
    ctx.warningResponse.shown = (ids) => delivery.inappDelivered(ids);
    // An issued warning: roster resolves its recipients, delivery enqueues their messages.
    ctx.warningDispatch = createWarningDispatch({ db, bus, resolver: createRecipientResolver({ clock }), enqueuer: ctx.warningDelivery.enqueuer });
    const app = await buildApp(ctx, { serveWeb: opts.serveWeb });
    await app.listen({ port: opts.port, host: opts.host });
    // One-tap links name the port actually taken, unless ANLAN_PUBLIC_URL says where responders reach us.
    const listening = app.server.address();
    ctx.warningDelivery.listeningOn(typeof listening === 'object' && listening ? listening.port : opts.port);
    await ctx.warningDelivery.start();
    ctx.quakeFeeds.start();
    ctx.warningCore = new WarningCore({ db, clock, bus, log, dispatch: () => ctx.warningDispatch }, log, capFeeds);
    await ctx.warningCore.start();
    // Escalation timers are rows: the first pass catches up on deadlines that passed while stopped.
    ctx.warningResponse.start();
    try {
      ctx.mqtt = (await MqttIngest.start(ctx, {
        port: opts.mqttPort,
        host: opts.mqttHost ?? opts.host,
        portOptional: opts.mqttPortOptional,
        url: opts.mqttUrl,
        token: opts.mqttToken,
        topicPrefix: opts.mqttTopicPrefix,
        clientId: opts.mqttClientId,
      })) ?? undefined;
    } catch (err) {
      await ctx.warningCore.close();
      await ctx.quakeFeeds.close();
      await app.close();
      await ctx.warningDelivery.close();
      await ctx.warningResponse.close();
      await ctx.monitoringRules?.close();
      await ctx.readings.close();
      await assessmentJobs.close();
      await engine.close();
      await bus.close();
      throw err;
    }
    if (opts.simulator) {
      // After listen, so the first readings meet a server that answers; idle without a demo network.
      ctx.simulator = new DemoSimulator(ctx);
      await ctx.simulator.start();
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : opts.port;
    const shownHost = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
    const sweeper = setInterval(() => void deleteExpiredSessions(db, clock.now()).catch(() => undefined), 60 * 60 * 1000);
    sweeper.unref();
    let closing: Promise<void> | null = null;
    return {
      url: `http://${shownHost}:${port}`,
      ctx,
      generatedAdminPassword,
      close() {
        // Stop accepting, finish in-flight requests, then close the bus and the database.
        closing ??= (async () => {
          clearInterval(sweeper);
          await ctx.simulator?.stop();
          await ctx.quakeFeeds?.close();
          await ctx.warningCore?.close();
          await ctx.mqtt?.close();
          await app.close();
          await ctx.warningDelivery?.close();
          await ctx.warningResponse?.close();
          await ctx.monitoringRules?.close();
          await ctx.readings.close();
          await assessmentJobs.close();
          await engine.close();
          await bus.close();
          await db.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}
