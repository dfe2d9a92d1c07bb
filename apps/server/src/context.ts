import type { Database } from '@anlan/db';
import type { Clock } from '@anlan/core';
import type { Logger } from 'pino';
import type { EventBus } from './events/bus.ts';
import type { AssessFn, AssessmentJobRunner } from './assessment/jobs.ts';
import type { QuakeFeedPoller } from './assessment/feed-poller.ts';
import type { ReadingIngest } from './monitoring/ingest/service.ts';
import type { DemoSimulator } from './monitoring/simulator/simulator.ts';
import type { RuleHost } from './monitoring/rules/host.ts';
import type { MqttIngest } from './monitoring/mqtt/service.ts';
import type { WarningDispatch } from './warning/contracts.ts';
import type { WarningCore } from './warning/core/runtime.ts';
import type { WarningResponse } from './warning/response/host.ts';
import type { DeliveryService } from './warning/delivery/service.ts';

/** What the services share; each service takes only the parts it uses. */
export interface AppContext {
  db: Database;
  clock: Clock;
  bus: EventBus;
  log: Logger;
  version: string;
  /** Files kept beside the database (uploaded inventories). */
  filesDir: string;
  assessmentJobs: AssessmentJobRunner;
  /** The earthquake engine, off the event loop. */
  runAssess: AssessFn;
  /** Inventories with more rows than this are assessed as a job. */
  assessmentJobRows?: number;
  /** Polled earthquake report feeds (none unless configured). */
  quakeFeeds?: QuakeFeedPoller;
  /** The one readings ingest of this process: HTTP, MQTT, the simulator and replay all go through it. */
  readings: ReadingIngest;
  /** The rule engine of this process and the alarm service it feeds (started by startAnlan). */
  monitoringRules?: RuleHost;
  /** MQTT ingestion: the embedded broker and/or the bridge to an external one (none unless configured). */
  mqtt?: MqttIngest;
  /** The demo network's simulated sensors (only when started with `simulator`). */
  simulator?: DemoSimulator;
  /** What an issued warning is handed to (roster resolution, then delivery); wired by startAnlan. */
  warningDispatch?: WarningDispatch;
  /** The warning core's background work: polled CAP feeds and the expiry sweep (started by startAnlan). */
  warningCore?: WarningCore;
  /** Warning call-response (叫应): batched answers, escalation timers, live boards (started by startAnlan). */
  warningResponse?: WarningResponse;
  /** Warning delivery: the outbox enqueuer, its worker and channels, SMS callbacks (opened and started by startAnlan). */
  warningDelivery?: DeliveryService;
}
