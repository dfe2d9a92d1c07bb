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
}
