/**
 * External broker mode: Anlan subscribes to `<prefix>readings/#` on Mosquitto, EMQX or any MQTT
 * 3.1.1 broker and ingests what devices publish there, with the region scope of one API token.
 *
 * The session is persistent (fixed client id, clean session off, QoS 1), so the broker keeps the
 * readings while Anlan is down, and each message is acknowledged only once it is durable. mqtt.js
 * hands over one message at a time and waits for it, so this path ingests message by message; a
 * gateway that publishes arrays gets far more readings through than devices publishing one each.
 *
 * Nothing here is fatal: a bad token, a broker that is down or refuses the login are logged and
 * tried again, with a growing pause, for as long as Anlan runs.
 */
import { connect as connectMqtt, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Clock } from '@anlan/core';
import type { Database } from '@anlan/db';
import { resolveCaller } from '../../auth/service.ts';
import { actorOf } from '../../caller.ts';
import type { ReadingBatcher, Writer } from './batcher.ts';
import { parsePayload, parseTopic, READINGS_TOPIC } from './payload.ts';
import { ThrottledLog, zeroCounters, type MqttCounters } from './stats.ts';

export const DEFAULT_CLIENT_ID = 'anlan-ingest';
const MIN_RETRY_MS = 1000;
const MAX_RETRY_MS = 60_000;
const RECHECK_MS = 60_000;

export interface BridgeDeps {
  db: Database;
  clock: Clock;
  log: Logger;
}

export interface BridgeOptions {
  /** `mqtt://user:password@host:1883` (also mqtts://, ws://, wss://). */
  url: string;
  /** The API token whose region scope the readings get. */
  token: string;
  /** Put before `readings`: with `county/513322/`, Anlan subscribes to `county/513322/readings/#`. */
  topicPrefix?: string;
  /** The broker keeps the session (and queued readings) under this id; default `anlan-ingest`. */
  clientId?: string;
  batcher: ReadingBatcher;
  /** Tests shorten it. */
  recheckMs?: number;
}

/** The URL with its password replaced, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

export class ExternalBridge {
  readonly counters: MqttCounters = zeroCounters();
  private client: MqttClient | null = null;
  private who: Writer | null = null;
  private retryMs = MIN_RETRY_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  private recheck: NodeJS.Timeout | null = null;
  private stopped = false;
  private subscribed = false;
  private tokenRefused = false;
  private readonly warn: ThrottledLog;
  private readonly prefix: string;
  private readonly where: string;

  constructor(
    private readonly deps: BridgeDeps,
    private readonly opts: BridgeOptions,
  ) {
    this.warn = new ThrottledLog(deps.log);
    this.prefix = opts.topicPrefix ?? '';
    this.where = redactUrl(opts.url);
  }

  /** True once subscribed on the broker. */
  get ready(): boolean {
    return this.subscribed && !!this.client?.connected;
  }

  /** Where the bridge stands, for status pages and tests. */
  get status(): 'stopped' | 'checking token' | 'token refused' | 'connecting' | 'connected' | 'subscribed' {
    if (this.stopped) return 'stopped';
    if (!this.client) return this.tokenRefused ? 'token refused' : 'checking token';
    if (!this.client.connected) return 'connecting';
    return this.subscribed ? 'subscribed' : 'connected';
  }

  /** Returns at once; the connection is made (and remade) in the background. */
  start(): void {
    void this.verifyThenConnect();
    this.recheck = setInterval(() => void this.recheckToken(), this.opts.recheckMs ?? RECHECK_MS);
    this.recheck.unref();
  }

  private async verifyThenConnect(): Promise<void> {
    this.retryTimer = null;
    if (this.stopped) return;
    const ok = await this.verify();
    if (this.stopped) return;
    if (!ok) {
      this.retryLater();
      return;
    }
    if (!this.client) this.connect();
  }

  private async verify(): Promise<boolean> {
    let caller;
    try {
      caller = await resolveCaller(this.deps, { bearer: this.opts.token }, '');
    } catch (err) {
      this.warn.error('token-check', { err }, 'MQTT bridge: the token could not be checked');
      return false;
    }
    if (!caller || caller.kind !== 'token') {
      this.warn.error('token', { broker: this.where }, 'MQTT bridge: ANLAN_MQTT_TOKEN is not a valid, unrevoked API token (alt_…); readings from the broker are not taken in');
      this.who = null;
      this.tokenRefused = true;
      return false;
    }
    this.tokenRefused = false;
    this.who = { actor: actorOf(caller), scope: caller.scope };
    return true;
  }

  private retryLater(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => void this.verifyThenConnect(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }

  private connect(): void {
    const client = connectMqtt(this.opts.url, {
      clientId: this.opts.clientId ?? DEFAULT_CLIENT_ID,
      clean: false,
      protocolVersion: 4,
      keepalive: 30,
      connectTimeout: 10_000,
      reconnectPeriod: MIN_RETRY_MS,
      // A refused login is retried too: the broker's accounts may be fixed while Anlan runs.
      reconnectOnConnackError: true,
      // Subscribed on every 'connect' below.
      resubscribe: false,
    });
    this.client = client;
    client.handleMessage = (packet, done) => this.receive(packet, done);
    client.on('connect', (connack) => {
      this.retryMs = MIN_RETRY_MS;
      client.options.reconnectPeriod = MIN_RETRY_MS;
      const topic = `${this.prefix}${READINGS_TOPIC}/#`;
      client.subscribe(topic, { qos: 1 }, (err, granted) => {
        if (err || !granted || granted.some((g) => g.qos === 128)) {
          this.warn.error('subscribe', { broker: this.where, topic, err: err?.message }, 'MQTT bridge: the broker refused the subscription');
          return;
        }
        this.subscribed = true;
        this.deps.log.info({ broker: this.where, topic, sessionPresent: connack.sessionPresent }, 'MQTT bridge subscribed');
      });
    });
    client.on('close', () => {
      this.subscribed = false;
      if (this.stopped) return;
      // mqtt.js reads the period at each attempt: doubling it gives the backoff.
      client.options.reconnectPeriod = this.retryMs;
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
      this.warn.warn('close', { broker: this.where, retryInMs: client.options.reconnectPeriod }, 'MQTT bridge: connection to the broker lost; reconnecting');
    });
    client.on('error', (err) => this.warn.warn(`error:${err.message}`, { broker: this.where, err: err.message }, 'MQTT bridge: broker connection error'));
  }

  private receive(packet: IPublishPacket, done: (err?: Error) => void): void {
    // Left unacknowledged: the broker keeps it for the next session.
    if (this.stopped) return done(new Error('shutting down'));
    const who = this.who;
    const topic = parseTopic(packet.topic, this.prefix);
    this.counters.messages += 1;
    if (!topic || !who) {
      this.counters.dropped += 1;
      if (topic) this.warn.warn('no-token', { topic: packet.topic }, 'MQTT bridge: message dropped, the token is not valid');
      done();
      return;
    }
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const items = parsePayload(topic, payload, this.deps.clock.now().getTime());
    this.counters.readings += items.length;
    this.opts.batcher.submit(who, items).then(
      (r) => {
        this.counters.accepted += r.accepted;
        this.counters.rejected += r.rejected.length;
        if (r.rejected.length > 0) {
          this.warn.warn(`rejected:${topic.sensor ?? ''}`, { topic: packet.topic.slice(0, 200), rejected: r.rejected.length, reason: r.rejected[0].reason, message: r.rejected[0].message }, 'MQTT bridge: readings rejected (kept in the quarantine)');
        }
        done();
      },
      (err: unknown) => {
        this.warn.error('ingest', { err }, 'MQTT bridge: readings could not be stored; reconnecting so that the broker sends them again');
        done(err instanceof Error ? err : new Error(String(err)));
        // Without a PUBACK the broker resends only on a new connection.
        this.client?.stream?.destroy();
      },
    );
  }

  private async recheckToken(): Promise<void> {
    if (this.stopped || !this.client) return;
    if ((await this.verify()) || this.stopped || !this.client) return;
    // The token was revoked: stop taking readings until it is valid again.
    const client = this.client;
    this.client = null;
    this.subscribed = false;
    await client.endAsync().catch(() => undefined);
    this.retryLater();
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.recheck) clearInterval(this.recheck);
    await this.opts.batcher.drain();
    const client = this.client;
    this.client = null;
    // Not forced: the PUBACKs of messages just stored go out before the connection ends.
    if (client) await client.endAsync().catch(() => undefined);
  }
}
