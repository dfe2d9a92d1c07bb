import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import { parseCsv } from '@anlan/core';
import { ProgressBar } from '../progress.ts';
import { UsageError } from '../options.ts';

export const MONITORING_HELP = `anlan monitoring replay <file.csv|file.ndjson> [--speed 1] [--url http://127.0.0.1:3000]
                        [--token alt_…] [--batch 1000] [--shift-to-now] [--format csv|ndjson]

回放记录的监测数据 (replays recorded readings) into a running Anlan through POST /api/v1/readings,
keeping the recorded gaps between readings divided by --speed (10: ten times as fast; 0 or max:
as fast as the server takes them). Readings are sent in time order, at most --batch per request.

File formats (by extension, else by content):
  CSV     header sensor,ts,value (also 传感器编码,时间,数值), one reading a line
  NDJSON  one {"sensor": "LD-RAIN-001", "ts": "2025-07-18T14:00:00+08:00", "value": 1.2} a line
ts is ISO 8601 with an offset (Z or +08:00) or epoch milliseconds. A line that cannot be read is
reported with its line number and skipped; the others are sent.

The server refuses readings older than its retention (400 days by default, reason too_old) and
more than 5 minutes ahead of its clock: --shift-to-now moves every timestamp by the same amount so
that the recording ends now, which is what an old recording needs.

--url      the server (default ANLAN_URL, or http://127.0.0.1:ANLAN_PORT, port 3000)
--token    an API token of a region holding the sensors (default ANLAN_TOKEN); \`anlan token create\`

Try it with the demo network: apps/cli/examples/luding-storm.csv is 40 minutes of it, with the
scripted gas leak and the storm over 泸桥镇. Replay it into a server started with --no-simulator
(else the simulator's own readings mix in and the rain sums double):
  anlan monitoring replay apps/cli/examples/luding-storm.csv --shift-to-now --speed 20 --token alt_…

Exit codes: 0 the file was replayed (rejected readings are counted, not fatal), 1 the server or the
file could not be used, 2 bad usage.`;

export async function monitoringCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    console.log(MONITORING_HELP);
    return sub ? 0 : 2;
  }
  if (sub === 'replay') return replayCommand(rest);
  throw new UsageError(`unknown subcommand "${sub}": try anlan monitoring replay`);
}

// ---- reading the recording ----

export interface RecordedReading {
  /** Line of the file, from 1 (as an editor counts). */
  line: number;
  sensor: string;
  tsMs: number;
  value: number;
}

export interface BadLine {
  line: number;
  message: string;
}

export interface Recording {
  readings: RecordedReading[];
  bad: BadLine[];
}

// As the server reads ts: a time without an offset would be read in some zone nobody chose.
const ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

export function parseTs(ts: unknown): number | null {
  if (typeof ts === 'number') return Number.isFinite(ts) ? Math.round(ts) : null;
  if (typeof ts !== 'string') return null;
  const t = ts.trim();
  if (/^\d{10,16}$/.test(t)) return Number(t);
  if (!ISO.test(t)) return null;
  const ms = Date.parse(t.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : null;
}

const BAD_TS = '时间无法识别 (ts must be ISO 8601 with an offset, e.g. 2025-07-18T14:00:00+08:00, or epoch milliseconds)';

const HEADERS: Record<'sensor' | 'ts' | 'value', string[]> = {
  sensor: ['sensor', 'code', 'sensor_code', 'sensorcode', '传感器', '传感器编码', '编码'],
  ts: ['ts', 'time', 'timestamp', '时间', '采集时间', '监测时间'],
  value: ['value', '值', '数值', '监测值', '读数'],
};

function quote(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}

export function readCsvRecording(text: string): Recording {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const readings: RecordedReading[] = [];
  const bad: BadLine[] = [];
  let columns: { sensor: number; ts: number; value: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    if (lines[i].trim() === '') continue;
    // Line by line, so that every reading keeps the line number a person sees in an editor.
    const cells = (parseCsv(lines[i])[0] ?? []).map((c) => c.trim());
    if (!columns) {
      const find = (k: keyof typeof HEADERS) => cells.findIndex((c) => HEADERS[k].includes(c.toLowerCase()));
      const found = { sensor: find('sensor'), ts: find('ts'), value: find('value') };
      const missing = (Object.keys(found) as (keyof typeof found)[]).filter((k) => found[k] < 0);
      if (missing.length) throw new Error(`第 ${line} 行表头缺少 ${missing.join(', ')} 列 (line ${line}: the header must name the columns sensor,ts,value)`);
      columns = found;
      continue;
    }
    const sensor = cells[columns.sensor] ?? '';
    const tsText = cells[columns.ts] ?? '';
    const valueText = cells[columns.value] ?? '';
    if (sensor === '') bad.push({ line, message: '缺少传感器编码 (no sensor code)' });
    else if (parseTs(tsText) === null) bad.push({ line, message: `${BAD_TS}: ${quote(tsText)}` });
    else if (valueText === '' || !Number.isFinite(Number(valueText))) bad.push({ line, message: `数值无效 (value is not a number): ${quote(valueText)}` });
    else readings.push({ line, sensor, tsMs: parseTs(tsText)!, value: Number(valueText) });
  }
  if (!columns) throw new Error('文件为空 (the file has no header line sensor,ts,value)');
  return { readings, bad };
}

export function readNdjsonRecording(text: string): Recording {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const readings: RecordedReading[] = [];
  const bad: BadLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const t = lines[i].trim();
    if (t === '') continue;
    let o: unknown;
    try {
      o = JSON.parse(t);
    } catch (e) {
      bad.push({ line, message: `不是 JSON (not JSON): ${(e as Error).message}` });
      continue;
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      bad.push({ line, message: '应为对象 {"sensor","ts","value"} (not an object)' });
      continue;
    }
    const { sensor, ts, value } = o as { sensor?: unknown; ts?: unknown; value?: unknown };
    if (typeof sensor !== 'string' || sensor.trim() === '') bad.push({ line, message: '缺少传感器编码 (no "sensor")' });
    else if (parseTs(ts) === null) bad.push({ line, message: `${BAD_TS}: ${quote(JSON.stringify(ts ?? null))}` });
    else if (typeof value !== 'number' || !Number.isFinite(value)) bad.push({ line, message: `数值无效 ("value" must be a number): ${quote(JSON.stringify(value ?? null))}` });
    else readings.push({ line, sensor: sensor.trim(), tsMs: parseTs(ts)!, value });
  }
  return { readings, bad };
}

export function readRecording(text: string, format: 'csv' | 'ndjson'): Recording {
  const r = format === 'csv' ? readCsvRecording(text) : readNdjsonRecording(text);
  // Stable: readings of one instant keep the file's order.
  for (let i = 1; i < r.readings.length; i++) {
    if (r.readings[i].tsMs < r.readings[i - 1].tsMs) {
      r.readings.sort((a, b) => a.tsMs - b.tsMs);
      break;
    }
  }
  return r;
}

function formatOf(path: string, text: string, flag: string | undefined): 'csv' | 'ndjson' {
  if (flag !== undefined) {
    if (flag !== 'csv' && flag !== 'ndjson') throw new UsageError(`--format must be csv or ndjson, got "${flag}"`);
    return flag;
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  return text.replace(/^\uFEFF/, '').trimStart().startsWith('{') ? 'ndjson' : 'csv';
}

// ---- sending ----

interface Rejected {
  index: number;
  sensor: string | null;
  reason: string;
  message: string;
}

class ServerError extends Error {}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function postBatch(url: string, token: string, body: string): Promise<{ accepted: number; rejected: Rejected[] }> {
  for (let attempt = 1; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(`${url}/api/v1/readings`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
    } catch (e) {
      if (attempt >= 3) throw new ServerError(`无法连接 ${url} (cannot reach the server): ${(e as Error).message}`, { cause: e });
      await sleep(1000 * attempt);
      continue;
    }
    const text = await res.text();
    if (res.ok) return JSON.parse(text) as { accepted: number; rejected: Rejected[] };
    // A busy or restarting server may answer 5xx for a moment; anything else will not change by retrying.
    if (res.status >= 500 && attempt < 3) {
      await sleep(1000 * attempt);
      continue;
    }
    let detail = text.slice(0, 300);
    try {
      const p = JSON.parse(text) as { title?: string; detail?: string };
      detail = [p.title, p.detail].filter(Boolean).join(': ') || detail;
    } catch {
      // not problem+json
    }
    const hint = res.status === 401 ? '（令牌无效或已吊销 token missing, wrong or revoked）' : res.status === 403 ? '（无写入权限 not allowed to write readings）' : '';
    throw new ServerError(`服务器拒绝 (the server answered) HTTP ${res.status}${hint}: ${detail}`);
  }
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      speed: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      batch: { type: 'string' },
      'shift-to-now': { type: 'boolean' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(MONITORING_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('give one file to replay: anlan monitoring replay <file.csv|file.ndjson>');
  const path = positionals[0];
  const token = values.token ?? process.env.ANLAN_TOKEN;
  if (!token) throw new UsageError('missing --token (or ANLAN_TOKEN): an API token, from `anlan token create`');
  const speedText = (values.speed ?? '1').trim().toLowerCase();
  const speed = speedText === 'max' ? 0 : Number(speedText);
  if (!Number.isFinite(speed) || speed < 0) throw new UsageError(`--speed must be a number ≥ 0 or "max", got "${values.speed}"`);
  const batchSize = Number(values.batch ?? 1000);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new UsageError(`--batch must be a whole number from 1 to 10000, got "${values.batch}"`);
  const url = (values.url ?? process.env.ANLAN_URL ?? `http://127.0.0.1:${process.env.ANLAN_PORT ?? 3000}`).replace(/\/+$/, '');

  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`无法读取文件 (cannot read) ${path}: ${(e as Error).message}`, { cause: e });
  }
  const { readings, bad } = readRecording(text, formatOf(path, text, values.format));
  const name = basename(path);
  for (const b of bad.slice(0, 20)) process.stderr.write(`${name} 第 ${b.line} 行 (line ${b.line}): ${b.message}，已跳过 (skipped)\n`);
  if (bad.length > 20) process.stderr.write(`… 另有 ${bad.length - 20} 个坏行 (${bad.length - 20} more bad lines)\n`);
  if (readings.length === 0) {
    console.error(`${name}: 没有可发送的读数 (no readings to send; ${bad.length} bad lines)`);
    return 1;
  }

  const first = readings[0].tsMs;
  const last = readings[readings.length - 1].tsMs;
  const shift = values['shift-to-now'] ? Date.now() - last : 0;
  if (shift !== 0) process.stderr.write(`时间平移 (timestamps shifted by) ${duration(Math.abs(shift))}: ${new Date(first + shift).toISOString()} – ${new Date(last + shift).toISOString()}\n`);
  if (speed > 0 && last > first) process.stderr.write(`按 ${speed}× 速度约需 (at ${speed}× this takes about) ${duration((last - first) / speed)}\n`);

  const bar = new ProgressBar();
  const stage = `回放 (replaying) ${name}`;
  let sent = 0;
  let accepted = 0;
  const byReason = new Map<string, { count: number; example: string }>();
  const wall0 = Date.now();
  let failure: string | null = null;
  bar.update(stage, 0, readings.length);
  for (let i = 0; i < readings.length; ) {
    if (speed > 0) {
      const wait = wall0 + (readings[i].tsMs - first) / speed - Date.now();
      if (wait > 0) await sleep(wait);
    }
    // Everything whose recorded time has come, up to a batch.
    const horizon = speed > 0 ? first + (Date.now() - wall0) * speed : Number.POSITIVE_INFINITY;
    let j = i + 1;
    while (j < readings.length && j - i < batchSize && readings[j].tsMs <= horizon) j++;
    const batch = readings.slice(i, j);
    const body = JSON.stringify(batch.map((r) => ({ sensor: r.sensor, ts: new Date(r.tsMs + shift).toISOString(), value: r.value })));
    try {
      const res = await postBatch(url, token, body);
      accepted += res.accepted;
      for (const r of res.rejected) {
        const at = batch[r.index];
        const entry = byReason.get(r.reason) ?? { count: 0, example: `第 ${at?.line ?? '?'} 行 (line ${at?.line ?? '?'}) ${r.sensor ?? ''}: ${r.message}` };
        entry.count++;
        byReason.set(r.reason, entry);
      }
    } catch (e) {
      if (!(e instanceof ServerError)) throw e;
      failure = e.message;
      break;
    }
    sent += batch.length;
    i = j;
    bar.update(stage, sent, readings.length);
  }

  const rejected = [...byReason.values()].reduce((n, r) => n + r.count, 0);
  console.log(`${failure ? '回放中断 (replay stopped)' : '回放完成 (replay finished)'}: ${name}`);
  console.log(`  读入 read: ${readings.length + bad.length}，坏行 bad lines: ${bad.length}${bad.length ? '（已跳过 skipped）' : ''}`);
  console.log(`  发送 sent: ${sent}，接受 accepted: ${accepted}，拒绝 rejected: ${rejected}`);
  if (byReason.size > 0) {
    console.log('  拒绝原因 (rejected by reason):');
    for (const [reason, r] of [...byReason].sort((a, b) => b[1].count - a[1].count)) console.log(`    ${reason.padEnd(18)} ${String(r.count).padStart(7)}  例 e.g. ${r.example}`);
    if (byReason.has('too_old') && !values['shift-to-now']) console.log('  提示 (hint): 记录太旧，可加 --shift-to-now 把时间平移到现在 (old recording: add --shift-to-now)');
  }
  if (failure) {
    console.error(`anlan monitoring replay: ${failure}`);
    return 1;
  }
  return 0;
}
