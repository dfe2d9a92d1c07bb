/**
 * `anlan bench warning`: the call-response (叫应) path end to end on a fresh embedded Anlan —
 * a synthetic county roster, a county-wide warning resolved and enqueued, one-tap answers over
 * HTTP from a separate process at full speed, then the clock moved past the deadline and the
 * escalation checked against what the database says went unanswered.
 *
 * This file is also the load process: run with `--ack-load <spec>` it posts the answers.
 */
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { NATIONAL_SCOPE, type Clock } from '@anlan/core';
import type { Database } from '@anlan/db';
import type { RunningAnlan } from '@anlan/server';
import type { IssuedWarning } from '@anlan/server/warning/contracts';
import type { DeliveryService } from '@anlan/server/warning/delivery/service';
import { ProgressBar, stageLabel } from '../progress.ts';
import { UsageError } from '../options.ts';

export const WARNING_BENCH_HELP = `anlan bench warning [--recipients 100000] [--seconds 30] [--clients 256] [--silent 0.1] [--json]

Starts a fresh embedded Anlan in a temporary directory (no demo data), writes a synthetic roster of
泸定县 (513322) with N grassroots responsible persons under their township and county heads, and
issues a county-wide orange call-response (叫应) warning. Then:

  resolveAndEnqueueMs  resolving the warning to its recipients and writing every recipient's
                       messages and 叫应 timer (the whole backlog, not only the first chunk);
  acksPerSecond        one-tap answers (POST /api/v1/acks/<token>, each acknowledged only once
                       stored) from a separate process with C connections, for at most S seconds
                       or until every recipient but the --silent share has answered;
  escalationsCorrect   after the clock is moved past the deadline: exactly the recipients without
                       an answer were escalated (or marked silent at the top of the chain), each
                       superior is a recipient, nobody who answered was escalated, and every
                       answer acknowledged by the server is stored once.

Prints one JSON line on stdout: { recipients, resolveAndEnqueueMs, acksPerSecond, escalationsCorrect, … }
with also: dispatchMs (until enqueue returned), answers, answersStored, escalated, silent, escalationMs,
boardUpdates and boardMaxGapMs (the live board's updates during the load), request percentiles,
startSeconds, rosterSeconds. Progress goes to stderr.`;

const LOAD_FLAG = '--ack-load';
const SELF = fileURLToPath(import.meta.url);
const COUNTY = '513322';
const say = (line: string) => process.stderr.write(`${line}\n`);
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

function intOption(flag: string, raw: string | undefined, def: number, min: number, max: number): number {
  if (raw === undefined) return def;
  const n = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** The wall clock plus an offset the bench moves forward, as if the deadline had come. */
class AdvancingClock implements Clock {
  private offset = 0;
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

export async function warningBenchCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      recipients: { type: 'string' },
      seconds: { type: 'string' },
      clients: { type: 'string' },
      silent: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(WARNING_BENCH_HELP);
    return 0;
  }
  const persons = intOption('--recipients', values.recipients, 100_000, 10, 2_000_000);
  const seconds = intOption('--seconds', values.seconds, 30, 1, 3600);
  const clients = intOption('--clients', values.clients, 256, 1, 1024);
  const silentShare = values.silent === undefined ? 0.1 : Number(values.silent);
  if (!(silentShare >= 0 && silentShare < 1)) throw new UsageError(`--silent must be a share from 0 to below 1, got "${values.silent}"`);

  // Loaded here, not at the top: the load process runs this file too and needs none of the server.
  const { startAnlan } = await import('@anlan/server');
  const { loadAckKey, mintAckToken } = await import('@anlan/server/warning/ack-token');
  const { insertSyntheticRoster } = await import('@anlan/server/warning/roster/synthetic');
  const { createRecipientResolver } = await import('@anlan/server/warning/roster/resolver');
  const { DeliveryService } = await import('@anlan/server/warning/delivery/service');

  const dir = mkdtempSync(join(tmpdir(), 'anlan-bench-warning-'));
  const bar = new ProgressBar();
  const clock = new AdvancingClock();
  let anlan: RunningAnlan | null = null;
  let ownDelivery: DeliveryService | null = null;
  try {
    const t0 = performance.now();
    anlan = await startAnlan({
      dataDir: dir,
      port: 0,
      host: '127.0.0.1',
      demo: false,
      adminPassword: randomBytes(12).toString('hex'),
      logLevel: 'warn',
      mqttPort: false,
      clock,
      progress: (stage, done, total) => bar.update(stageLabel(stage), done, total),
    });
    const startSeconds = (performance.now() - t0) / 1000;
    const db = anlan.ctx.db;
    const wr = anlan.ctx.warningResponse;
    if (!wr) throw new Error('this Anlan has no call-response host (ctx.warningResponse)');
    // The bench makes the escalation pass itself, after moving the clock.
    await wr.escalation.stop();

    say(`合成责任人名册 ${persons.toLocaleString('en')} 人 (synthetic roster)…`);
    const t1 = performance.now();
    const roster = await insertSyntheticRoster(db, { countyCode: COUNTY, persons, assignmentsPerPerson: 1 });
    const rosterSeconds = (performance.now() - t1) / 1000;

    say('发布县域叫应预警，解析责任人并写入发送队列 (resolve and enqueue)…');
    const warning = await issueCountyWarning(db, clock);
    // The server's own delivery part when startAnlan made one (it then also sends), else one of our own.
    const own = anlan.ctx.warningDelivery ? null : await DeliveryService.open({ db, clock, bus: anlan.ctx.bus, log: anlan.ctx.log }, { fallbackPublicUrl: anlan.url, env: {} });
    ownDelivery = own;
    const delivery = anlan.ctx.warningDelivery ?? own!;
    const t2 = performance.now();
    let via: 'dispatch' | 'roster+delivery';
    if (anlan.ctx.warningDispatch) {
      via = 'dispatch';
      await anlan.ctx.warningDispatch.dispatch(warning);
    } else {
      via = 'roster+delivery';
      await createRecipientResolver({ clock }).resolve(db, warning);
      await delivery.enqueuer.enqueue(db, warning);
    }
    const dispatchMs = performance.now() - t2;
    // What enqueue leaves to the delivery worker (timers and messages of the rest), done here.
    while (!(await delivery.enqueuer.materialize(db, warning)).done);
    const resolveAndEnqueueMs = performance.now() - t2;
    const recipients = await count(db, 'SELECT count(*) AS n FROM warning_recipients WHERE warning_id = $1', [warning.id]);
    const untimed = await count(db, 'SELECT count(*) AS n FROM warning_recipients WHERE warning_id = $1 AND deadline_at IS NULL', [warning.id]);
    if (untimed > 0) throw new Error(`${untimed} recipients have no 叫应 timer after enqueueing`);

    // Every tenth (by default) recipient stays silent; the others answer with their one-tap link.
    const ids = (await db.query<{ id: string }>('SELECT id FROM warning_recipients WHERE warning_id = $1 ORDER BY id', [warning.id])).rows.map((r) => Number(r.id));
    const key = await loadAckKey(db);
    const expires = new Date(warning.expiresAt.getTime() + 24 * 3600 * 1000);
    const every = silentShare > 0 ? Math.max(2, Math.round(1 / silentShare)) : 0;
    const tokens = ids.filter((_, i) => every === 0 || i % every !== 0).map((id) => mintAckToken(key, id, expires));
    const tokensFile = join(dir, 'tokens.json');
    writeFileSync(tokensFile, JSON.stringify(tokens));

    const boardGaps: number[] = [];
    let lastBoard = performance.now();
    let boardUpdates = 0;
    const unsubscribe = wr.board.subscribe(warning.id, NATIONAL_SCOPE, () => {
      const t = performance.now();
      boardGaps.push(t - lastBoard);
      lastBoard = t;
      boardUpdates++;
    });
    say(`一键叫应 ${tokens.length.toLocaleString('en')} 条，${clients} 个连接，至多 ${seconds} 秒 (one-tap answers)…`);
    const load = await runLoad({ url: anlan.url, tokensFile, seconds, clients }, seconds, bar);
    await wr.publisher.flush();
    unsubscribe();

    say('时钟拨过应答时限，执行升级 (escalation)…');
    const unanswered = await count(db, 'SELECT count(*) AS n FROM warning_recipients WHERE warning_id = $1 AND answered_at IS NULL', [warning.id]);
    const answersStored = await count(db, 'SELECT count(*) AS n FROM warning_answers WHERE warning_id = $1', [warning.id]);
    const maxDeadline = (await db.query<{ at: Date }>('SELECT max(deadline_at) AS at FROM warning_recipients WHERE warning_id = $1', [warning.id])).rows[0].at;
    clock.advance(new Date(maxDeadline).getTime() - clock.now().getTime() + 60_000);
    const t3 = performance.now();
    const report = await wr.escalation.tick();
    const escalationMs = performance.now() - t3;
    const checks = await checkEscalations(db, warning.id, recipients);
    const escalationsCorrect = checks.every((c) => c.ok) && answersStored === load.recorded && report.escalated + report.silent === unanswered;
    for (const c of checks) if (!c.ok) say(`  ✗ ${c.what}: ${c.detail}`);
    if (answersStored !== load.recorded) say(`  ✗ answers stored ${answersStored}, acknowledged as recorded ${load.recorded}`);
    if (report.escalated + report.silent !== unanswered) say(`  ✗ escalated ${report.escalated} + silent ${report.silent} ≠ unanswered ${unanswered}`);

    const result = {
      recipients,
      resolveAndEnqueueMs: Math.round(resolveAndEnqueueMs),
      acksPerSecond: Math.round(load.recorded / load.seconds),
      escalationsCorrect,
      dispatchMs: Math.round(dispatchMs),
      resolvedBy: via,
      persons: roster.persons,
      answers: load.recorded,
      duplicates: load.duplicates,
      failed: load.failed,
      answersStored,
      unanswered,
      escalated: report.escalated,
      silent: report.silent,
      superiorsAdded: report.added,
      escalationMs: Math.round(escalationMs),
      boardUpdates,
      boardMaxGapMs: boardGaps.length ? Math.round(Math.max(...boardGaps)) : null,
      loadSeconds: round(load.seconds, 2),
      requestP50Ms: round(load.p50),
      requestP99Ms: round(load.p99),
      clients,
      startSeconds: round(startSeconds),
      rosterSeconds: round(rosterSeconds),
    };
    console.log(values.json ? JSON.stringify(result) : JSON.stringify(result, null, 2));
    return escalationsCorrect ? 0 : 1;
  } finally {
    await ownDelivery?.close();
    await anlan?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function count(db: Database, sql: string, params: unknown[]): Promise<number> {
  return Number((await db.query<{ n: string }>(sql, params)).rows[0].n);
}

/** A county-wide orange call-response warning, issued (as approval would leave it). */
async function issueCountyWarning(db: Database, clock: Clock): Promise<IssuedWarning> {
  const now = clock.now();
  const id = Number(
    (
      await db.query<{ id: string }>(
        `INSERT INTO warnings (thread_id, identifier, sender, msg_type, status, stage, event, level, headline, description, instruction,
           region_code, state, expires_at, drafted_by_name, approved_by_name, submitted_at, issued_at)
         VALUES (0, $1, 'bench@anlan.local', 'Alert', 'Actual', 'callresponse', 'rainstorm', 'orange', '泸定县暴雨橙色预警（压力测试）',
           '压力测试：泸定县未来1小时有强降雨。', '请立即组织危险区群众转移。', $2, 'issued', $3, 'bench', 'bench', $4, $4)
         RETURNING id`,
        [`bench-${randomBytes(6).toString('hex')}`, COUNTY, new Date(now.getTime() + 6 * 3600 * 1000), now],
      )
    ).rows[0].id,
  );
  await db.query('UPDATE warnings SET thread_id = id WHERE id = $1', [id]);
  await db.query(`INSERT INTO warning_areas (warning_id, ord, kind, label, region_code) VALUES ($1, 0, 'region', '泸定县', $2)`, [id, COUNTY]);
  const { issuedWarnings } = await import('@anlan/server/warning/response/escalation-store');
  return (await issuedWarnings(db, [id])).get(id)!;
}

interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

/** What escalation must have done, asked of the database. */
async function checkEscalations(db: Database, warningId: number, originals: number): Promise<Check[]> {
  const n = (sql: string) => count(db, sql, [warningId]);
  const firstIds = `(SELECT id FROM warning_recipients WHERE warning_id = $1 AND reason <> 'escalation')`;
  const answeredEscalated = await n(`SELECT count(*) AS n FROM warning_recipients WHERE warning_id = $1 AND answered_at IS NOT NULL AND escalated_at IS NOT NULL AND answered_at <= escalated_at`);
  const silentNotEscalated = await n(`SELECT count(*) AS n FROM warning_recipients WHERE id IN ${firstIds} AND answered_at IS NULL AND escalated_at IS NULL`);
  const wrongStatus = await n(`SELECT count(*) AS n FROM warning_recipients WHERE id IN ${firstIds} AND escalated_at IS NOT NULL AND status NOT IN ('escalated', 'silent')`);
  // Each escalated recipient's superior is on the list (added now, or there before).
  const orphaned = await n(
    `SELECT count(*) AS n FROM warning_recipients r JOIN responsible_persons p ON p.id = r.person_id
     WHERE r.warning_id = $1 AND r.status = 'escalated'
       AND NOT EXISTS (SELECT 1 FROM warning_recipients s WHERE s.warning_id = $1 AND s.person_id = p.superior_id)`,
  );
  const silentWithSuperior = await n(
    `SELECT count(*) AS n FROM warning_recipients r JOIN responsible_persons p ON p.id = r.person_id
     WHERE r.warning_id = $1 AND r.status = 'silent' AND p.superior_id IS NOT NULL`,
  );
  const twice = await n(`SELECT count(*) AS n FROM (SELECT person_id FROM warning_recipients WHERE warning_id = $1 GROUP BY person_id HAVING count(*) > 1) d`);
  const total = await n('SELECT count(*) AS n FROM warning_recipients WHERE warning_id = $1');
  const added = await n(`SELECT count(*) AS n FROM warning_recipients WHERE warning_id = $1 AND reason = 'escalation'`);
  return [
    { what: 'nobody who answered in time was escalated', ok: answeredEscalated === 0, detail: `${answeredEscalated}` },
    { what: 'everybody silent past the deadline was escalated', ok: silentNotEscalated === 0, detail: `${silentNotEscalated} left` },
    { what: 'escalated recipients are marked escalated or silent', ok: wrongStatus === 0, detail: `${wrongStatus}` },
    { what: 'each escalated recipient\'s superior is a recipient', ok: orphaned === 0, detail: `${orphaned} without` },
    { what: 'silent only at the top of a chain', ok: silentWithSuperior === 0, detail: `${silentWithSuperior} had a superior` },
    { what: 'nobody is on the list twice', ok: twice === 0, detail: `${twice}` },
    { what: 'the list grew only by escalation', ok: total === originals + added, detail: `${total} = ${originals} + ${added}?` },
  ];
}

interface LoadSpec {
  url: string;
  tokensFile: string;
  seconds: number;
  clients: number;
}

interface LoadResult {
  recorded: number;
  duplicates: number;
  failed: number;
  seconds: number;
  p50: number;
  p99: number;
}

function runLoad(spec: LoadSpec, seconds: number, bar: ProgressBar): Promise<LoadResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), SELF, LOAD_FLAG, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const started = Date.now();
    const ticker = setInterval(() => bar.update('一键叫应 (answers)', Math.min(seconds, Math.round((Date.now() - started) / 1000)), seconds), 500);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(ticker);
      bar.update('一键叫应 (answers)', seconds, seconds);
      if (code !== 0) return reject(new Error(`the load process exited with ${code}`));
      try {
        resolvePromise(JSON.parse(out.trim().split('\n').pop()!) as LoadResult);
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** One POST over a kept-alive connection (node:http: lighter than fetch, so the load process measures the server, not itself). */
function post(agent: Agent, url: URL, path: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The load process: C connections take the next token and answer 收到 until none is left or time is up. */
async function ackLoad(spec: LoadSpec): Promise<void> {
  const tokens = JSON.parse(readFileSync(spec.tokensFile, 'utf8')) as string[];
  const url = new URL(spec.url);
  const agent = new Agent({ keepAlive: true, maxSockets: spec.clients });
  const deadline = Date.now() + spec.seconds * 1000;
  const latencies: number[] = [];
  let next = 0;
  let recorded = 0;
  let duplicates = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: spec.clients }, async () => {
      while (next < tokens.length && Date.now() < deadline) {
        const token = tokens[next++];
        const q0 = performance.now();
        const res = await post(agent, url, `/api/v1/acks/${token}`, '{"kind":"received"}');
        latencies.push(performance.now() - q0);
        if (res.status !== 200) {
          failed++;
          if (failed <= 3) process.stderr.write(`answer refused: ${res.status} ${res.text.slice(0, 200)}\n`);
          continue;
        }
        if ((JSON.parse(res.text) as { result: string }).result === 'recorded') recorded++;
        else duplicates++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : 0);
  process.stdout.write(`${JSON.stringify({ recorded, duplicates, failed, seconds, p50: pct(0.5), p99: pct(0.99) } satisfies LoadResult)}\n`);
}

if (process.argv[2] === LOAD_FLAG && process.argv[1] && resolve(process.argv[1]) === SELF) {
  await ackLoad(JSON.parse(process.argv[3]) as LoadSpec);
}
