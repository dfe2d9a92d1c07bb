/**
 * The delivery part of the warning module, assembled: configuration, the enqueuer (what
 * dispatch calls), the worker and its channels, and the operations behind the routes — SMS
 * receipts and replies from the gateway, Web Push subscriptions, the outbox counts of a warning.
 */
import { AppError, ConflictError, NotFoundError, UnauthorizedError, ValidationError, type Clock, type FieldError, type RegionScope } from '@anlan/core';
import type { Database } from '@anlan/db';
import type { Logger } from 'pino';
import { appendAudit } from '../../audit/service.ts';
import type { Actor } from '../../caller.ts';
import type { EventBus } from '../../events/bus.ts';
import type { DeadlinePolicy } from '../contracts.ts';
import { smsLength, smsSegments } from '../core/sms.ts';
import type { DeliveryChannel } from './channel.ts';
import { EmailChannel } from './channels/email.ts';
import { SmsGatewayChannel } from './channels/sms-gateway.ts';
import { WebhookChannel } from './channels/webhook.ts';
import { WebPushChannel, endpointProblem } from './channels/webpush.ts';
import { describeConfig, loadDeliveryConfig, type DeliveryConfig, type Env } from './config.ts';
import { loadDeadlinePolicy, TableDeadlinePolicy, DEFAULT_DEADLINES_SEC } from './deadline.ts';
import { OutboxEnqueuer } from './enqueue.ts';
import { verifySignature } from './signing.ts';
import * as store from './store.ts';
import { loadVapidKeys, type VapidKeys } from './vapid.ts';
import { DeliveryWorker, publishRecipientChanges } from './worker.ts';

export const RECEIPTS_PATH = '/api/v1/warning/sms/receipts';
export const INBOUND_PATH = '/api/v1/warning/sms/inbound';

/** An SMS reply as the gateway reports it, handed to the response part (叫应 by SMS). */
export interface InboundSms {
  phone: string;
  text: string;
  messageId: string;
  receivedAt: Date;
}

/** What the response part does with a reply; startAnlan wires response/sms-reply.ts's answerBySms. */
export type SmsReplyHandler = (sms: InboundSms) => Promise<unknown>;

export interface DeliveryDeps {
  db: Database;
  clock: Clock;
  bus: EventBus;
  log: Logger;
}

export interface DeliveryOptions {
  /** Environment to read ANLAN_* from (default process.env). */
  env?: Env;
  /** Links point here unless ANLAN_PUBLIC_URL or warning.public_url says otherwise. */
  fallbackPublicUrl: string;
  /** Channels to use instead of the configured ones (tests). */
  channels?: DeliveryChannel[];
  random?: () => number;
  /** Recipients written before enqueue() returns (the worker writes the rest). */
  synchronousRecipients?: number;
  /** Recipients per INSERT. */
  chunkRecipients?: number;
}

const MAX_CALLBACK_ITEMS = 1000;

function text(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= max;
}

function instant(v: unknown): Date | null {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(v)) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

export class DeliveryService {
  config!: DeliveryConfig;
  deadlines: DeadlinePolicy = new TableDeadlinePolicy(DEFAULT_DEADLINES_SEC);
  /** What dispatch calls (contracts.ts's DeliveryEnqueuer). */
  readonly enqueuer: OutboxEnqueuer;
  worker: DeliveryWorker | null = null;
  /** Set by startAnlan to the response part's answerBySms; replies are refused (503) until then. */
  smsReplies: SmsReplyHandler | null = null;
  private vapid: Promise<VapidKeys> | null = null;
  private explicitPublicUrl = false;

  private constructor(
    private readonly deps: DeliveryDeps,
    private readonly opts: DeliveryOptions,
  ) {
    this.enqueuer = new OutboxEnqueuer({
      clock: deps.clock,
      config: () => this.config,
      deadlines: () => this.deadlines,
      synchronous: opts.synchronousRecipients,
      chunk: opts.chunkRecipients,
      onQueued: () => this.worker?.nudge(),
    });
  }

  /** Reads the configuration and deadlines; usable (enqueue, callbacks) from here on, sending starts with start(). */
  static async open(deps: DeliveryDeps, opts: DeliveryOptions): Promise<DeliveryService> {
    const s = new DeliveryService(deps, opts);
    await s.reload();
    return s;
  }

  /** Re-reads settings and environment (after an operator changed them). Channels change at the next start(). */
  async reload(): Promise<void> {
    const env = this.opts.env ?? process.env;
    const { config, problems } = await loadDeliveryConfig(this.deps.db, env, this.opts.fallbackPublicUrl);
    const { policy, problems: deadlineProblems } = await loadDeadlinePolicy(this.deps.db);
    this.config = config;
    this.deadlines = policy;
    this.explicitPublicUrl = config.publicUrl !== this.opts.fallbackPublicUrl.replace(/\/+$/, '');
    for (const p of [...problems, ...deadlineProblems]) this.deps.log.error(`warning delivery configuration: ${p}`);
  }

  /** The port the server listens on, known only after listen(); links use it unless a public URL is set. */
  listeningOn(port: number): void {
    if (this.explicitPublicUrl) return;
    this.config = { ...this.config, publicUrl: `http://localhost:${port}` };
  }

  /** The worker with the configured channels, not yet running: tests drive it with runOnce()/drain(). */
  createWorker(): DeliveryWorker {
    this.worker = new DeliveryWorker({
      db: this.deps.db, clock: this.deps.clock, log: this.deps.log, bus: this.deps.bus, enqueuer: this.enqueuer,
      channels: this.opts.channels ?? this.configuredChannels(), rates: this.config.rates, retry: this.config.retry, random: this.opts.random,
    });
    return this.worker;
  }

  /** Starts sending in the background (startAnlan). */
  async start(): Promise<void> {
    const worker = this.createWorker();
    this.deps.log.info(describeConfig(this.config), 'warning delivery');
    await worker.start();
  }

  async close(): Promise<void> {
    await this.worker?.close();
  }

  private configuredChannels(): DeliveryChannel[] {
    const { clock } = this.deps;
    const c = this.config;
    const out: DeliveryChannel[] = [];
    if (c.sms) out.push(new SmsGatewayChannel(c.sms, { clock, receiptUrl: `${c.publicUrl}${RECEIPTS_PATH}`, inboundUrl: `${c.publicUrl}${INBOUND_PATH}` }));
    if (c.smtp) out.push(new EmailChannel(c.smtp));
    out.push(this.pushChannel());
    if (c.webhooks.length) out.push(new WebhookChannel(() => this.config.webhooks, { clock }));
    return out;
  }

  /** The Web Push channel of this installation (its VAPID keys, its subscriptions). */
  pushChannel(): WebPushChannel {
    return new WebPushChannel({
      clock: this.deps.clock,
      vapid: () => this.vapidKeys(),
      subject: this.config.vapidSubject,
      allowLoopbackHttp: this.config.pushAllowLoopbackHttp,
      keysOf: (endpoints) => store.subscriptionKeys(this.deps.db, endpoints),
    });
  }

  vapidKeys(): Promise<VapidKeys> {
    this.vapid ??= loadVapidKeys(this.deps.db).catch((err: unknown) => {
      this.vapid = null;
      throw err;
    });
    return this.vapid;
  }

  // ---- callbacks from the SMS gateway ----

  private authenticate(raw: string, headers: Record<string, string | string[] | undefined>): void {
    const secret = this.config.smsCallbackSecret;
    if (!secret) throw new AppError(503, 'Service Unavailable', 'SMS callbacks are not configured: set ANLAN_SMS_SECRET (or ANLAN_SMS_CALLBACK_SECRET)');
    const check = verifySignature(secret, headers, raw, this.deps.clock.now());
    if (!check.ok) throw new UnauthorizedError(`SMS gateway callback refused: ${check.reason}`);
  }

  private items(body: unknown, key: 'receipts' | 'messages'): unknown[] {
    const list = (body as Record<string, unknown> | null)?.[key];
    if (!Array.isArray(list)) throw new ValidationError([{ field: key, message: `must be a list of ${key === 'receipts' ? 'receipts' : 'messages'}` }]);
    if (list.length > MAX_CALLBACK_ITEMS) throw new ValidationError([{ field: key, message: `at most ${MAX_CALLBACK_ITEMS} per request` }]);
    return list;
  }

  /** Delivery receipts: authenticated, each row checked on its own; good rows are applied even when others are bad. */
  async smsReceipts(raw: string, body: unknown, headers: Record<string, string | string[] | undefined>): Promise<{ accepted: number; unknown: string[]; errors: (FieldError & { index: number })[] }> {
    this.authenticate(raw, headers);
    const errors: (FieldError & { index: number })[] = [];
    const good: store.Receipt[] = [];
    this.items(body, 'receipts').forEach((item, index) => {
      const r = (item ?? {}) as Record<string, unknown>;
      const bad = (field: string, message: string) => void errors.push({ index, field: `receipts[${index}].${field}`, message });
      const at = r.at === undefined ? this.deps.clock.now() : instant(r.at);
      if (!text(r.messageId, 200)) bad('messageId', 'must be the messageId the gateway gave when it accepted the message (1–200 characters)');
      else if (r.status !== 'delivered' && r.status !== 'failed') bad('status', 'must be "delivered" or "failed"');
      else if (!at) bad('at', 'must be an ISO 8601 date-time');
      else if (r.error !== undefined && r.error !== null && !text(r.error, 500)) bad('error', 'must be text of at most 500 characters');
      else good.push({ providerId: r.messageId, status: r.status, at, error: typeof r.error === 'string' ? r.error : null });
    });
    const result = await this.deps.db.transaction((tx) => store.applySmsReceipts(tx, good));
    await publishRecipientChanges(this.deps.bus, this.deps.clock.now().toISOString(), result.changes);
    return { accepted: result.matched, unknown: result.unknown, errors };
  }

  /** Replies (回复1收到 and feedback codes), handed one by one to the response part. */
  async smsInbound(raw: string, body: unknown, headers: Record<string, string | string[] | undefined>): Promise<{ accepted: number; results: { index: number; messageId: string; outcome: unknown }[]; errors: (FieldError & { index: number })[] }> {
    this.authenticate(raw, headers);
    const handler = this.smsReplies;
    if (!handler) throw new AppError(503, 'Service Unavailable', 'SMS replies cannot be taken yet; the gateway should send them again later');
    const errors: (FieldError & { index: number })[] = [];
    const results: { index: number; messageId: string; outcome: unknown }[] = [];
    const items = this.items(body, 'messages');
    for (const [index, item] of items.entries()) {
      const m = (item ?? {}) as Record<string, unknown>;
      const bad = (field: string, message: string) => errors.push({ index, field: `messages[${index}].${field}`, message });
      if (!text(m.messageId, 200)) { bad('messageId', 'must be the gateway\'s id of the reply (1–200 characters)'); continue; }
      if (!text(m.phone, 40) || !/^[+0-9][0-9 -]{5,39}$/.test(m.phone)) { bad('phone', 'must be the sender\'s number, e.g. 13800000000 or +86 138 0000 0000'); continue; }
      if (typeof m.text !== 'string' || m.text.length > 1000) { bad('text', 'must be the reply\'s text (at most 1000 characters)'); continue; }
      const receivedAt = m.receivedAt === undefined ? this.deps.clock.now() : instant(m.receivedAt);
      if (!receivedAt) { bad('receivedAt', 'must be an ISO 8601 date-time'); continue; }
      try {
        results.push({ index, messageId: m.messageId, outcome: await handler({ phone: m.phone, text: m.text, messageId: m.messageId, receivedAt }) });
      } catch (err) {
        this.deps.log.error({ err, messageId: m.messageId }, 'SMS reply could not be applied');
        bad('messageId', 'could not be applied now; send it again later');
      }
    }
    return { accepted: results.length, results, errors };
  }

  // ---- Web Push subscriptions ----

  async pushPublicKey(): Promise<string> {
    return (await this.vapidKeys()).publicKey;
  }

  /** Registers the logged-in responder's browser for Web Push. */
  async subscribe(who: { actor: Actor; scope: RegionScope; userId: number; userAgent: string | null }, keys: store.PushKeys): Promise<{ id: number; personId: number; created: boolean }> {
    const problem = endpointProblem(keys.endpoint, this.config.pushAllowLoopbackHttp);
    if (problem) throw new ValidationError([{ field: 'endpoint', message: problem }]);
    const person = await store.personOfUser(this.deps.db, who.scope, who.userId);
    if (!person) throw new ConflictError('Your account is not linked to a responsible person (责任人) of your region, so there is nobody to push warnings to; ask the roster\'s keeper to link it');
    return this.deps.db.transaction(async (tx) => {
      const r = await store.upsertSubscription(tx, person.id, who.userId, keys, who.userAgent);
      await appendAudit(tx, this.deps.clock, who.actor, {
        action: 'warning.push_subscribed', targetType: 'warning_push_subscription', targetId: r.id, regionCode: person.regionCode,
        // The endpoint's origin only: the full URL is a capability of the device.
        after: { personId: person.id, pushService: new URL(keys.endpoint).origin },
      });
      return { id: r.id, personId: person.id, created: r.created };
    });
  }

  async unsubscribe(who: { actor: Actor; scope: RegionScope; userId: number }, endpoint: string): Promise<void> {
    const person = await store.personOfUser(this.deps.db, who.scope, who.userId);
    if (!person) throw new NotFoundError('Push subscription');
    await this.deps.db.transaction(async (tx) => {
      const id = await store.deleteSubscription(tx, person.id, endpoint);
      if (id === null) throw new NotFoundError('Push subscription');
      await appendAudit(tx, this.deps.clock, who.actor, { action: 'warning.push_unsubscribed', targetType: 'warning_push_subscription', targetId: id, regionCode: person.regionCode, before: { personId: person.id } });
    });
  }

  // ---- what the board and the mobile page use ----

  async outboxStats(scope: RegionScope, warningId: number): Promise<store.OutboxStats & { sms: { chars: number; segments: number } | null }> {
    const stats = await store.outboxStats(this.deps.db, scope, warningId);
    if (!stats) throw new NotFoundError('Warning');
    const sample = await this.deps.db.query<{ body: string }>(`SELECT body FROM warning_outbox WHERE warning_id = $1 AND channel = 'sms' ORDER BY id LIMIT 1`, [warningId]);
    const body = sample.rows[0]?.body;
    return { ...stats, sms: body === undefined ? null : { chars: smsLength(body), segments: smsSegments(body) } };
  }

  /** The mobile page showed these recipients their warning: in-app delivered (the response part calls this). */
  async inappDelivered(recipientIds: readonly number[]): Promise<void> {
    const changes = await store.markInappDelivered(this.deps.db, recipientIds, this.deps.clock.now());
    await publishRecipientChanges(this.deps.bus, this.deps.clock.now().toISOString(), changes);
  }
}
