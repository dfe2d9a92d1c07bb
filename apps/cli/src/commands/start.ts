import { parseArgs } from 'node:util';
import { parseFeedList, startAnlan } from '@anlan/server';
import { ProgressBar, stageLabel } from '../progress.ts';
import { dataDirOf, databaseUrlOf, portOf, DB_OPTIONS, UsageError } from '../options.ts';
import { printAdminPassword } from '../db-session.ts';

export const START_HELP = `anlan start [--data-dir DIR] [--port 3000] [--host 127.0.0.1] [--no-demo]

Starts Anlan: the embedded database under DIR (default ./data, or ANLAN_DATA_DIR), or
PostgreSQL when ANLAN_DATABASE_URL is set; the API under /api/v1 and the web app at /.
First start creates the administrator "admin" (password from ANLAN_ADMIN_PASSWORD, or a random
one printed once) and the demo data of 泸定县 (513322) unless --no-demo.
Environment: ANLAN_DATA_DIR, ANLAN_DATABASE_URL, ANLAN_NATS_URL (event bus on NATS JetStream), ANLAN_PORT, ANLAN_HOST, ANLAN_ADMIN_PASSWORD,
ANLAN_DEMO_PASSWORD, ANLAN_LOG_LEVEL (default info), ANLAN_QUAKE_FEEDS (earthquake report feeds to poll:
"url[@seconds] …", CAP / GeoJSON / JSON / CENC text; each new report is assessed automatically).`;

export async function startCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...DB_OPTIONS, port: { type: 'string', short: 'p' }, host: { type: 'string' }, 'no-demo': { type: 'boolean' } },
  });
  if (values.help) {
    console.log(START_HELP);
    return 0;
  }
  let quakeFeeds;
  try {
    quakeFeeds = parseFeedList(process.env.ANLAN_QUAKE_FEEDS);
  } catch (e) {
    throw new UsageError(`ANLAN_QUAKE_FEEDS: ${(e as Error).message}`);
  }
  const started = Date.now();
  const bar = new ProgressBar();
  const anlan = await startAnlan({
    dataDir: dataDirOf(values['data-dir']),
    databaseUrl: databaseUrlOf(),
    port: portOf(values.port, 3000),
    host: values.host ?? process.env.ANLAN_HOST ?? '127.0.0.1',
    adminPassword: process.env.ANLAN_ADMIN_PASSWORD,
    demo: !values['no-demo'],
    demoPassword: process.env.ANLAN_DEMO_PASSWORD,
    logLevel: process.env.ANLAN_LOG_LEVEL ?? 'info',
    progress: (stage, done, total) => bar.update(stageLabel(stage), done, total),
    natsUrl: process.env.ANLAN_NATS_URL || undefined,
    quakeFeeds,
  });
  if (anlan.generatedAdminPassword) {
    printAdminPassword(anlan.generatedAdminPassword);
    if (!values['no-demo']) process.stderr.write('演示账号 (demo accounts, e.g. ld-duty, gz-commander) use the same password.\n');
  }
  process.stderr.write(`安澜 Anlan 已启动 (started in ${((Date.now() - started) / 1000).toFixed(1)} s): ${anlan.url}\n`);
  process.stderr.write(`API docs: ${anlan.url}/api/docs\n`);

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stderr.write(`\n${signal}: 正在停止 (finishing in-flight requests)…\n`);
      anlan.close().then(resolve, (err: unknown) => {
        console.error(err);
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
