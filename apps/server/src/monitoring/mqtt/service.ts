/**
 * MQTT ingestion of this process: the embedded broker, the bridge to an external broker, or both,
 * each feeding the one readings ingest through its own micro-batcher.
 */
import type { Logger } from 'pino';
import type { Clock } from '@anlan/core';
import type { Database } from '@anlan/db';
import type { ReadingIngest } from '../ingest/service.ts';
import { ReadingBatcher, type BatcherOptions } from './batcher.ts';
import { EmbeddedBroker } from './broker.ts';
import { ExternalBridge, redactUrl } from './bridge.ts';

export interface MqttOptions {
  /** Embedded broker port (0: any free one); false or absent: no embedded broker. */
  port?: number | false;
  host?: string;
  /** When the port is taken, log and go on without the embedded broker instead of failing the start. */
  portOptional?: boolean;
  /** External broker to subscribe to (`mqtt://user:password@host:1883`). */
  url?: string;
  /** API token whose region scope the external broker's readings get. */
  token?: string;
  topicPrefix?: string;
  clientId?: string;
  batch?: BatcherOptions;
  /** How often live connections' tokens are checked again (tests shorten it). */
  recheckMs?: number;
}

export interface MqttDeps {
  db: Database;
  clock: Clock;
  log: Logger;
  readings: ReadingIngest;
}

export class MqttIngest {
  private constructor(
    readonly broker: EmbeddedBroker | null,
    readonly bridge: ExternalBridge | null,
  ) {}

  /** Null when neither an embedded broker nor an external one is configured. */
  static async start(deps: MqttDeps, opts: MqttOptions): Promise<MqttIngest | null> {
    const ingest = deps.readings.ingest.bind(deps.readings);
    let broker: EmbeddedBroker | null = null;
    if (opts.port !== undefined && opts.port !== false) {
      const host = opts.host ?? '127.0.0.1';
      try {
        broker = await EmbeddedBroker.start(deps, { port: opts.port, host, batcher: new ReadingBatcher(ingest, opts.batch), recheckMs: opts.recheckMs });
        deps.log.info({ host, port: broker.port }, 'MQTT broker listening');
      } catch (err) {
        if (!opts.portOptional) throw new Error(`MQTT broker: cannot listen on ${host}:${opts.port}: ${(err as Error).message}`, { cause: err });
        deps.log.warn({ err, host, port: opts.port }, 'MQTT broker not started: the port is taken (another broker?); readings still come in over HTTP');
      }
    }
    let bridge: ExternalBridge | null = null;
    if (opts.url) {
      if (!opts.token) {
        deps.log.error({ broker: redactUrl(opts.url) }, 'MQTT bridge not started: ANLAN_MQTT_URL is set but ANLAN_MQTT_TOKEN (the API token whose region the readings get) is not');
      } else {
        // mqtt.js hands over one message at a time: waiting for more would only add latency.
        bridge = new ExternalBridge(deps, {
          url: opts.url,
          token: opts.token,
          topicPrefix: opts.topicPrefix,
          clientId: opts.clientId,
          batcher: new ReadingBatcher(ingest, { ...opts.batch, maxDelayMs: 0 }),
          recheckMs: opts.recheckMs,
        });
        bridge.start();
      }
    }
    return broker || bridge ? new MqttIngest(broker, bridge) : null;
  }

  async close(): Promise<void> {
    await Promise.all([this.broker?.close(), this.bridge?.close()]);
  }
}
