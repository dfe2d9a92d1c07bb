import { connect, DeliverPolicy, nanos, type NatsConnection, type ConsumerMessages } from 'nats';
import { LocalSubscribers, type BusEvent, type EventBus, type EventHandler } from './bus.ts';

export interface NatsBusOptions {
  url: string;
  /** Stream and subject prefix; tests use their own so runs do not see each other's events. */
  stream?: string;
  subjectPrefix?: string;
  /** How long JetStream keeps events for late readers (default 7 days). */
  maxAgeMs?: number;
}

/**
 * The event bus over NATS JetStream, for several API processes: every event is stored in one
 * stream (so a publish is acknowledged only once it is durable), and each process follows the
 * stream with an ordered consumer from "now" to feed its own subscribers (SSE streams, jobs).
 */
export class NatsBus implements EventBus {
  private readonly local = new LocalSubscribers();
  private messages: ConsumerMessages | null = null;
  private pump: Promise<void> | null = null;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly subjectPrefix: string,
  ) {}

  static async connect(opts: NatsBusOptions): Promise<NatsBus> {
    const stream = opts.stream ?? 'ANLAN_EVENTS';
    const prefix = opts.subjectPrefix ?? 'anlan.events';
    const nc = await connect({ servers: opts.url, name: `anlan-${process.pid}` });
    try {
      const jsm = await nc.jetstreamManager();
      const config = { name: stream, subjects: [`${prefix}.>`], max_age: nanos(opts.maxAgeMs ?? 7 * 24 * 3600 * 1000) };
      await jsm.streams.info(stream).then(
        () => jsm.streams.update(stream, config),
        () => jsm.streams.add(config),
      );
      const bus = new NatsBus(nc, prefix);
      const consumer = await nc.jetstream().consumers.get(stream, {
        deliver_policy: DeliverPolicy.New,
        // A single filter subject: multi-subject filters need nats-server ≥ 2.10 (Debian 12 ships 2.9).
        filterSubjects: `${prefix}.>`,
      });
      bus.messages = await consumer.consume();
      bus.pump = (async () => {
        for await (const m of bus.messages!) {
          try {
            bus.local.emit(m.json<BusEvent>());
          } catch {
            // A malformed message from another publisher must not stop the stream.
          }
        }
      })();
      return bus;
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  async publish(event: BusEvent): Promise<void> {
    // Subjects carry the type, so other systems can subscribe to just what they need.
    const subject = `${this.subjectPrefix}.${event.type.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
    await this.nc.jetstream().publish(subject, JSON.stringify(event));
  }

  subscribe(handler: EventHandler): () => void {
    return this.local.subscribe(handler);
  }

  async close(): Promise<void> {
    this.messages?.stop();
    await this.pump?.catch(() => undefined);
    this.local.clear();
    await this.nc.drain();
  }
}
