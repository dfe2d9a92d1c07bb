/**
 * The roster's rules: who may change it, validation against the regions, the scope, the chain of
 * superiors (no loops) and the login accounts, optimistic concurrency, the audit entry in the same
 * transaction as the change, and the bus event after it commits.
 */
import { ConflictError, NotFoundError, ValidationError, type Clock, type FieldError, type RegionScope } from '@anlan/core';
import type { Database, Queryable } from '@anlan/db';
import { appendAudit } from '../../audit/service.ts';
import type { EventBus } from '../../events/bus.ts';
import { findPoint } from '../../monitoring/store.ts';
import { readSetting, writeSetting } from '../../system/settings.ts';
import type { ScopedActor } from '../../users/service.ts';
import { RosterRegions } from './regions.ts';
import * as store from './store.ts';
import {
  checkAssignmentFields,
  checkPersonFields,
  mergeAssignment,
  mergePerson,
  sameRecord,
  type AssignmentInput,
  type AssignmentRecord,
  type PersonInput,
  type PersonRecord,
} from './validate.ts';

export interface RosterDeps {
  db: Database;
  clock: Clock;
  bus: EventBus;
}

export type PersonView = store.PersonView;
export type AssignmentView = store.AssignmentView;

export function personRecordOf(p: PersonView): PersonRecord {
  return { name: p.name, phone: p.phone, email: p.email, roles: p.roles, regionCode: p.regionCode, superiorId: p.superiorId, userId: p.userId, active: p.active, notes: p.notes };
}

export function assignmentRecordOf(a: AssignmentView): AssignmentRecord {
  return { kind: a.kind, category: a.category, name: a.name, regionCode: a.regionCode, lon: a.lon, lat: a.lat, people: a.people, ref: a.ref, active: a.active, notes: a.notes };
}

function firstPerField(errors: FieldError[]): FieldError[] {
  return errors.filter((e, i) => errors.findIndex((x) => x.field === e.field) === i);
}

function stale(what: string, id: number, sent: number, now: number): ConflictError {
  return new ConflictError(`${what} ${id} was changed by someone else (you sent version ${sent}, it is now at version ${now}); reload it and apply your change again`);
}

async function publish(deps: RosterDeps, type: string, regionCodes: string[], data: Record<string, unknown>): Promise<void> {
  for (const regionCode of new Set(regionCodes)) await deps.bus.publish({ type, regionCode, at: deps.clock.now().toISOString(), data });
}

export const PHONE_TAKEN_ELSEWHERE = 'is already registered for a responsible person outside your region';

export function phoneTakenBy(p: { name: string; regionCode: string; id: number }): string {
  return `is already the phone of ${p.name} (person ${p.id}, ${p.regionCode}); phones are unique: each is one person's SMS address`;
}

/**
 * Walks up from `superiorId` along `links` (id → superior id). When the walk reaches `selfId`, the
 * new link would close a loop: the names on it are returned, self first and last.
 */
export function loopThrough(selfId: number, superiorId: number, links: (id: number) => { superiorId: number | null; name: string } | undefined, selfName: string): string[] | null {
  const path = [selfName];
  const seen = new Set<number>();
  let at: number | null = superiorId;
  while (at !== null && !seen.has(at)) {
    if (at === selfId) return [...path, selfName];
    seen.add(at);
    const link = links(at);
    if (!link) return null;
    path.push(link.name);
    at = link.superiorId;
  }
  return null;
}

export function loopMessage(names: string[]): string {
  return `would close a loop in the chain of superiors (${names.join(' → ')}): a warning would escalate in a circle and never reach the county`;
}

export interface PersonCheckOptions {
  regions: RosterRegions;
  /** The person being changed (its own phone and account do not count as taken). */
  selfId: number | null;
}

/** The person a create or update would store, with every reason it may not. */
export async function preparePerson(q: Queryable, scope: RegionScope, current: PersonRecord | null, input: PersonInput, opts: PersonCheckOptions): Promise<{ record: PersonRecord; errors: FieldError[] }> {
  const { record, errors } = mergePerson(current, input);
  errors.push(...checkPersonFields(record, input));
  const has = (f: string) => errors.some((e) => e.field === f);
  if (record.regionCode && !has('regionCode') && (!current || record.regionCode !== current.regionCode)) {
    const e = await opts.regions.check(scope, record.regionCode);
    if (e) errors.push(e);
  }
  if (record.phone && !has('phone') && (!current || record.phone !== current.phone)) {
    const other = (await store.findPersonsByPhone(q, scope, [record.phone])).find((p) => p.id !== opts.selfId);
    if (other) errors.push({ field: 'phone', message: other.inScope ? phoneTakenBy(other) : PHONE_TAKEN_ELSEWHERE });
  }
  if (record.superiorId !== null && (!current || record.superiorId !== current.superiorId)) {
    errors.push(...(await checkSuperior(q, scope, opts.selfId, record.name, record.superiorId)));
  }
  if (record.userId !== null && (!current || record.userId !== current.userId)) {
    const user = await store.findLinkableUser(q, scope, { id: record.userId });
    if (!user) errors.push({ field: 'userId', message: `there is no user ${record.userId} in your region` });
    else if (user.linkedPersonId !== null && user.linkedPersonId !== opts.selfId) {
      errors.push({ field: 'userId', message: `the account ${user.username} is already linked to responsible person ${user.linkedPersonId}` });
    }
  }
  return { record, errors: firstPerField(errors) };
}

async function checkSuperior(q: Queryable, scope: RegionScope, selfId: number | null, selfName: string, superiorId: number): Promise<FieldError[]> {
  if (selfId !== null && superiorId === selfId) return [{ field: 'superiorId', message: 'a person cannot be their own superior' }];
  const [superior] = await store.findPersonsById(q, scope, [superiorId]);
  // The same answer for a person of another county as for none at all.
  if (!superior) return [{ field: 'superiorId', message: `there is no responsible person ${superiorId} in your region` }];
  if (selfId === null) return []; // nobody has a new person as their superior yet: no loop possible
  const links = await store.superiorLinksAbove(q, [superiorId]);
  const loop = loopThrough(selfId, superiorId, (id) => links.get(id), selfName);
  return loop ? [{ field: 'superiorId', message: loopMessage(loop) }] : [];
}

// ---- persons ----

export async function createPerson(deps: RosterDeps, who: ScopedActor, input: PersonInput): Promise<PersonView> {
  const { record, errors } = await preparePerson(deps.db, who.scope, null, input, { regions: new RosterRegions(deps.db), selfId: null });
  if (errors.length) throw new ValidationError(errors);
  let person: PersonView;
  try {
    person = await deps.db.transaction(async (tx) => {
      const id = await store.insertPerson(tx, record, who.actor);
      await appendAudit(tx, deps.clock, who.actor, { action: 'warning.person_created', targetType: 'responsible_person', targetId: id, regionCode: record.regionCode, after: { id, ...record } });
      return (await store.findPerson(tx, who.scope, id))!;
    });
  } catch (e) {
    throw raceError(e) ?? e;
  }
  await publish(deps, 'warning.person_created', [person.regionCode], { id: person.id, name: person.name });
  return person;
}

/** What a lost race with another request looks like to the database, in the API's words. */
function raceError(e: unknown): Error | null {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown; constraint?: unknown }).code : undefined;
  const detail = String((e as { detail?: unknown; message?: unknown })?.detail ?? (e as Error)?.message ?? '');
  if (code === '23505') {
    if (detail.includes('user_id')) return new ValidationError([{ field: 'userId', message: 'the account is already linked to another responsible person' }]);
    return new ValidationError([{ field: 'phone', message: 'is already registered for another responsible person' }]);
  }
  if (code === '23503') return new ConflictError('A person or region this change refers to was removed meanwhile; reload and try again');
  return null;
}

export async function getPerson(deps: Pick<RosterDeps, 'db'>, scope: RegionScope, id: number): Promise<PersonView> {
  const p = await store.findPerson(deps.db, scope, id);
  if (!p) throw new NotFoundError('Responsible person');
  return p;
}

export function listPersons(deps: Pick<RosterDeps, 'db'>, scope: RegionScope, filter: store.PersonFilter): Promise<store.Page<PersonView>> {
  return store.listPersons(deps.db, scope, filter);
}

export async function updatePerson(deps: RosterDeps, who: ScopedActor, id: number, input: PersonInput & { version: number }): Promise<PersonView> {
  const { version, ...patch } = input;
  const current = await getPerson(deps, who.scope, id);
  if (current.version !== version) throw stale('Responsible person', id, version, current.version);
  const before = personRecordOf(current);
  const { record, errors } = await preparePerson(deps.db, who.scope, before, patch, { regions: new RosterRegions(deps.db), selfId: id });
  if (errors.length) throw new ValidationError(errors);
  // Saving an unchanged form is not a change: no new version, no audit entry.
  if (sameRecord(record, before)) return current;
  let person: PersonView;
  try {
    person = await deps.db.transaction(async (tx) => {
      if (record.superiorId !== null && record.superiorId !== before.superiorId) {
        // Two requests each adding half of a loop: serialised here, and the second sees the first's link.
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['warning.roster.chain']);
        const again = await checkSuperior(tx, who.scope, id, record.name, record.superiorId);
        if (again.length) throw new ValidationError(again);
      }
      if (!(await store.updatePerson(tx, who.scope, id, version, record, who.actor))) {
        const now = await store.findPerson(tx, who.scope, id);
        if (!now) throw new NotFoundError('Responsible person');
        throw stale('Responsible person', id, version, now.version);
      }
      await appendAudit(tx, deps.clock, who.actor, {
        action: 'warning.person_updated', targetType: 'responsible_person', targetId: id, regionCode: record.regionCode, before: { id, ...before }, after: { id, ...record },
      });
      return (await store.findPerson(tx, who.scope, id))!;
    });
  } catch (e) {
    throw raceError(e) ?? e;
  }
  await publish(deps, 'warning.person_updated', [before.regionCode, person.regionCode], { id, name: person.name });
  return person;
}

/**
 * Removes a person and what they answer for. Refused while others have them as superior (their
 * chain would end without a word) and once a warning reached them (the record of who was
 * warned stays): deactivate such a person instead; the chain passes over inactive persons.
 */
export async function deletePerson(deps: RosterDeps, who: ScopedActor, id: number, version: number | null): Promise<void> {
  const current = await getPerson(deps, who.scope, id);
  await deps.db.transaction(async (tx) => {
    const now = await store.findPerson(tx, who.scope, id);
    if (!now) throw new NotFoundError('Responsible person');
    if (version !== null && now.version !== version) throw stale('Responsible person', id, version, now.version);
    if (now.subordinateCount > 0) {
      throw new ConflictError(`${now.subordinateCount} responsible person(s) have ${now.name} as their superior; give them another superior first, or deactivate ${now.name} (the chain passes over inactive persons)`);
    }
    const warned = await store.countRecipientRows(tx, id);
    if (warned > 0) throw new ConflictError(`${now.name} was reached by ${warned} warning(s), which keep the record of who was warned; deactivate the person instead`);
    const assignments = await store.listAssignments(tx, who.scope, { personId: id, limit: 10_000, offset: 0 });
    await store.deletePerson(tx, who.scope, id, null);
    await appendAudit(tx, deps.clock, who.actor, {
      action: 'warning.person_deleted', targetType: 'responsible_person', targetId: id, regionCode: now.regionCode,
      before: { id, ...personRecordOf(now), assignments: assignments.items.map((a) => ({ id: a.id, ...assignmentRecordOf(a) })) },
    });
  });
  await publish(deps, 'warning.person_deleted', [current.regionCode], { id, name: current.name });
}

export async function chainOf(deps: Pick<RosterDeps, 'db'>, scope: RegionScope, id: number): Promise<store.ChainLink[]> {
  const chain = await store.chainOf(deps.db, scope, id);
  if (!chain) throw new NotFoundError('Responsible person');
  return chain;
}

// ---- assignments ----

/**
 * The assignment a create or update would store. A monitoring point named by id in `ref` lends
 * its position to an assignment without one: the people under a landslide live where it is watched.
 */
export async function prepareAssignment(q: Queryable, scope: RegionScope, current: AssignmentRecord | null, input: AssignmentInput, regions: RosterRegions): Promise<{ record: AssignmentRecord; errors: FieldError[] }> {
  const { record, errors } = mergeAssignment(current, input);
  if (record.kind === 'point' && record.lon === null && record.lat === null && record.ref !== null && /^\d{1,15}$/.test(record.ref) && input.lon === undefined) {
    const point = await findPoint(q, scope, Number(record.ref));
    if (point) {
      record.lon = point.lon;
      record.lat = point.lat;
    }
  }
  errors.push(...checkAssignmentFields(record));
  const has = (f: string) => errors.some((e) => e.field === f);
  const moved = !current || record.regionCode !== current.regionCode || record.lon !== current.lon || record.lat !== current.lat;
  if (record.regionCode && !has('regionCode') && moved) {
    const e = await regions.check(scope, record.regionCode);
    if (e) errors.push(e);
    else if (record.lon !== null && record.lat !== null && !has('lon') && !has('lat')) errors.push(...(await regions.checkPosition(scope, record.regionCode, record.lon, record.lat)));
  }
  return { record, errors: firstPerField(errors) };
}

export async function listAssignments(deps: Pick<RosterDeps, 'db'>, scope: RegionScope, filter: store.AssignmentFilter): Promise<store.Page<AssignmentView>> {
  if (filter.personId !== undefined) await getPerson(deps, scope, filter.personId);
  return store.listAssignments(deps.db, scope, filter);
}

export async function getAssignment(deps: Pick<RosterDeps, 'db'>, scope: RegionScope, personId: number, id: number): Promise<AssignmentView> {
  const a = await store.findAssignment(deps.db, scope, personId, id);
  if (!a) throw new NotFoundError('Assignment');
  return a;
}

export async function createAssignment(deps: RosterDeps, who: ScopedActor, personId: number, input: AssignmentInput): Promise<AssignmentView> {
  const person = await getPerson(deps, who.scope, personId);
  const { record, errors } = await prepareAssignment(deps.db, who.scope, null, input, new RosterRegions(deps.db));
  if (errors.length) throw new ValidationError(errors);
  const assignment = await deps.db.transaction(async (tx) => {
    const id = await store.insertAssignment(tx, personId, record, who.actor);
    await appendAudit(tx, deps.clock, who.actor, {
      action: 'warning.assignment_created', targetType: 'guardian_assignment', targetId: id, regionCode: record.regionCode, after: { id, personId, ...record },
    });
    const made = await store.findAssignment(tx, who.scope, personId, id);
    // The person was deleted between the check and the write: the foreign key already refused.
    if (!made) throw new NotFoundError('Responsible person');
    return made;
  });
  await publish(deps, 'warning.assignment_created', [person.regionCode, record.regionCode], { id: assignment.id, personId });
  return assignment;
}

export async function updateAssignment(deps: RosterDeps, who: ScopedActor, personId: number, id: number, input: AssignmentInput & { version: number }): Promise<AssignmentView> {
  const { version, ...patch } = input;
  const current = await getAssignment(deps, who.scope, personId, id);
  if (current.version !== version) throw stale('Assignment', id, version, current.version);
  const before = assignmentRecordOf(current);
  const { record, errors } = await prepareAssignment(deps.db, who.scope, before, patch, new RosterRegions(deps.db));
  if (errors.length) throw new ValidationError(errors);
  if (sameRecord(record, before)) return current;
  const assignment = await deps.db.transaction(async (tx) => {
    if (!(await store.updateAssignment(tx, who.scope, personId, id, version, record, who.actor))) {
      const now = await store.findAssignment(tx, who.scope, personId, id);
      if (!now) throw new NotFoundError('Assignment');
      throw stale('Assignment', id, version, now.version);
    }
    await appendAudit(tx, deps.clock, who.actor, {
      action: 'warning.assignment_updated', targetType: 'guardian_assignment', targetId: id, regionCode: record.regionCode, before: { id, personId, ...before }, after: { id, personId, ...record },
    });
    return (await store.findAssignment(tx, who.scope, personId, id))!;
  });
  await publish(deps, 'warning.assignment_updated', [before.regionCode, record.regionCode], { id, personId });
  return assignment;
}

export async function deleteAssignment(deps: RosterDeps, who: ScopedActor, personId: number, id: number, version: number | null): Promise<void> {
  const current = await getAssignment(deps, who.scope, personId, id);
  await deps.db.transaction(async (tx) => {
    if (!(await store.deleteAssignment(tx, who.scope, personId, id, version))) {
      const now = await store.findAssignment(tx, who.scope, personId, id);
      if (!now) throw new NotFoundError('Assignment');
      throw stale('Assignment', id, version ?? 0, now.version);
    }
    await appendAudit(tx, deps.clock, who.actor, {
      action: 'warning.assignment_deleted', targetType: 'guardian_assignment', targetId: id, regionCode: current.regionCode, before: { id, personId, ...assignmentRecordOf(current) },
    });
  });
  await publish(deps, 'warning.assignment_deleted', [current.regionCode], { id, personId });
}

// ---- settings ----

export const CHAIN_LEVELS_SETTING = 'warning.chain_levels';
export const DEFAULT_CHAIN_LEVELS = 1;
export const MAX_CHAIN_LEVELS = 5;

/** How many levels of superiors above each directly reached person a warning also informs. */
export async function chainLevels(q: Queryable): Promise<number> {
  const v = await readSetting<unknown>(q, CHAIN_LEVELS_SETTING);
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_CHAIN_LEVELS ? v : DEFAULT_CHAIN_LEVELS;
}

export async function setChainLevels(deps: RosterDeps, who: ScopedActor, levels: number): Promise<number> {
  if (!Number.isInteger(levels) || levels < 0 || levels > MAX_CHAIN_LEVELS) throw new ValidationError([{ field: 'chainLevels', message: `must be a whole number from 0 to ${MAX_CHAIN_LEVELS}` }]);
  const before = await chainLevels(deps.db);
  if (before === levels) return levels;
  await deps.db.transaction(async (tx) => {
    await writeSetting(tx, CHAIN_LEVELS_SETTING, levels);
    await appendAudit(tx, deps.clock, who.actor, { action: 'warning.chain_levels_changed', targetType: 'system_setting', targetId: CHAIN_LEVELS_SETTING, regionCode: who.scope.code, before: { chainLevels: before }, after: { chainLevels: levels } });
  });
  return levels;
}
