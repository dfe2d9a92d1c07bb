import { resolve } from 'node:path';

export class UsageError extends Error {}

/** Where the data lives: --data-dir, else ANLAN_DATA_DIR, else ./data under the current folder. */
export function dataDirOf(flag: string | undefined): string {
  return resolve(flag ?? process.env.ANLAN_DATA_DIR ?? 'data');
}

export function databaseUrlOf(): string | undefined {
  return process.env.ANLAN_DATABASE_URL || undefined;
}

export function portOf(flag: string | undefined, fallback: number): number {
  const raw = flag ?? process.env.ANLAN_PORT;
  if (raw === undefined) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got "${raw}"`);
  return port;
}

export const DEFAULT_MQTT_PORT = 1883;

/**
 * MQTT settings of `anlan start`. The embedded broker listens on --mqtt-port / ANLAN_MQTT_PORT
 * (default 1883; `off` or --no-mqtt: none). With an external broker (ANLAN_MQTT_URL) it stays off
 * unless a port is given. The default port may be taken by a Mosquitto: then Anlan starts
 * without the embedded broker (and says so), while a port asked for explicitly must be free.
 */
export function mqttOptionsOf(flags: { 'mqtt-port'?: string; 'mqtt-host'?: string; 'no-mqtt'?: boolean }, env: NodeJS.ProcessEnv = process.env) {
  const url = env.ANLAN_MQTT_URL || undefined;
  const raw = flags['mqtt-port'] ?? (env.ANLAN_MQTT_PORT || undefined);
  let port: number | false;
  if (flags['no-mqtt'] || raw === 'off' || raw === 'false') port = false;
  else if (raw !== undefined) {
    port = Number(raw);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--mqtt-port must be an integer from 0 to 65535 (or "off"), got "${raw}"`);
  } else port = url ? false : DEFAULT_MQTT_PORT;
  return {
    mqttPort: port,
    mqttHost: flags['mqtt-host'] ?? (env.ANLAN_MQTT_HOST || undefined),
    mqttPortOptional: raw === undefined,
    mqttUrl: url,
    mqttToken: env.ANLAN_MQTT_TOKEN || undefined,
    mqttTopicPrefix: env.ANLAN_MQTT_TOPIC_PREFIX || undefined,
    mqttClientId: env.ANLAN_MQTT_CLIENT_ID || undefined,
  };
}

/** Common flags every command that touches the database accepts. */
export const DB_OPTIONS = {
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
