import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '@anlan/core';
import type { Database } from '@anlan/db';
import { testTargets } from '../../../../../tests/helpers/targets.ts';
import { loadDeadlinePolicy } from '../delivery/deadline.ts';
import { startResponseServer, type ResponseServer } from './testing/server.ts';
import * as fx from './testing/fixtures.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** The server's own timer stays off: the test makes each pass after moving the clock. */
async function manualPasses(s: ResponseServer) {
  const wr = s.anlan.ctx.warningResponse!;
  await wr.escalation.stop();
  return wr.escalation;
}

async function rowsOf(db: Database, warningId: number) {
  const r = await db.query<{ id: string; person_id: string; status: string; reason: string; via_recipient_id: string | null; escalated_at: Date | null }>(
    'SELECT id, person_id, status, reason, via_recipient_id, escalated_at FROM warning_recipients WHERE warning_id = $1 ORDER BY id',
    [warningId],
  );
  return r.rows.map((x) => ({ ...x, id: Number(x.id), personId: Number(x.person_id), via: x.via_recipient_id === null ? null : Number(x.via_recipient_id) }));
}

for (const target of testTargets()) {
  describe(`escalation timers across a restart (${target.name})`, () => {
    test('the server is closed between two deadlines and opened again on the same data: every timer still fires, each exactly once', async () => {
      const clock = new ManualClock(new Date());
      let s = await startResponseServer(target, { clock, persistent: true });
      try {
        let passes = await manualPasses(s);
        let db = s.anlan.ctx.db;
        const t0 = clock.now().getTime();
        const warningId = await fx.insertWarning(db, { issuedAt: new Date(t0), expiresAt: new Date(t0 + 6 * HOUR), level: 'orange' });
        const chain = await fx.ludingChain(db);
        const rA = await fx.insertRecipient(db, { warningId, personId: chain.villageA, deadlineAt: new Date(t0 + 30 * MIN) });
        const rB = await fx.insertRecipient(db, { warningId, personId: chain.villageB, deadlineAt: new Date(t0 + 90 * MIN) });
        const rL = await fx.insertRecipient(db, { warningId, personId: chain.loner, deadlineAt: new Date(t0 + 90 * MIN) });

        clock.advance(31 * MIN);
        assert.deepEqual(await passes.tick(), { escalated: 1, silent: 0, dropped: 0, added: 1 }, 'the first deadline passed before the restart');

        s = await s.reopen();
        db = s.anlan.ctx.db;
        passes = await manualPasses(s);
        assert.deepEqual(await passes.tick(), { escalated: 0, silent: 0, dropped: 0, added: 0 }, 'after the restart nothing fires again, nothing early');

        // Past B's and L's deadlines, and past the township head's, who was called at t0 + 31 min.
        const { policy } = await loadDeadlinePolicy(db);
        const townshipDeadline = 31 * MIN + policy.deadlineSec('callresponse', 'orange') * 1000;
        assert.ok(townshipDeadline < 91 * MIN);
        clock.advance(60 * MIN);
        assert.deepEqual(await passes.tick(), { escalated: 2, silent: 1, dropped: 0, added: 1 }, 'B (to the township head, already called), L (silent), the township head (to the county)');
        assert.deepEqual(await passes.tick(), { escalated: 0, silent: 0, dropped: 0, added: 0 });

        const rows = await rowsOf(db, warningId);
        const byId = new Map(rows.map((r) => [r.id, r]));
        assert.equal(byId.get(rA)!.status, 'escalated');
        assert.equal(byId.get(rA)!.escalated_at!.getTime(), t0 + 31 * MIN, 'A escalated once, before the restart, and not again');
        assert.equal(byId.get(rB)!.status, 'escalated');
        assert.equal(byId.get(rL)!.status, 'silent');
        const township = rows.filter((r) => r.personId === chain.township);
        const county = rows.filter((r) => r.personId === chain.county);
        assert.equal(township.length, 1);
        assert.equal(township[0].via, rA);
        assert.equal(township[0].status, 'escalated');
        assert.equal(county.length, 1);
        assert.equal(county[0].via, township[0].id);
        assert.equal(rows.length, 5);
        const audit = await db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE action = 'warning.recipients_escalated' AND target_id = $1`, [String(warningId)]);
        assert.equal(Number(audit.rows[0].n), 2, 'one audit entry per pass that escalated');
      } finally {
        await s.close();
      }
    });
  });
}
