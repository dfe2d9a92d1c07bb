import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../options.ts';

export const WARNING_HELP = `anlan warning import <file.xml>… [--url http://127.0.0.1:3000] [--token alt_…]

导入 CAP 预警 (imports CAP 1.2 warnings) into a running Anlan through POST /api/v1/warnings/cap,
one file at a time, so that each is dispatched (recipients, SMS, call-response) like any other
issued warning. An Actual or Exercise alert for areas inside the token's region is issued at once
(origin "imported"); an Update or Cancel joins the thread of the message it references; a message
already held is reported as a duplicate and not stored again. A file that is not valid CAP is
reported with each problem's element and reason, e.g.
  alert/info[1]/certainty: is required
and the other files are still imported.

--url      the server (default ANLAN_URL, or http://127.0.0.1:ANLAN_PORT, port 3000)
--token    an API token of the region the warnings are for (default ANLAN_TOKEN); \`anlan token create\`

Exit codes: 0 every file was imported (or already held), 1 a file was refused or the server could
not be reached, 2 bad usage.`;

export async function warningCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    console.log(WARNING_HELP);
    return sub ? 0 : 2;
  }
  if (sub === 'import') return importCommand(rest);
  throw new UsageError(`unknown subcommand "${sub}": try anlan warning import <file.xml>`);
}

interface ImportAnswer {
  duplicate: boolean;
  remarks: { field: string; message: string }[];
  warning: { id: number; threadId: number; identifier: string; msgType: string; state: string; event: string; eventName?: string; level: string; regionCode: string; regionName: string | null };
}

interface Problem {
  title?: string;
  detail?: string;
  errors?: { field: string; message: string }[];
}

async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { url: { type: 'string' }, token: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return console.log(WARNING_HELP), 0;
  if (positionals.length === 0) throw new UsageError('say which CAP file(s) to import: anlan warning import <file.xml>');
  const token = values.token ?? process.env.ANLAN_TOKEN;
  if (!token) throw new UsageError('missing --token (or ANLAN_TOKEN): an API token, from `anlan token create`');
  const url = (values.url ?? process.env.ANLAN_URL ?? `http://127.0.0.1:${process.env.ANLAN_PORT ?? 3000}`).replace(/\/+$/, '');
  let failed = 0;
  for (const file of positionals) {
    let xml: string;
    try {
      xml = readFileSync(file, 'utf8');
    } catch (e) {
      console.error(`${file}: cannot be read (${(e as Error).message})`);
      failed += 1;
      continue;
    }
    let res: Response;
    try {
      res = await fetch(`${url}/api/v1/warnings/cap?source=${encodeURIComponent(`file:${basename(file)}`)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/cap+xml' },
        body: xml,
      });
    } catch (e) {
      console.error(`anlan warning import: cannot reach ${url} (${(e as Error).message}); is Anlan running?`);
      return 1;
    }
    const body = (await res.json().catch(() => ({}))) as ImportAnswer & Problem;
    if (res.ok) {
      const w = body.warning;
      const what = `${w.msgType} ${w.identifier} → warning ${w.id} (thread ${w.threadId}), ${w.eventName ?? w.event} ${w.level}, ${w.regionName ?? ''} ${w.regionCode}, ${w.state}`;
      console.log(`${file}: ${body.duplicate ? 'already held' : 'imported'}: ${what}`);
      for (const r of body.remarks ?? []) console.log(`  note ${r.field}: ${r.message}`);
      continue;
    }
    failed += 1;
    console.error(`${file}: refused (HTTP ${res.status}): ${body.detail ?? body.title ?? ''}`);
    for (const e of body.errors ?? []) console.error(`  ${e.field}: ${e.message}`);
  }
  return failed > 0 ? 1 : 0;
}
