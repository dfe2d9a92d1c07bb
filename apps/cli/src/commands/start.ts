import { parseArgs } from 'node:util';
import { parseFeedList, startAnlan } from '@anlan/server';
import { ProgressBar, stageLabel } from '../progress.ts';
import { dataDirOf, databaseUrlOf, portOf, mqttOptionsOf, DB_OPTIONS, UsageError } from '../options.ts';
import { printAdminPassword } from '../db-session.ts';

export const START_HELP = `anlan start [--data-dir DIR] [--port 3000] [--host 127.0.0.1] [--no-demo]
            [--mqtt-port 1883] [--mqtt-host HOST] [--no-mqtt] [--no-simulator]

Starts Anlan: the embedded database under DIR (default ./data, or ANLAN_DATA_DIR), or
PostgreSQL when ANLAN_DATABASE_URL is set; the API under /api/v1 and the web app at /.
First start creates the administrator "admin" (password from ANLAN_ADMIN_PASSWORD, or a random
one printed once) and the demo data of 泸定县 (513322) unless --no-demo: accounts and a monitoring
network whose sensors a simulator makes report, with a scripted gas leak and rain storm that raise
alarms within minutes (docs/monitoring.md); --no-simulator or ANLAN_SIMULATOR=0 keeps them silent.
Environment: ANLAN_DATA_DIR, ANLAN_DATABASE_URL, ANLAN_NATS_URL (event bus on NATS JetStream), ANLAN_PORT, ANLAN_HOST, ANLAN_ADMIN_PASSWORD,
ANLAN_DEMO_PASSWORD, ANLAN_LOG_LEVEL (default info), ANLAN_QUAKE_FEEDS (earthquake report feeds to poll:
"url[@seconds] …", CAP / GeoJSON / JSON / CENC text; each new report is assessed automatically).
MQTT (docs/monitoring.md): devices publish readings to the embedded broker and log in with an API token
as the password. It listens on --mqtt-host (ANLAN_MQTT_HOST, default the --host) port --mqtt-port
(ANLAN_MQTT_PORT, default 1883, where a taken port only warns; "off" or --no-mqtt: no broker). Or Anlan
subscribes to an external broker: ANLAN_MQTT_URL (mqtt://user:password@host:1883), ANLAN_MQTT_TOKEN (the API token
whose region the readings get), ANLAN_MQTT_TOPIC_PREFIX, ANLAN_MQTT_CLIENT_ID (default anlan-ingest);
then the embedded broker is off unless a port is given.`;

export async function startCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...DB_OPTIONS, port: { type: 'string', short: 'p' }, host: { type: 'string' }, 'no-demo': { type: 'boolean' }, 'mqtt-port': { type: 'string' }, 'mqtt-host': { type: 'string' }, 'no-mqtt': { type: 'boolean' }, 'no-simulator': { type: 'boolean' } },
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
  const mqtt = mqttOptionsOf(values);
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
    ...mqtt,
    demoNetwork: !values['no-demo'],
    simulator: !values['no-demo'] && !values['no-simulator'] && !['0', 'false', 'off', 'no'].includes((process.env.ANLAN_SIMULATOR ?? '').trim().toLowerCase()),
  });
  if (anlan.generatedAdminPassword) {
    printAdminPassword(anlan.generatedAdminPassword);
    if (!values['no-demo']) process.stderr.write('演示账号 (demo accounts, e.g. ld-duty, gz-commander) use the same password.\n');
  }
  process.stderr.write(`安澜 Anlan 已启动 (started in ${((Date.now() - started) / 1000).toFixed(1)} s): ${anlan.url}\n`);
  process.stderr.write(`API docs: ${anlan.url}/api/docs\n`);
  const broker = anlan.ctx.mqtt?.broker;
  if (anlan.ctx.simulator?.active) {
    process.stderr.write(`演示监测模拟器运行中 (demo simulator on, ${anlan.ctx.simulator.simulatedSensors} sensors): 约 2 分钟后加油站可燃气体报警，约 10 分钟后雨团所过乡镇（首次为泸桥镇）短时强降水报警；--no-simulator 关闭\n`);
  }
  if (broker) process.stderr.write(`MQTT: mqtt://${broker.host === '0.0.0.0' || broker.host === '::' ? '127.0.0.1' : broker.host}:${broker.port} (readings/<sensor code>, password = API token)\n`);

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
