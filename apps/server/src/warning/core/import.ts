/**
 * CAP messages from elsewhere (气象台, 水文局, a province's platform): a file, a POST, or a polled
 * feed. A valid Actual or Exercise alert for areas in the importer's region becomes an issued
 * warning (origin 'imported': another authority approved it), dispatched like our own; an Update
 * or Cancel joins the thread of the alert it references (by sender and identifier). A message
 * already held (same identifier and sender) is answered again, not stored twice. A bad message is
 * refused with every problem located by its element: `alert/info[1]/certainty: is required`.
 */
import { ConflictError, ForbiddenError, ValidationError, type FieldError } from '@anlan/core';
import { CAP_NAMESPACES, parseCap, type CapError } from '@anlan/cap';
import { appendAudit } from '../../audit/service.ts';
import { placeAreas } from './areas.ts';
import { elementOfField, warningInputOfCap } from './cap.ts';
import { mergeDraft, type DraftStatus } from './draft.ts';
import { afterIssue, getWarning, type WarningCaller, type WarningDeps, type WarningDetail } from './service.ts';
import * as store from './store.ts';

/** An imported message without its own expiry lasts this long (or as long as what it references). */
export const DEFAULT_IMPORT_HOURS = 24;
const IMPORTED_STATUSES: readonly DraftStatus[] = ['Actual', 'Exercise'];

export interface ImportResult {
  warning: WarningDetail;
  /** The message was already held: nothing was stored. */
  duplicate: boolean;
  /** Remarks of the reader that did not stop the import (an Update without references…). */
  remarks: CapError[];
}

function refuse(errors: CapError[], detail = 'The CAP message cannot be imported'): ValidationError {
  return new ValidationError(errors.map((e) => ({ field: e.element, message: e.message })), detail);
}

/**
 * Imports one CAP 1.2 message for `who` (a user, a token, or a feed acting for the whole country).
 * `source` records where it came from (a feed URL, a file name, "api").
 */
export async function importCap(deps: WarningDeps, who: WarningCaller, xml: string, source: string): Promise<ImportResult> {
  const parsed = parseCap(xml);
  if (parsed.errors.length > 0 || !parsed.alert) throw refuse(parsed.errors, 'The CAP message is invalid');
  if (parsed.version !== '1.2') {
    throw refuse([{ element: 'alert', message: `the namespace is CAP ${parsed.version} (${CAP_NAMESPACES[parsed.version ?? '1.1']}); Anlan imports CAP 1.2 (${CAP_NAMESPACES['1.2']}) only` }]);
  }
  const alert = parsed.alert;
  const read = warningInputOfCap(alert);
  if (!IMPORTED_STATUSES.includes(alert.status as DraftStatus)) {
    read.errors.push({ element: 'alert/status', message: `${alert.status} messages are not imported: only Actual warnings and Exercise drills are` });
  }
  if (read.errors.length > 0) throw refuse(read.errors);

  const existing = await store.warningByIdentifier(deps.db, alert.identifier);
  if (existing) {
    if (existing.sender !== alert.sender) throw new ConflictError(`The identifier ${alert.identifier} is already used by a warning of another sender (${existing.sender})`);
    if (!(await store.findWarning(deps.db, who.scope, existing.id))) throw new ConflictError(`The message ${alert.identifier} is already held, for a region outside yours`);
    return { warning: await getWarning(deps, who, existing.id), duplicate: true, remarks: parsed.warnings };
  }

  // An Update or Cancel continues the thread of the newest message it references that we hold.
  const held = alert.msgType === 'Alert' ? [] : await store.warningsReferenced(deps.db, alert.references);
  const referenced = held.at(-1) ?? null;
  if (alert.msgType === 'Cancel' && !referenced) {
    throw refuse([{ element: 'alert/references', message: alert.references.length ? 'refers to no warning Anlan holds: there is nothing to cancel' : 'a Cancel must reference the warning it cancels' }]);
  }
  const sentAt = new Date(alert.sent);
  const errors: FieldError[] = [];
  const input = { ...read.input, status: alert.status };
  if (read.levelMissing) {
    if (referenced) input.level = referenced.level;
    else errors.push({ field: 'level', message: 'gives no level: an eventCode "level" (blue, yellow, orange, red) or a severity' });
  }
  if (input.expires === undefined) {
    const fallback = referenced && new Date(referenced.expires) > sentAt ? new Date(referenced.expires) : new Date(sentAt.getTime() + DEFAULT_IMPORT_HOURS * 3_600_000);
    input.expires = fallback.toISOString();
  }
  // The message's own time is "now" for its fields: an alert imported late is still the alert it was.
  const { record, errors: fieldErrors } = mergeDraft(null, input, sentAt);
  errors.push(...fieldErrors);
  const placement = errors.some((e) => e.field.startsWith('areas')) ? null : await placeAreas(deps.db, who.scope, record.areas);
  if (placement) errors.push(...placement.errors);
  if (errors.length > 0 || !placement) throw refuse(errors.map((e) => ({ element: elementOfField(e.field, read.elements), message: e.field.includes('.') || e.field.includes('[') ? `${e.field}: ${e.message}` : e.message })));

  const now = deps.clock.now();
  const expired = record.expiresAt.getTime() <= now.getTime();
  const state: store.WarningState = alert.msgType === 'Cancel' ? 'cancelled' : expired ? 'expired' : 'issued';
  const result = await deps.db.transaction(async (tx) => {
    const id = await store.nextWarningId(tx);
    const thread = referenced ? await store.lockThread(tx, referenced.threadId) : [];
    const inForce = thread.find((s) => s.state === 'issued') ?? null;
    // A late Update must not replace a newer step already in force.
    const replaces = inForce && (inForce.issuedAt === null || new Date(inForce.issuedAt) <= sentAt) ? inForce : null;
    await store.insertWarning(tx, {
      id,
      threadId: referenced?.threadId ?? id,
      previousId: replaces?.id ?? referenced?.id ?? null,
      identifier: alert.identifier,
      sender: alert.sender,
      senderName: read.senderName,
      msgType: read.msgType,
      status: alert.status,
      record,
      regionCode: placement.regionCode,
      state,
      origin: 'imported',
      source,
      capSent: alert.sent,
      capXml: xml,
      draftedBy: { id: null, name: who.actor.name, ip: who.actor.ip },
      submittedAt: null,
      issuedAt: sentAt,
      at: now,
    });
    await store.replaceAreas(tx, id, placement.areas);
    await store.insertEvent(tx, { warningId: id, at: now, kind: 'imported', actor: who.actor, note: source });
    const created = (await store.warningById(tx, id))!;
    await appendAudit(tx, deps.clock, who.actor, {
      action: 'warning.imported', targetType: 'warning', targetId: id, regionCode: created.regionCode,
      after: { id, identifier: created.identifier, sender: created.sender, msgType: created.msgType, status: created.status, event: created.event, level: created.level, state, source },
    });
    const closed: store.Warning[] = [];
    if (replaces && state !== 'expired') {
      const next = alert.msgType === 'Cancel' ? 'cancelled' : 'superseded';
      await store.setState(tx, replaces.id, next, now);
      await store.insertEvent(tx, { warningId: replaces.id, at: now, kind: next, actor: who.actor, note: `${alert.msgType} ${alert.identifier}` });
      const after = (await store.warningById(tx, replaces.id))!;
      await appendAudit(tx, deps.clock, who.actor, { action: `warning.${next}`, targetType: 'warning', targetId: after.id, regionCode: after.regionCode, before: { state: 'issued' }, after: { state: next, by: id } });
      closed.push(after);
    }
    return { created, closed };
  }).catch((e: unknown) => {
    // Two imports of one message at the same moment: the unique identifier decides.
    if ((e as { code?: string }).code === '23505') throw new ConflictError(`The message ${alert.identifier} is being imported by another request`);
    throw e;
  });
  for (const c of result.closed) {
    await deps.bus.publish({ type: `warning.${c.state}`, regionCode: c.regionCode, at: now.toISOString(), data: { id: c.id, threadId: c.threadId, state: c.state, by: result.created.id } }).catch(() => undefined);
  }
  if (state !== 'expired') await afterIssue(deps, result.created);
  return { warning: await getWarning(deps, who, result.created.id), duplicate: false, remarks: parsed.warnings };
}

/** Whether a caller may import: administrators, commanders and API tokens (integrations). */
export function requireImporter(who: WarningCaller): void {
  if (who.role !== null && who.role !== 'admin' && who.role !== 'commander') {
    throw new ForbiddenError('Importing CAP issues the warning at once: it needs the role admin or commander, or an API token');
  }
}
