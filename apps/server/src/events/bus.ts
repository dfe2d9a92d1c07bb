import { EventEmitter } from 'node:events';

/** A domain event. regionCode decides who may see it; data must be safe to show to them. */
export interface BusEvent {
  type: string;
  regionCode: string;
  at: string;
  data: Record<string, unknown>;
}

export type EventHandler = (event: BusEvent) => void;

/**
 * One interface for events, so that nothing assumes a single process: in process by default;
 * a NATS JetStream implementation plugs in behind the same two methods.
 */
export interface EventBus {
  publish(event: BusEvent): Promise<void>;
  subscribe(handler: EventHandler): () => void;
  close(): Promise<void>;
}

/** Hands each event to this process's subscribers; a throwing subscriber harms no other. */
export class LocalSubscribers {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every SSE connection is one listener; the default cap of 10 would warn at the 11th screen.
    this.emitter.setMaxListeners(0);
  }

  emit(event: BusEvent): void {
    this.emitter.emit('event', event);
  }

  subscribe(handler: EventHandler): () => void {
    const safe = (e: BusEvent) => {
      try {
        handler(e);
      } catch {
        // A failing subscriber must not break the publisher or the other subscribers.
      }
    };
    this.emitter.on('event', safe);
    return () => this.emitter.off('event', safe);
  }

  clear(): void {
    this.emitter.removeAllListeners();
  }
}

export class InProcessBus implements EventBus {
  private readonly local = new LocalSubscribers();

  async publish(event: BusEvent): Promise<void> {
    this.local.emit(event);
  }

  subscribe(handler: EventHandler): () => void {
    return this.local.subscribe(handler);
  }

  async close(): Promise<void> {
    this.local.clear();
  }
}
