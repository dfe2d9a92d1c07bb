/**
 * The embedded MQTT broker (aedes over plain TCP): devices log in with an API token as the
 * password and publish readings; nothing is delivered to subscribers.
 *
 * A QoS 1 PUBACK is sent only once the message's readings are durable: aedes acknowledges after
 * `authorizePublish` calls back, and that waits for the message's batch (batcher.ts). QoS 0
 * messages wait the same way, which keeps a fast publisher from outrunning the database: aedes
 * reads a connection's next packets only when the current ones are done.
 */
import type { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import type { Clock } from '@anlan/core';
import type { Database } from '@anlan/db';
import { resolveCaller } from '../../auth/service.ts';
import { FailureLimiter } from '../../auth/rate-limit.ts';
import { digestSecret } from '../../auth/secret.ts';
import { actorOf } from '../../caller.ts';
import type { ReadingBatcher, Writer } from './batcher.ts';
import { MAX_PAYLOAD_BYTES, parsePayload, parseTopic } from './payload.ts';
import { ThrottledLog, zeroCounters, type MqttCounters } from './stats.ts';

/** Packets larger than this close the connection before they are read (a topic of up to 64 KiB fits beside a full payload). */
export const MAX_PACKET_BYTES = MAX_PAYLOAD_BYTES + 64 * 1024;
/** How often live connections' tokens are checked again: a revoked token's devices are cut off within this. */
const RECHECK_MS = 60_000;

export interface BrokerDeps {
  db: Database;
  clock: Clock;
  log: Logger;
}

export interface BrokerOptions {
  port: number;
  host: string;
  batcher: ReadingBatcher;
  /** Tests shorten it. */
  recheckMs?: number;
}

interface Session {
  device: string;
  clientId: string;
  tokenId: number;
  secret: string;
  ip: string;
  who: Writer;
  counters: MqttCounters;
}

/** A connection's view for operators and tests. */
export interface ConnectionInfo extends MqttCounters {
  clientId: string;
  device: string;
  tokenId: number;
  ip: string;
}

const authError = (message: string, returnCode: AuthenticateError['returnCode']): AuthenticateError => Object.assign(new Error(message), { returnCode });

export class EmbeddedBroker {
  /** Totals since start, over all connections. */
  readonly totals: MqttCounters = zeroCounters();
  private readonly sessions = new Map<Client, Session>();
  private readonly sockets = new Set<Socket>();
  private readonly warn: ThrottledLog;
  // Token secrets have 256 bits, so this is not about guessing: it spares the database the lookups
  // of a device reconnecting over and over with a stale token. Keyed by address and token, so that
  // one such device behind a NAT does not lock out the good ones behind it.
  private readonly failures: FailureLimiter;
  private recheck: NodeJS.Timeout | null = null;
  private stopping = false;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly deps: BrokerDeps,
    private readonly opts: BrokerOptions,
    private readonly aedes: Aedes,
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
  ) {
    this.warn = new ThrottledLog(deps.log);
    this.failures = new FailureLimiter(deps.clock, 10, 60_000);
  }

  static async start(deps: BrokerDeps, opts: BrokerOptions): Promise<EmbeddedBroker> {
    const aedes = new Aedes({ maxClientsIdLength: 128, concurrency: 1000 });
    await aedes.listen();
    const server = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(opts.port, opts.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      throw err;
    }
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : opts.port;
    const broker = new EmbeddedBroker(deps, opts, aedes, server, opts.host, port);
    broker.wire();
    return broker;
  }

  /** The live connections and what each has done. */
  connections(): ConnectionInfo[] {
    return [...this.sessions.values()].map((s) => ({ clientId: s.clientId, device: s.device, tokenId: s.tokenId, ip: s.ip, ...s.counters }));
  }

  private wire(): void {
    const { aedes, server, deps } = this;
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', (err) => deps.log.error({ err }, 'MQTT listener error'));
    // Without a listener an 'error' event would end the process.
    (aedes as EventEmitter).on('error', (err: Error) => deps.log.error({ err }, 'MQTT broker error'));
    aedes.on('clientError', (client, err) => {
      // A refused login was logged where it was refused.
      if ('returnCode' in err) return;
      this.warn.warn(`client-error:${client.id}`, { clientId: client.id, err: err.message }, 'MQTT connection closed on an error');
    });
    aedes.on('connectionError', (_client, err) => this.warn.warn('connection-error', { err: err.message }, 'MQTT connection failed before it was established'));

    // Wills would publish readings on a device's behalf after it is gone: they are ignored.
    aedes.preConnect = (_client, packet, callback) => {
      delete packet.will;
      callback(null, true);
    };
    aedes.authenticate = (client, username, password, done) => void this.authenticate(client, username, password).then(() => done(null, true), (err: AuthenticateError) => done(err, false));
    aedes.authorizePublish = (client, packet, callback) => this.publish(client, packet, callback);
    // Nothing is delivered to devices; a refused subscription is answered with 0x80 in the SUBACK.
    aedes.authorizeSubscribe = (_client, _sub, callback) => callback(null, null);

    this.recheck = setInterval(() => void this.recheckTokens(), this.opts.recheckMs ?? RECHECK_MS);
    this.recheck.unref();
  }

  private accept(socket: Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.sockets.add(socket);
    const client = this.aedes.handle(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.sessions.delete(client);
    });
    // Added after aedes's 'readable' listener, this one sees each chunk as aedes reads it without
    // changing how the socket flows; it closes the connection at the header of a packet too large
    // to accept, before that packet is buffered.
    const watch = new PacketSizeWatch(MAX_PACKET_BYTES);
    socket.on('data', (chunk: Buffer) => {
      const size = watch.check(chunk);
      if (size === null) return;
      const s = this.sessions.get(client);
      if (s) s.counters.refused += 1;
      this.totals.refused += 1;
      this.warn.warn(`oversize:${socket.remoteAddress}`, { ip: socket.remoteAddress, clientId: client.id ?? null, bytes: size, limit: MAX_PACKET_BYTES }, 'MQTT packet too large: connection closed');
      socket.destroy();
    });
  }

  private async authenticate(client: Client, username: string | undefined, password: Buffer | undefined): Promise<void> {
    const ip = (client.conn as Socket).remoteAddress ?? '';
    const secret = password?.toString('utf8') ?? '';
    const failureKey = `${ip} ${digestSecret(secret)}`;
    if (this.failures.retryAfter(failureKey) > 0) {
      this.totals.refused += 1;
      throw authError('too many failed logins with this password from this address', 5);
    }
    let caller = null;
    if (secret.startsWith('alt_')) {
      try {
        caller = await resolveCaller(this.deps, { bearer: secret }, ip);
      } catch (err) {
        this.deps.log.error({ err, clientId: client.id }, 'MQTT login: token check failed');
        throw authError('server unavailable', 3);
      }
    }
    if (!caller || caller.kind !== 'token') {
      this.failures.recordFailure(failureKey);
      this.totals.refused += 1;
      this.warn.warn(`auth:${ip}`, { ip, clientId: client.id, username: username ?? null }, 'MQTT login refused: the password must be a valid, unrevoked API token (alt_…)');
      throw authError('bad user name or password', 4);
    }
    // Gone while its token was looked up: nothing to keep.
    if (client.closed) throw authError('connection closed', 3);
    this.sessions.set(client, {
      device: username || client.id,
      clientId: client.id,
      tokenId: caller.id,
      secret,
      ip,
      who: { actor: actorOf(caller), scope: caller.scope },
      counters: zeroCounters(),
    });
  }

  private publish(client: Client | null, packet: { topic: string; payload: Buffer | string; retain: boolean }, callback: (err?: Error | null) => void): void {
    const s = client ? this.sessions.get(client) : undefined;
    if (!s) return callback(new Error('not logged in'));
    // Not acknowledged, so the device sends it again once Anlan is back.
    if (this.stopping) return callback(new Error('shutting down'));
    // Nothing is kept for later subscribers.
    packet.retain = false;
    s.counters.messages += 1;
    this.totals.messages += 1;
    const topic = parseTopic(packet.topic);
    if (!topic) {
      // $-topics reach the broker's own handlers: refusing closes the connection.
      if (packet.topic.startsWith('$')) return callback(new Error(`publishing to ${packet.topic} is not allowed`));
      // MQTT 3.1.1 cannot refuse one message; closing the connection would also lose the
      // device's readings in flight, so the message is acknowledged and dropped, as Mosquitto does.
      s.counters.dropped += 1;
      this.totals.dropped += 1;
      this.warn.warn(`topic:${s.clientId}`, { clientId: s.clientId, device: s.device, topic: packet.topic.slice(0, 200) }, 'MQTT message dropped: only readings/<sensor code> and readings carry readings');
      return callback(null);
    }
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const items = parsePayload(topic, payload, this.deps.clock.now().getTime());
    s.counters.readings += items.length;
    this.totals.readings += items.length;
    this.opts.batcher.submit(s.who, items).then(
      (r) => {
        s.counters.accepted += r.accepted;
        s.counters.rejected += r.rejected.length;
        this.totals.accepted += r.accepted;
        this.totals.rejected += r.rejected.length;
        if (r.rejected.length > 0) {
          const first = r.rejected[0];
          this.warn.warn(
            `rejected:${s.clientId}`,
            { clientId: s.clientId, device: s.device, topic: packet.topic.slice(0, 200), rejected: r.rejected.length, reason: first.reason, message: first.message, rejectedSoFar: s.counters.rejected },
            'MQTT readings rejected (kept in the quarantine)',
          );
        }
        callback(null);
      },
      (err: unknown) => {
        // Not durable, so no PUBACK: the connection closes and the device sends again on reconnect.
        this.warn.error('ingest', { err, clientId: s.clientId }, 'MQTT readings could not be stored');
        callback(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }

  private async recheckTokens(): Promise<void> {
    const bySecret = new Map<string, Client[]>();
    for (const [client, s] of this.sessions) {
      const list = bySecret.get(s.secret);
      if (list) list.push(client);
      else bySecret.set(s.secret, [client]);
    }
    for (const [secret, clients] of bySecret) {
      if (this.stopping) return;
      let caller;
      try {
        caller = await resolveCaller(this.deps, { bearer: secret }, '');
      } catch (err) {
        this.warn.error('recheck', { err }, 'MQTT token recheck failed');
        return;
      }
      if (caller) continue;
      for (const client of clients) {
        const s = this.sessions.get(client);
        this.deps.log.warn({ clientId: client.id, device: s?.device, tokenId: s?.tokenId }, 'MQTT connection closed: its token was revoked');
        this.sessions.delete(client);
        client.close();
      }
    }
  }

  /** Stops accepting, lets the messages already taken in finish (and be acknowledged), then closes. */
  close(): Promise<void> {
    this.stopping = true;
    this.closing ??= (async () => {
      if (this.recheck) clearInterval(this.recheck);
      const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
      await this.opts.batcher.drain();
      await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
      for (const socket of this.sockets) socket.destroy();
      await stopped;
    })();
    return this.closing;
  }
}

/**
 * Follows MQTT packet boundaries through a byte stream (fixed header: a type byte, then the
 * remaining length in 1–4 bytes of 7 bits) to learn each packet's size from its first bytes.
 */
export class PacketSizeWatch {
  private state: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private remaining = 0;

  constructor(private readonly limit: number) {}

  /** The size of a packet over the limit that starts in this chunk, or null. */
  check(chunk: Buffer): number | null {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'body') {
        const skip = Math.min(this.remaining, chunk.length - i);
        i += skip;
        this.remaining -= skip;
        if (this.remaining === 0) this.state = 'type';
      } else if (this.state === 'type') {
        i += 1;
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
      } else {
        const b = chunk[i++];
        this.length += (b & 0x7f) * this.multiplier;
        this.multiplier *= 128;
        this.lengthBytes += 1;
        if (b & 0x80) {
          // A fifth length byte is a broken stream; the parser would fail on it anyway.
          if (this.lengthBytes === 4) return Infinity;
          continue;
        }
        if (this.length > this.limit) return this.length;
        this.remaining = this.length;
        this.state = this.length > 0 ? 'body' : 'type';
      }
    }
    return null;
  }
}
