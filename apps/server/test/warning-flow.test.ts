// The whole 叫应 loop through startAnlan's own wiring: a roster, a warning drafted by the duty officer
// and approved by the commander, dispatch resolving it to the people responsible and delivering by SMS
// through a gateway that speaks real HTTP, answers by SMS reply and by one-tap link, the board and the
// evacuation ledger.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../../tests/helpers/server.ts';
import { testTargets } from '../../../tests/helpers/targets.ts';
import { Client } from '../../../tests/helpers/http.ts';
import { FakeSmsGateway } from '../src/warning/delivery/testing/fake-sms-gateway.ts';

const HOUR = 3_600_000;
const SECRET = 'flow-test-secret-0123456789';

async function ok(res: Promise<{ status: number; body: any; text: string }>, status = 200) {
  const r = await res;
  assert.equal(r.status, status, r.text);
  return r.body;
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const target of testTargets()) {
  describe(`warning flow: roster → approval → dispatch → SMS → answers → ledger (${target.name})`, () => {
    let s: TestServer;
    let gateway: FakeSmsGateway;
    let duty: Client;
    let commander: Client;
    const saved = { ...process.env };

    before(async () => {
      gateway = await FakeSmsGateway.start({ account: 'anlan-test', secret: SECRET });
      Object.assign(process.env, { ANLAN_SMS_URL: gateway.url, ANLAN_SMS_ACCOUNT: 'anlan-test', ANLAN_SMS_SECRET: SECRET });
      s = await startTestServer({ target });
      duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      commander = await Client.login(s.url, 'ld-commander', s.demoPassword);
    });
    after(async () => {
      await s?.close();
      await gateway?.close();
      process.env = saved;
    });

    test('an approved warning reaches the guardians inside its area and their superiors, by SMS; answers roll up', async () => {
      const P = '/api/v1/warning/persons';
      const county = await ok(duty.post(P, { name: '流程县长', phone: '13911110001', roles: ['county'], regionCode: '513322' }), 201);
      const township = await ok(duty.post(P, { name: '流程镇长', phone: '13911110002', roles: ['township'], regionCode: '513322100', superiorId: county.id }), 201);
      const guardian = await ok(duty.post(P, { name: '流程包保人', phone: '13911110003', roles: ['guardian'], regionCode: '513322100', superiorId: township.id }), 201);
      const other = await ok(duty.post(P, { name: '别镇包保人', phone: '13911110004', roles: ['guardian'], regionCode: '513322103' }), 201);
      await ok(duty.post(`${P}/${guardian.id}/assignments`, { kind: 'household', name: '独居老人张婆婆家', regionCode: '513322100', people: 4 }), 201);
      await ok(duty.post(`${P}/${other.id}/assignments`, { kind: 'household', name: '别镇住户', regionCode: '513322103', people: 3 }), 201);

      const draft = await ok(
        duty.post('/api/v1/warnings', {
          event: 'rainstorm',
          level: 'orange',
          stage: 'callresponse',
          headline: '泸桥镇暴雨橙色预警',
          description: '未来3小时泸桥镇将出现50毫米以上强降雨。',
          instruction: '危险区域人员立即转移。',
          areas: [{ regionCode: '513322100' }],
          expires: new Date(Date.now() + 6 * HOUR).toISOString(),
        }),
        201,
      );
      await ok(duty.post(`/api/v1/warnings/${draft.id}/submit`, {}));
      const selfApprove = await duty.post(`/api/v1/warnings/${draft.id}/approve`, {});
      assert.equal(selfApprove.status, 403, 'the drafter may not sign');
      await ok(commander.post(`/api/v1/warnings/${draft.id}/approve`, {}));

      // Dispatch runs after the approval commits: the guardian (assignment inside the area) and the
      // chain above, nobody of 513322103.
      const recipients = await until('recipients', async () => {
        const r = await ok(duty.get(`/api/v1/warnings/${draft.id}/recipients`));
        return r.total >= 2 ? r : undefined;
      });
      const names = recipients.items.map((i: { name: string }) => i.name).sort();
      assert.ok(names.includes('流程包保人'), names.join());
      assert.ok(names.includes('流程镇长'), names.join());
      assert.ok(!names.includes('别镇包保人'), names.join());
      const mine = recipients.items.find((i: { name: string }) => i.name === '流程包保人');
      assert.equal(mine.planned, 4);

      // The SMS goes out through the gateway, carrying the one-tap link.
      const sms = await until('the SMS to the guardian', async () => [...gateway.delivered.values()].find((m) => m.to === '13911110003' || (m as { phone?: string }).phone === '13911110003'));
      assert.match(sms.text, /泸桥镇暴雨橙色预警|暴雨橙色/);
      const link = /\/a\/([0-9]+\.[0-9]+\.[A-Za-z0-9_-]{16})/.exec(sms.text);
      assert.ok(link, `one-tap link in: ${sms.text}`);

      // 收到 by SMS reply; feedback by the link, sent twice (a retry) and counted once.
      const reply = await gateway.reply('13911110003', '1');
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const token = link[1];
      const feedback = { kind: 'feedback', moved: 4, sheltered: 4, atRisk: 0, clientKey: 'flow-key-0001' };
      await ok(fetchJson(`${s.url}/api/v1/acks/${token}`, feedback));
      await ok(fetchJson(`${s.url}/api/v1/acks/${token}`, feedback));
      const forged = await fetchJson(`${s.url}/api/v1/acks/${token.slice(0, -2)}AA`, feedback);
      assert.equal(forged.status, 403);

      const answered = await until('the answer on the board', async () => {
        const r = await ok(duty.get(`/api/v1/warnings/${draft.id}/recipients`));
        const g = r.items.find((i: { name: string }) => i.name === '流程包保人');
        return g.status === 'answered' ? g : undefined;
      });
      assert.ok(answered.answeredAt);

      const ledger = await ok(duty.get(`/api/v1/warnings/${draft.id}/evacuation`));
      assert.equal(ledger.total.planned, 4);
      assert.equal(ledger.total.moved, 4, 'the retried feedback counts once');
      assert.equal(ledger.total.rate, 1);

      // The CAP of the issued warning names the area by its GB/T 2260 code.
      const cap = await fetch(`${s.url}/api/v1/warnings/${draft.id}/cap`, { headers: { cookie: (duty as unknown as { cookie: string }).cookie } });
      assert.equal(cap.status, 200);
      assert.match(await cap.text(), /513322100/);
    });
  });
}

async function fetchJson(url: string, body: unknown): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, text };
}
