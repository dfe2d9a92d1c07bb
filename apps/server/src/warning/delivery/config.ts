/**
 * Delivery configuration: environment variables first, then system_settings, then defaults.
 * Secrets (gateway secret, SMTP password, webhook secrets) come from either place and are never
 * logged: describeConfig() is what start-up prints. A bad value disables what it configures
 * (or falls back to the default) and is reported naming the key, instead of stopping the server.
 */
import type { Queryable } from '@anlan/db';
import { SENDING_CHANNELS, type SendingChannel } from './channel.ts';

export interface SmsGatewayConfig {
  /** The gateway's send endpoint (generic JSON POST API; docs/warning.md#delivery-channels). */
  url: string;
  account: string;
  secret: string;
  /** Messages per request. */
  batchSize: number;
}

export interface SmtpConfig {
  /** smtp://user:pass@host:port or smtps://… (nodemailer's connection URL). */
  url: string;
  from: string;
}

export interface WebhookEndpoint {
  name: string;
  url: string;
  /** HMAC-SHA256 key for the X-Anlan-Signature header. */
  secret: string;
}

export interface RateLimit {
  /** Sustained sends per second. */
  perSecond: number;
  /** How many may go at once after a quiet spell (the bucket's size). */
  burst: number;
}

export interface RetryPolicyConfig {
  /** Attempts before a message is 'failed' (throttled attempts do not count). */
  maxAttempts: number;
  /** The first retry waits about this long; each next one twice as long. */
  baseMs: number;
  /** No wait is longer than this. */
  maxMs: number;
}

export interface DeliveryConfig {
  /** Where the one-tap links point: `<publicUrl>/a/<token>`. */
  publicUrl: string;
  sms: SmsGatewayConfig | null;
  /** Authenticates the gateway's receipts and inbound replies; the gateway secret unless set apart. */
  smsCallbackSecret: string | null;
  smtp: SmtpConfig | null;
  webhooks: WebhookEndpoint[];
  /** VAPID subject (RFC 8292): a mailto: or https: URL the push services can reach the operator at. */
  vapidSubject: string;
  /** Accept http:// push endpoints on loopback addresses (local tests and demos only). */
  pushAllowLoopbackHttp: boolean;
  rates: Record<SendingChannel, RateLimit>;
  retry: Record<SendingChannel, RetryPolicyConfig>;
}

export const DEFAULT_RATES: Record<SendingChannel, RateLimit> = {
  // A typical contracted SMS gateway takes on the order of 100 requests per second.
  sms: { perSecond: 50, burst: 100 },
  email: { perSecond: 10, burst: 20 },
  webpush: { perSecond: 100, burst: 200 },
  webhook: { perSecond: 5, burst: 10 },
};

const MIN = 60_000;
export const DEFAULT_RETRY: Record<SendingChannel, RetryPolicyConfig> = {
  sms: { maxAttempts: 8, baseMs: 15_000, maxMs: 15 * MIN },
  email: { maxAttempts: 8, baseMs: 30_000, maxMs: 30 * MIN },
  webpush: { maxAttempts: 5, baseMs: 15_000, maxMs: 15 * MIN },
  webhook: { maxAttempts: 10, baseMs: 10_000, maxMs: 30 * MIN },
};

export type Env = Record<string, string | undefined>;

export interface LoadedConfig {
  config: DeliveryConfig;
  /** Bad values, each naming its key; logged at start. */
  problems: string[];
}

function isHttpUrl(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.trim().length > 0;
}

function positive(v: unknown, max: number): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= max;
}

async function warningSettings(db: Queryable): Promise<Map<string, unknown>> {
  const r = await db.query<{ key: string; value: unknown }>(`SELECT key, value FROM system_settings WHERE key LIKE 'warning.%'`);
  return new Map(r.rows.map((row) => [row.key, row.value]));
}

function object(v: unknown): Record<string, unknown> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function loadSms(env: Env, settings: Map<string, unknown>, problems: string[]): SmsGatewayConfig | null {
  const s = object(settings.get('warning.sms')) ?? {};
  const url = env.ANLAN_SMS_URL ?? s.url;
  const account = env.ANLAN_SMS_ACCOUNT ?? s.account;
  const secret = env.ANLAN_SMS_SECRET ?? s.secret;
  const batchSize = env.ANLAN_SMS_BATCH ? Number(env.ANLAN_SMS_BATCH) : (s.batchSize ?? 100);
  if (url === undefined && account === undefined && secret === undefined) return null;
  const bad: string[] = [];
  if (!isHttpUrl(url)) bad.push('url (ANLAN_SMS_URL) must be an http(s) URL');
  if (!nonEmpty(account)) bad.push('account (ANLAN_SMS_ACCOUNT) is missing');
  if (!nonEmpty(secret) || secret.length < 16) bad.push('secret (ANLAN_SMS_SECRET) must be at least 16 characters');
  if (!positive(batchSize, 1000) || !Number.isInteger(batchSize)) bad.push('batchSize must be an integer from 1 to 1000');
  if (bad.length) {
    problems.push(...bad.map((b) => `SMS gateway disabled: warning.sms.${b}`));
    return null;
  }
  return { url: url as string, account: account as string, secret: secret as string, batchSize: batchSize as number };
}

function loadSmtp(env: Env, settings: Map<string, unknown>, problems: string[]): SmtpConfig | null {
  const s = object(settings.get('warning.smtp')) ?? {};
  const url = env.ANLAN_SMTP_URL ?? s.url;
  const from = env.ANLAN_SMTP_FROM ?? s.from;
  if (url === undefined) return null;
  let ok = typeof url === 'string';
  try {
    ok &&= ['smtp:', 'smtps:'].includes(new URL(url as string).protocol);
  } catch {
    ok = false;
  }
  if (!ok) {
    problems.push('e-mail disabled: warning.smtp.url (ANLAN_SMTP_URL) must be smtp://[user:pass@]host[:port] or smtps://…');
    return null;
  }
  if (!nonEmpty(from) || !/@/.test(from)) {
    problems.push('e-mail disabled: warning.smtp.from (ANLAN_SMTP_FROM) must be a sender address such as "安澜预警 <warning@example.gov.cn>"');
    return null;
  }
  return { url: url as string, from };
}

function loadWebhooks(env: Env, settings: Map<string, unknown>, problems: string[]): WebhookEndpoint[] {
  let raw: unknown = settings.get('warning.webhooks');
  if (env.ANLAN_WARNING_WEBHOOKS !== undefined) {
    try {
      raw = JSON.parse(env.ANLAN_WARNING_WEBHOOKS);
    } catch {
      problems.push('webhooks disabled: ANLAN_WARNING_WEBHOOKS is not JSON ([{"name","url","secret"}, …])');
      return [];
    }
  }
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problems.push('webhooks disabled: warning.webhooks must be a list of {name, url, secret}');
    return [];
  }
  const out: WebhookEndpoint[] = [];
  raw.forEach((item, i) => {
    const e = object(item);
    if (!e || !nonEmpty(e.name) || !/^[A-Za-z0-9_-]{1,40}$/.test(e.name)) problems.push(`webhook ${i} skipped: warning.webhooks[${i}].name must be 1–40 letters, digits, - or _`);
    else if (out.some((o) => o.name === e.name)) problems.push(`webhook ${i} skipped: warning.webhooks[${i}].name "${e.name}" is used twice`);
    else if (!isHttpUrl(e.url)) problems.push(`webhook ${e.name} skipped: warning.webhooks[${i}].url must be an http(s) URL`);
    else if (!nonEmpty(e.secret) || e.secret.length < 16) problems.push(`webhook ${e.name} skipped: warning.webhooks[${i}].secret must be at least 16 characters`);
    else out.push({ name: e.name, url: e.url, secret: e.secret });
  });
  return out;
}

function loadRates(settings: Map<string, unknown>, problems: string[]): Record<SendingChannel, RateLimit> {
  const rates = { ...DEFAULT_RATES };
  for (const ch of SENDING_CHANNELS) {
    const key = `warning.delivery.rate.${ch}`;
    const v = settings.get(key);
    if (v === undefined) continue;
    const o = object(v);
    if (o && positive(o.perSecond, 100_000) && positive(o.burst ?? o.perSecond, 1_000_000)) {
      rates[ch] = { perSecond: o.perSecond, burst: Math.max(1, Math.floor((o.burst ?? o.perSecond) as number)) };
    } else {
      problems.push(`${key} ignored: must be {"perSecond": n > 0, "burst": n ≥ 1}; using ${JSON.stringify(DEFAULT_RATES[ch])}`);
    }
  }
  return rates;
}

function loadRetry(settings: Map<string, unknown>, problems: string[]): Record<SendingChannel, RetryPolicyConfig> {
  const retry = { ...DEFAULT_RETRY };
  for (const ch of SENDING_CHANNELS) {
    const key = `warning.delivery.retry.${ch}`;
    const v = settings.get(key);
    if (v === undefined) continue;
    const o = object(v);
    const d = DEFAULT_RETRY[ch];
    const maxAttempts = o?.maxAttempts ?? d.maxAttempts;
    const baseSec = o?.baseSec ?? d.baseMs / 1000;
    const maxSec = o?.maxSec ?? d.maxMs / 1000;
    if (o && positive(maxAttempts, 100) && Number.isInteger(maxAttempts) && positive(baseSec, 86_400) && positive(maxSec, 86_400) && maxSec >= baseSec) {
      retry[ch] = { maxAttempts, baseMs: baseSec * 1000, maxMs: maxSec * 1000 };
    } else {
      problems.push(`${key} ignored: must be {"maxAttempts": 1–100, "baseSec": s, "maxSec": s ≥ baseSec}`);
    }
  }
  return retry;
}

/**
 * Reads the configuration. fallbackPublicUrl is http://localhost:<port> of this process, used
 * when neither ANLAN_PUBLIC_URL nor warning.public_url says where responders reach Anlan.
 */
export async function loadDeliveryConfig(db: Queryable, env: Env, fallbackPublicUrl: string): Promise<LoadedConfig> {
  const settings = await warningSettings(db);
  const problems: string[] = [];
  let publicUrl = env.ANLAN_PUBLIC_URL ?? settings.get('warning.public_url') ?? fallbackPublicUrl;
  if (!isHttpUrl(publicUrl)) {
    problems.push(`warning.public_url (ANLAN_PUBLIC_URL) must be an http(s) URL; links use ${fallbackPublicUrl}`);
    publicUrl = fallbackPublicUrl;
  }
  const sms = loadSms(env, settings, problems);
  const smsSettings = object(settings.get('warning.sms')) ?? {};
  const callback = env.ANLAN_SMS_CALLBACK_SECRET ?? smsSettings.callbackSecret;
  let smsCallbackSecret: string | null = sms?.secret ?? null;
  if (callback !== undefined) {
    if (nonEmpty(callback) && callback.length >= 16) smsCallbackSecret = callback;
    else problems.push('warning.sms.callbackSecret (ANLAN_SMS_CALLBACK_SECRET) must be at least 16 characters; receipts and replies are refused');
  }
  const vapidSubject = env.ANLAN_VAPID_SUBJECT ?? settings.get('warning.vapid_subject') ?? 'mailto:warning@anlan.invalid';
  let subject = 'mailto:warning@anlan.invalid';
  if (typeof vapidSubject === 'string' && /^(mailto:\S+@\S+|https:\/\/\S+)$/.test(vapidSubject)) subject = vapidSubject;
  else problems.push('warning.vapid_subject (ANLAN_VAPID_SUBJECT) must be a mailto: or https: URL');
  return {
    config: {
      publicUrl: (publicUrl as string).replace(/\/+$/, ''),
      sms,
      smsCallbackSecret,
      smtp: loadSmtp(env, settings, problems),
      webhooks: loadWebhooks(env, settings, problems),
      vapidSubject: subject,
      pushAllowLoopbackHttp: env.ANLAN_PUSH_ALLOW_HTTP === '1' || settings.get('warning.push_allow_loopback_http') === true,
      rates: loadRates(settings, problems),
      retry: loadRetry(settings, problems),
    },
    problems,
  };
}

/** What start-up may print: which channels are on and where they point, without secrets. */
export function describeConfig(c: DeliveryConfig): Record<string, unknown> {
  const host = (url: string) => {
    try {
      return new URL(url).host;
    } catch {
      return '?';
    }
  };
  return {
    publicUrl: c.publicUrl,
    sms: c.sms ? host(c.sms.url) : 'not configured',
    email: c.smtp ? host(c.smtp.url) : 'not configured',
    webhooks: c.webhooks.map((w) => w.name),
    rates: c.rates,
  };
}
