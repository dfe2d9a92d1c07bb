/**
 * The rules of warnings (预警发布): drafting and editing, submitting for approval, the two-person
 * approval (签发) that issues, rejection with a note, the 6 h → 3 h → 1 h ladder (promote), Update
 * and Cancel as later steps of one thread, and expiry. Every change writes an event row and an
 * audit entry in the same transaction as the change; after the commit an issued warning is
 * handed to the dispatch (recipients, delivery) and every change is published on the bus.
 */
import { ConflictError, ForbiddenError, NATIONAL_CODE, NotFoundError, ValidationError, levelOfCode, type Clock, type FieldError, type RegionScope, type Role } from '@anlan/core';
import type { Database, Queryable } from '@anlan/db';
import { CapWriteError, LEVEL_NAMES, formatCapDateTime, writeCap } from '@anlan/cap';
import type { Logger } from 'pino';
import { appendAudit } from '../../audit/service.ts';
import type { Actor } from '../../caller.ts';
import type { EventBus } from '../../events/bus.ts';
import { readSetting } from '../../system/settings.ts';
import type { IssuedWarning, WarningDispatch, WarningMsgType } from '../contracts.ts';
import { placeAreas } from './areas.ts';
import { capAlertOf } from './cap.ts';
import { STAGE_NAMES, eventTypeOf, mergeDraft, nextStage, type DraftInput, type DraftRecord } from './draft.ts';
import { smsPreview } from './sms.ts';
import * as store from './store.ts';

/** Who may draft, edit, submit, promote, update and cancel. */
export const WRITERS: readonly Role[] = ['admin', 'commander', 'duty'];
/** Who may approve (签发) and reject: never the person who drafted or edited the warning. */
export const SIGNERS: readonly Role[] = ['admin', 'commander'];
export const SENDER_DOMAIN_SETTING = 'warning.cap_sender_domain';
const DEFAULT_SENDER_DOMAIN = 'anlan.local';

/** Reads an alarm in a scope (the monitoring alarm service's `get`); for `sourceAlarmId`. */
export interface AlarmReader {
  get(scope: RegionScope, id: number): Promise<{ id: number; regionCode: string }>;
}

export interface WarningDeps {
  db: Database;
  clock: Clock;
  bus: EventBus;
  log: Logger;
  /** The dispatch wired by startAnlan (roster + delivery), read when a warning is issued. */
  dispatch?: () => WarningDispatch | undefined;
  alarms?: AlarmReader;
}

/** A caller as the warning rules see it: tokens (integrations) have no role. */
export interface WarningCaller {
  actor: Actor;
  scope: RegionScope;
  role: Role | null;
}

export type Step = 'promote' | 'update' | 'cancel';

export interface Permissions {
  edit: boolean;
  submit: boolean;
  delete: boolean;
  approve: boolean;
  reject: boolean;
  promote: boolean;
  update: boolean;
  cancel: boolean;
  /** Why this caller may not approve a pending warning, when that is the reason. */
  approveBlocked: 'author' | 'role' | null;
}

export type WarningDetail = store.Warning & {
  eventName: string;
  eventNameEn: string;
  areas: store.WarningArea[];
  thread: store.Warning[];
  history: store.WarningEvent[];
  sms: { text: string; length: number; segments: number };
  can: Permissions;
};

// ---- helpers ----

const seconds = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);

function isWriter(who: WarningCaller): boolean {
  return who.role !== null && WRITERS.includes(who.role);
}

function requireWriter(who: WarningCaller): void {
  if (!isWriter(who)) throw new ForbiddenError(`Warnings are drafted by the roles ${WRITERS.join(', ')}`);
}

function requireSigner(who: WarningCaller): void {
  if (who.role === null || !SIGNERS.includes(who.role)) throw new ForbiddenError(`Approving (签发) and rejecting warnings needs the role ${SIGNERS.join(' or ')}`);
}

function stale(id: number, sent: number, now: number): ConflictError {
  return new ConflictError(`Warning ${id} was changed by someone else (you sent version ${sent}, it is now at version ${now}); reload it and apply your change again`);
}

/**
 * The public name of the issuer (CAP senderName, the SMS's first words): the emergency management
 * bureau of the warning's region — of its county when the region is a township or a village
 * (townships have no bureau), 应急管理厅 for a province, 应急管理部 for the whole country.
 */
export async function issuerName(db: Queryable, regionCode: string): Promise<string> {
  if (regionCode === NATIONAL_CODE) return '应急管理部';
  const code = regionCode.length > 6 ? regionCode.slice(0, 6) : regionCode;
  const name = (await store.regionNames(db, [code])).get(code);
  if (!name) return '应急管理部门';
  return `${name}${levelOfCode(code) === 'province' ? '应急管理厅' : '应急管理局'}`;
}

async function senderOf(db: Queryable, regionCode: string): Promise<string> {
  const domain = await readSetting<string>(db, SENDER_DOMAIN_SETTING).catch(() => null);
  return `yjj.${regionCode}@${typeof domain === 'string' && /^[A-Za-z0-9.-]+$/.test(domain) ? domain : DEFAULT_SENDER_DOMAIN}`;
}

/** CAP identifiers of our warnings: region, day (China time) and id; never like an imported one's. */
function identifierOf(regionCode: string, id: number, at: Date): string {
  const day = formatCapDateTime(at).slice(0, 10).replace(/-/g, '');
  return `CN.${regionCode}.ANLAN.${day}.${id}`;
}

export function toIssued(w: store.Warning): IssuedWarning {
  return {
    id: w.id, threadId: w.threadId, previousId: w.previousId, identifier: w.identifier, msgType: w.msgType, stage: w.stage, event: w.event, level: w.level,
    headline: w.headline, description: w.description, instruction: w.instruction, regionCode: w.regionCode, issuedAt: new Date(w.issuedAt!), expiresAt: new Date(w.expires),
  };
}

function summary(w: store.Warning): Record<string, unknown> {
  return {
    id: w.id, threadId: w.threadId, previousId: w.previousId, identifier: w.identifier, msgType: w.msgType, status: w.status, stage: w.stage, event: w.event,
    level: w.level, headline: w.headline, state: w.state, regionCode: w.regionCode, regionName: w.regionName, origin: w.origin, issuedAt: w.issuedAt, expires: w.expires,
  };
}

async function publish(deps: WarningDeps, type: string, w: store.Warning, extra: Record<string, unknown> = {}): Promise<void> {
  try {
    await deps.bus.publish({ type, regionCode: w.regionCode, at: deps.clock.now().toISOString(), data: { ...summary(w), ...extra } });
  } catch (err) {
    deps.log.error({ err, type, warning: w.id }, 'warning event could not be published');
  }
}

/** The bus event of an issued step: a new warning, a change of one (Update, promotion), or its end. */
export function issuedEventType(msgType: WarningMsgType): string {
  return msgType === 'Cancel' ? 'warning.cancelled' : msgType === 'Update' ? 'warning.updated' : 'warning.issued';
}

/**
 * After an issuing transaction committed: dispatch (recipients and delivery) and the bus event.
 * A failing dispatch is logged, not thrown: the warning is issued and its record stands; the
 * dispatch is idempotent and can be run again for it.
 */
export async function afterIssue(deps: WarningDeps, w: store.Warning): Promise<void> {
  const dispatch = deps.dispatch?.();
  let dispatched: { recipients: number; enqueued: number } | null = null;
  if (dispatch) {
    try {
      dispatched = await dispatch.dispatch(toIssued(w));
    } catch (err) {
      deps.log.error({ err, warning: w.id }, 'issued warning could not be dispatched');
    }
  }
  await publish(deps, issuedEventType(w.msgType), w, dispatched ? { recipients: dispatched.recipients } : {});
}

async function mustFind(db: Queryable, scope: RegionScope, id: number, forUpdate = false): Promise<store.Warning> {
  const w = await store.findWarning(db, scope, id, forUpdate);
  // Another county's warning gets the same answer as none at all.
  if (!w) throw new NotFoundError(`Warning ${id}`);
  return w;
}

async function audit(tx: Queryable, deps: WarningDeps, actor: Actor, action: string, w: store.Warning, before?: unknown, after?: unknown): Promise<void> {
  await appendAudit(tx, deps.clock, actor, { action, targetType: 'warning', targetId: w.id, regionCode: w.regionCode, before, after: after ?? summary(w) });
}

/** Checks a draft's areas where they lie; field errors join the draft's own. */
async function prepare(db: Queryable, scope: RegionScope, current: DraftRecord | null, input: DraftInput, now: Date) {
  const { record, errors } = mergeDraft(current, input, now);
  const badArea = errors.some((e) => e.field === 'areas' || e.field.startsWith('areas['));
  const placement = badArea || record.areas.length === 0 ? null : await placeAreas(db, scope, record.areas);
  if (placement) errors.push(...placement.errors);
  return { record, errors, placement };
}

async function checkSourceAlarm(deps: WarningDeps, scope: RegionScope, id: number | null, errors: FieldError[]): Promise<void> {
  if (id === null || !deps.alarms) return;
  try {
    await deps.alarms.get(scope, id);
  } catch {
    errors.push({ field: 'sourceAlarmId', message: `there is no alarm ${id} in your region` });
  }
}

// ---- reading ----

export async function permissionsOf(db: Queryable, who: WarningCaller, w: store.Warning, thread: store.Warning[]): Promise<Permissions> {
  const writer = isWriter(who);
  const signer = who.role !== null && SIGNERS.includes(who.role);
  const open = ['draft', 'pending', 'rejected'];
  const editable = writer && (w.state === 'draft' || w.state === 'rejected');
  const author = w.state === 'pending' && who.actor.id !== null && (await store.authorsOf(db, w.id)).has(who.actor.id);
  const inForce = writer && w.state === 'issued' && w.msgType !== 'Cancel' && !thread.some((s) => s.id !== w.id && open.includes(s.state));
  return {
    edit: editable,
    submit: editable,
    delete: editable,
    approve: signer && w.state === 'pending' && !author,
    reject: signer && w.state === 'pending',
    promote: inForce && nextStage(w.stage) !== null,
    update: inForce,
    cancel: inForce,
    approveBlocked: w.state !== 'pending' ? null : !signer ? 'role' : author ? 'author' : null,
  };
}

/** One warning with its areas, its thread, its history, its SMS and what the caller may do with it. */
export async function getWarning(deps: Pick<WarningDeps, 'db'>, who: WarningCaller, id: number): Promise<WarningDetail> {
  const w = await mustFind(deps.db, who.scope, id);
  const [areas, thread] = await Promise.all([store.areasOf(deps.db, id), store.threadOf(deps.db, who.scope, w.threadId)]);
  const history = await store.eventsOf(deps.db, thread.map((s) => s.id));
  const type = eventTypeOf(w.event);
  return {
    ...w,
    eventName: type?.zh ?? w.event,
    eventNameEn: type?.event ?? w.event,
    areas,
    thread,
    history,
    sms: smsPreview({ ...w, senderName: w.senderName ?? (await issuerName(deps.db, w.regionCode)) }),
    can: await permissionsOf(deps.db, who, w, thread),
  };
}

export async function listWarnings(deps: Pick<WarningDeps, 'db'>, who: WarningCaller, filter: store.ListFilter) {
  const page = await store.listWarnings(deps.db, who.scope, filter);
  return { ...page, limit: filter.limit, offset: filter.offset };
}

/**
 * The CAP XML of a warning: as issued or imported (frozen), or for a draft the message it would be
 * if it were issued now (`preview`).
 */
export async function capOf(deps: Pick<WarningDeps, 'db' | 'clock'>, who: WarningCaller, id: number): Promise<{ xml: string; preview: boolean }> {
  const w = await mustFind(deps.db, who.scope, id);
  const frozen = await store.capXmlOf(deps.db, who.scope, id);
  if (frozen) return { xml: frozen, preview: false };
  const thread = await store.threadOf(deps.db, who.scope, w.threadId);
  const areas = await store.areasOf(deps.db, id);
  try {
    return { xml: writeCap(capAlertOf({ ...w, senderName: await issuerName(deps.db, w.regionCode), areas }, formatCapDateTime(seconds(deps.clock.now())), referencesOf(thread, w.id))), preview: true };
  } catch (e) {
    if (e instanceof CapWriteError) throw new ValidationError(e.errors.map((x) => ({ field: x.element, message: x.message })), 'The warning cannot be written as CAP 1.2');
    throw e;
  }
}

/** The earlier issued steps of a thread, as CAP references them (oldest first). */
function referencesOf(thread: store.Warning[], selfId: number): { sender: string; identifier: string; sent: string }[] {
  return thread
    .filter((s) => s.id !== selfId && s.sent !== null && s.issuedAt !== null && s.id < selfId)
    .map((s) => ({ sender: s.sender, identifier: s.identifier, sent: s.sent! }));
}

// ---- drafting ----

interface NewStep {
  threadId: number | null;
  previousId: number | null;
  msgType: WarningMsgType;
  sender: string | null;
  submit: boolean;
}

async function insertDraft(deps: WarningDeps, who: WarningCaller, record: DraftRecord, placement: NonNullable<Awaited<ReturnType<typeof prepare>>['placement']>, step: NewStep): Promise<store.Warning> {
  const now = deps.clock.now();
  const w = await deps.db.transaction(async (tx) => {
    const id = await store.nextWarningId(tx);
    await store.insertWarning(tx, {
      id,
      threadId: step.threadId ?? id,
      previousId: step.previousId,
      identifier: identifierOf(placement.regionCode, id, now),
      sender: step.sender ?? (await senderOf(tx, placement.regionCode)),
      senderName: null,
      msgType: step.msgType,
      status: record.status,
      record,
      regionCode: placement.regionCode,
      state: step.submit ? 'pending' : 'draft',
      origin: 'local',
      source: null,
      capSent: null,
      capXml: null,
      draftedBy: who.actor,
      submittedAt: step.submit ? now : null,
      issuedAt: null,
      at: now,
    });
    await store.replaceAreas(tx, id, placement.areas);
    await store.insertEvent(tx, { warningId: id, at: now, kind: 'drafted', actor: who.actor, note: step.msgType === 'Alert' ? null : step.msgType });
    if (step.submit) await store.insertEvent(tx, { warningId: id, at: now, kind: 'submitted', actor: who.actor });
    const created = (await store.warningById(tx, id))!;
    await audit(tx, deps, who.actor, 'warning.drafted', created, undefined, { ...summary(created), areas: placement.areas });
    if (step.submit) await audit(tx, deps, who.actor, 'warning.submitted', created);
    return created;
  });
  await publish(deps, step.submit ? 'warning.submitted' : 'warning.drafted', w);
  return w;
}

/** A new warning (msgType Alert), drafted; `submit` sends it for approval at once. */
export async function createDraft(deps: WarningDeps, who: WarningCaller, input: DraftInput, opts: { submit?: boolean } = {}): Promise<WarningDetail> {
  requireWriter(who);
  const { record, errors, placement } = await prepare(deps.db, who.scope, null, input, deps.clock.now());
  await checkSourceAlarm(deps, who.scope, record.sourceAlarmId, errors);
  if (errors.length || !placement) throw new ValidationError(errors);
  const w = await insertDraft(deps, who, record, placement, { threadId: null, previousId: null, msgType: 'Alert', sender: null, submit: opts.submit === true });
  return getWarning(deps, who, w.id);
}

/** Changes a draft or a rejected warning (which goes back to draft); `version` is the one read. */
export async function editDraft(deps: WarningDeps, who: WarningCaller, id: number, input: DraftInput & { version: number }): Promise<WarningDetail> {
  requireWriter(who);
  const { version, ...patch } = input;
  const current = await mustFind(deps.db, who.scope, id);
  if (current.state !== 'draft' && current.state !== 'rejected') throw new ConflictError(`Warning ${id} is ${current.state}; only a draft or a rejected warning can be changed`);
  if (current.version !== version) throw stale(id, version, current.version);
  if (current.msgType === 'Cancel' && patch.areas !== undefined) throw new ValidationError([{ field: 'areas', message: 'a Cancel lifts the warning where it was issued: its areas cannot change' }]);
  const before = store.draftRecordOf(current, await store.areasOf(deps.db, id));
  const { record, errors, placement } = await prepare(deps.db, who.scope, before, patch, deps.clock.now());
  if (patch.sourceAlarmId !== undefined) await checkSourceAlarm(deps, who.scope, record.sourceAlarmId, errors);
  if (errors.length || !placement) throw new ValidationError(errors);
  const now = deps.clock.now();
  const w = await deps.db.transaction(async (tx) => {
    if (!(await store.updateDraft(tx, who.scope, id, version, record, placement.regionCode, 'draft', now))) {
      const again = await mustFind(tx, who.scope, id);
      throw stale(id, version, again.version);
    }
    await store.replaceAreas(tx, id, placement.areas);
    await store.insertEvent(tx, { warningId: id, at: now, kind: 'edited', actor: who.actor });
    const after = (await store.warningById(tx, id))!;
    await audit(tx, deps, who.actor, 'warning.edited', after, { ...summary(current), areas: before.areas }, { ...summary(after), areas: placement.areas });
    return after;
  });
  await publish(deps, 'warning.edited', w);
  return getWarning(deps, who, id);
}

export async function deleteDraft(deps: WarningDeps, who: WarningCaller, id: number, version: number | null): Promise<void> {
  requireWriter(who);
  const w = await deps.db.transaction(async (tx) => {
    const current = await mustFind(tx, who.scope, id, true);
    if (current.state !== 'draft' && current.state !== 'rejected') throw new ConflictError(`Warning ${id} is ${current.state}; only a draft or a rejected warning can be deleted`);
    if (version !== null && current.version !== version) throw stale(id, version, current.version);
    await store.deleteWarning(tx, id);
    await audit(tx, deps, who.actor, 'warning.deleted', current, summary(current), null);
    return current;
  });
  await publish(deps, 'warning.deleted', w);
}

export async function submit(deps: WarningDeps, who: WarningCaller, id: number, version: number | null): Promise<WarningDetail> {
  requireWriter(who);
  const now = deps.clock.now();
  const w = await deps.db.transaction(async (tx) => {
    const current = await mustFind(tx, who.scope, id, true);
    if (current.state !== 'draft' && current.state !== 'rejected') throw new ConflictError(`Warning ${id} is ${current.state}; only a draft or a rejected warning can be submitted`);
    if (version !== null && current.version !== version) throw stale(id, version, current.version);
    if (new Date(current.expires).getTime() <= now.getTime()) throw new ValidationError([{ field: 'expires', message: `is past (${current.expires}): change it before submitting` }]);
    await store.setState(tx, id, 'pending', now, { submittedAt: now, rejectNote: null });
    await store.insertEvent(tx, { warningId: id, at: now, kind: 'submitted', actor: who.actor });
    const after = (await store.warningById(tx, id))!;
    await audit(tx, deps, who.actor, 'warning.submitted', after, { state: current.state }, summary(after));
    return after;
  });
  await publish(deps, 'warning.submitted', w);
  return getWarning(deps, who, id);
}

export async function reject(deps: WarningDeps, who: WarningCaller, id: number, note: string, version: number | null): Promise<WarningDetail> {
  requireSigner(who);
  const reason = note.trim();
  if (reason === '') throw new ValidationError([{ field: 'note', message: 'is required: say why the warning is rejected, so the drafter can fix it' }]);
  const now = deps.clock.now();
  const w = await deps.db.transaction(async (tx) => {
    const current = await mustFind(tx, who.scope, id, true);
    if (current.state !== 'pending') throw new ConflictError(`Warning ${id} is ${current.state}; only a warning submitted for approval can be rejected`);
    if (version !== null && current.version !== version) throw stale(id, version, current.version);
    await store.setState(tx, id, 'rejected', now, { rejectNote: reason });
    await store.insertEvent(tx, { warningId: id, at: now, kind: 'rejected', actor: who.actor, note: reason });
    const after = (await store.warningById(tx, id))!;
    await audit(tx, deps, who.actor, 'warning.rejected', after, { state: 'pending' }, { ...summary(after), note: reason });
    return after;
  });
  await publish(deps, 'warning.rejected', w, { note: reason });
  return getWarning(deps, who, id);
}

// ---- issuing ----

/**
 * Marks the step in force before `w` as superseded (or, for a Cancel, cancelled) inside the
 * issuing transaction. Returns the steps it changed.
 */
async function closePrevious(tx: Queryable, deps: WarningDeps, actor: Actor, w: store.Warning, inForce: store.Warning | null, at: Date): Promise<store.Warning[]> {
  if (!inForce) return [];
  const state = w.msgType === 'Cancel' ? 'cancelled' : 'superseded';
  await store.setState(tx, inForce.id, state, at);
  await store.insertEvent(tx, { warningId: inForce.id, at, kind: state, actor, note: `${w.msgType} ${w.identifier}` });
  const after = (await store.warningById(tx, inForce.id))!;
  await audit(tx, deps, actor, `warning.${state}`, after, { state: inForce.state }, { ...summary(after), by: w.id });
  return [after];
}

/**
 * 签发: a commander or administrator of the warning's region, who neither drafted nor edited it,
 * approves a pending warning, which is issued: its CAP message is written and frozen, the step
 * before it in the thread is superseded (a Cancel cancels it), and after the commit it is
 * dispatched and announced.
 */
export async function approve(deps: WarningDeps, who: WarningCaller, id: number, version: number | null): Promise<WarningDetail> {
  requireSigner(who);
  const at = deps.clock.now();
  // CAP times have whole seconds: the issue time is kept as it is written in <sent>.
  const now = seconds(at);
  const { issued, closed } = await deps.db.transaction(async (tx) => {
    const w = await mustFind(tx, who.scope, id, true);
    if (w.state !== 'pending') throw new ConflictError(`Warning ${id} is ${w.state}; only a warning submitted for approval can be approved`);
    if (version !== null && w.version !== version) throw stale(id, version, w.version);
    if (who.actor.id !== null && (await store.authorsOf(tx, id)).has(who.actor.id)) {
      throw new ForbiddenError('Two-person rule (双人签发): you drafted or edited this warning, so another commander or administrator must approve it');
    }
    if (new Date(w.expires).getTime() <= now.getTime()) throw new ConflictError(`Warning ${id} expires at ${w.expires}, which is past: reject it so that it can be changed`);
    const thread = await store.lockThread(tx, w.threadId);
    const inForce = thread.find((s) => s.id !== id && s.state === 'issued') ?? null;
    if (w.msgType !== 'Alert' && !inForce) {
      const last = thread.filter((s) => s.issuedAt !== null && s.id !== id).pop();
      throw new ConflictError(`Warning ${id} is ${w.msgType === 'Cancel' ? 'a Cancel' : 'an Update'} of a thread no longer in force${last ? ` (warning ${last.id} is ${last.state})` : ''}: delete it, and issue a new warning if one is needed`);
    }
    const areas = await store.areasOf(tx, id);
    const senderName = await issuerName(tx, w.regionCode);
    const sent = formatCapDateTime(now);
    let xml: string;
    try {
      xml = writeCap(capAlertOf({ ...w, senderName, areas }, sent, referencesOf(thread, id)));
    } catch (e) {
      if (e instanceof CapWriteError) throw new ValidationError(e.errors.map((x) => ({ field: x.element, message: x.message })), 'The warning cannot be written as CAP 1.2');
      throw e;
    }
    const state = w.msgType === 'Cancel' ? 'cancelled' : 'issued';
    await store.setState(tx, id, state, now, { approvedBy: who.actor, issuedAt: now, capSent: sent, capXml: xml, senderName, previousId: inForce?.id ?? w.previousId });
    await store.insertEvent(tx, { warningId: id, at, kind: 'approved', actor: who.actor });
    await store.insertEvent(tx, { warningId: id, at, kind: 'issued', actor: who.actor, note: w.msgType === 'Alert' ? null : w.msgType });
    const after = (await store.warningById(tx, id))!;
    await audit(tx, deps, who.actor, 'warning.approved', after, { state: 'pending' }, { ...summary(after), approvedBy: who.actor.name });
    const closedSteps = await closePrevious(tx, deps, who.actor, after, inForce, at);
    return { issued: after, closed: closedSteps };
  });
  for (const c of closed) await publish(deps, `warning.${c.state}`, c, { by: issued.id });
  await afterIssue(deps, issued);
  return getWarning(deps, who, id);
}

// ---- the steps of a thread ----

/**
 * A later step of the thread of `id`, which must be the step in force: `promote` (the next rung
 * of the ladder, same content unless changed), `update` (msgType Update: level, areas, text may
 * change) or `cancel` (msgType Cancel: lifts the warning where it was issued). The step is a new
 * warning that references the previous and needs approval again; `submit` sends it at once.
 */
export async function startStep(deps: WarningDeps, who: WarningCaller, id: number, step: Step, input: DraftInput & { submit?: boolean }): Promise<WarningDetail> {
  requireWriter(who);
  const { submit: submitNow, ...patch } = input;
  const w = await mustFind(deps.db, who.scope, id);
  const verb = { promote: 'promoted', update: 'updated', cancel: 'cancelled' }[step];
  if (w.state !== 'issued' || w.msgType === 'Cancel') throw new ConflictError(`Warning ${id} is ${w.state}; only the warning in force can be ${verb}`);
  const thread = await store.threadOf(deps.db, who.scope, w.threadId);
  const open = thread.find((s) => ['draft', 'pending', 'rejected'].includes(s.state));
  if (open) throw new ConflictError(`Warning ${open.id} (${open.msgType}, ${open.state}) is already the next step of this thread: finish or delete it first`);
  const base = store.draftRecordOf(w, await store.areasOf(deps.db, id));
  let changes: DraftInput;
  if (step === 'promote') {
    const next = nextStage(w.stage);
    if (!next) throw new ConflictError(`Warning ${id} is already at the top of the ladder (${STAGE_NAMES.callresponse.zh})`);
    changes = { ...patch, stage: next };
  } else if (step === 'update') {
    changes = patch;
  } else {
    if (patch.areas !== undefined) throw new ValidationError([{ field: 'areas', message: 'a Cancel lifts the warning where it was issued: its areas cannot change' }]);
    const type = eventTypeOf(w.event);
    const what = `${type?.zh ?? w.event}${LEVEL_NAMES[w.level].zh}预警`;
    changes = {
      headline: patch.headline ?? `解除${w.regionName ?? ''}${what}`,
      description: patch.description ?? `${await issuerName(deps.db, w.regionCode)}解除${what}。`,
      instruction: patch.instruction ?? '',
      translations: patch.translations ?? [],
      ...(patch.expires !== undefined ? { expires: patch.expires } : {}),
    };
  }
  const { record, errors, placement } = await prepare(deps.db, who.scope, base, changes, deps.clock.now());
  if (errors.length || !placement) throw new ValidationError(errors);
  const created = await insertDraft(deps, who, record, placement, {
    threadId: w.threadId,
    previousId: w.id,
    msgType: step === 'cancel' ? 'Cancel' : 'Update',
    sender: w.sender,
    submit: submitNow === true,
  });
  return getWarning(deps, who, created.id);
}

// ---- expiry ----

/**
 * Issued warnings whose expiry has passed become expired (the periodic sweep; also callable with
 * an injected clock). Returns how many expired.
 */
export async function sweepExpired(deps: WarningDeps, actor: Actor, batch = 200): Promise<number> {
  let total = 0;
  for (;;) {
    const now = deps.clock.now();
    const expired = await deps.db.transaction(async (tx) => {
      const due = await store.dueForExpiry(tx, now, batch);
      const out: store.Warning[] = [];
      for (const w of due) {
        await store.setState(tx, w.id, 'expired', now);
        await store.insertEvent(tx, { warningId: w.id, at: now, kind: 'expired', actor });
        const after = (await store.warningById(tx, w.id))!;
        await audit(tx, deps, actor, 'warning.expired', after, { state: 'issued' }, summary(after));
        out.push(after);
      }
      return out;
    });
    for (const w of expired) await publish(deps, 'warning.expired', w);
    total += expired.length;
    if (expired.length < batch) return total;
  }
}
