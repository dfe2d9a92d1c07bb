import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { NatsBus } from '../src/events/nats-bus.ts';
import type { BusEvent } from '../src/events/bus.ts';

const NATS_URL = process.env.ANLAN_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

async function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url.replace(/^nats:/, 'http:'));
  return new Promise((resolve) => {
    const s = netConnect({ host: hostname, port: Number(port || 4222) }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

const available = await reachable(NATS_URL);
const title = available ? 'event bus on NATS JetStream' : 'event bus on NATS JetStream — skipped: no NATS server reachable';

describe(title, { skip: !available && !process.env.CI }, () => {
  test('an event published by one process reaches the subscribers of another, and is stored', async () => {
    const id = randomBytes(4).toString('hex');
    const opts = { url: NATS_URL, stream: `ANLAN_TEST_${id}`, subjectPrefix: `anlan-test-${id}.events` };
    const a = await NatsBus.connect(opts);
    const b = await NatsBus.connect(opts);
    try {
      const received: BusEvent[] = [];
      const got = new Promise<void>((resolve) => b.subscribe((e) => (received.push(e), received.length === 2 && resolve())));
      await a.publish({ type: 'user.created', regionCode: '513322', at: new Date().toISOString(), data: { id: 1 } });
      await a.publish({ type: 'user.updated', regionCode: '513301', at: new Date().toISOString(), data: { id: 2 } });
      await Promise.race([got, new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000))]);
      assert.deepEqual(received.map((e) => e.type), ['user.created', 'user.updated']);
      assert.equal(received[0].regionCode, '513322');
    } finally {
      await a.close();
      await b.close();
      const { connect } = await import('nats');
      const nc = await connect({ servers: NATS_URL });
      await (await nc.jetstreamManager()).streams.delete(opts.stream);
      await nc.close();
    }
  });
});
