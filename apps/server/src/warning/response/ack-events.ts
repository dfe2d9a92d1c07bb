/**
 * `ack.received` on the bus, coalesced: at thousands of answers a second one event per answer
 * would flood every SSE connection and, with NATS, the stream. Answers are gathered per warning
 * and recipient region (the region decides who may see the event) and published a few times a
 * second, each event listing the recipients that answered since the last one.
 */
import type { Clock } from '@anlan/core';
import type { EventBus } from '../../events/bus.ts';
import type { StoredAnswer } from './store.ts';

export interface AnsweredRecipient {
  id: number;
  kind: string;
  /** The recipient's first answer: it turned 'answered' with this one. */
  first: boolean;
  answeredAt: string;
}

/** Data of an `ack.received` event. */
export interface AckReceivedData {
  warningId: number;
  /** Answers in this event (the list may be cut short at MAX_LISTED). */
  count: number;
  recipients: AnsweredRecipient[];
  [key: string]: unknown;
}

const MAX_LISTED = 1000;

export class AckPublisher {
  private pending = new Map<string, { warningId: number; regionCode: string; count: number; recipients: AnsweredRecipient[] }>();
  private timer: NodeJS.Timeout | null = null;
  private publishing: Promise<void> = Promise.resolve();

  constructor(
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly intervalMs = 200,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  answered(answers: StoredAnswer[]): void {
    for (const a of answers) {
      const key = `${a.warningId}|${a.regionCode}`;
      let group = this.pending.get(key);
      if (!group) {
        group = { warningId: a.warningId, regionCode: a.regionCode, count: 0, recipients: [] };
        this.pending.set(key, group);
      }
      group.count += 1;
      if (group.recipients.length < MAX_LISTED) group.recipients.push({ id: a.recipientId, kind: a.kind, first: a.first, answeredAt: a.answeredAt.toISOString() });
    }
    if (!this.timer && this.pending.size > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.intervalMs);
      this.timer.unref();
    }
  }

  /** Publishes what has gathered; resolves once the bus took it. */
  flush(): Promise<void> {
    const groups = [...this.pending.values()];
    this.pending = new Map();
    const at = this.clock.now().toISOString();
    this.publishing = this.publishing.then(async () => {
      for (const g of groups) {
        const data: AckReceivedData = { warningId: g.warningId, count: g.count, recipients: g.recipients };
        await this.bus.publish({ type: 'ack.received', regionCode: g.regionCode, at, data }).catch(this.onError);
      }
    });
    return this.publishing;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }
}
