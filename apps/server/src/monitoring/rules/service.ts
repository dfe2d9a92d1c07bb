/**
 * Rules as data: validation with the engine's own validator (every problem with its field path)
 * plus the server's checks (the sensor, point or area exists in the caller's region; type rules
 * and rules over every point are national), a new version on every save, the audit entry in the
 * same transaction, and `monitoring.rule_*` on the bus after the commit — which the engine host
 * of every process listens to.
 */
import { randomBytes } from 'node:crypto';
import { canonicalJson, ConflictError, ForbiddenError, NATIONAL_CODE, NotFoundError, ValidationError, type Clock, type FieldError, type RegionScope, type Role } from '@anlan/core';
import type { Database, Queryable } from '@anlan/db';
import { definitionKey, validateRules, type Rule, type RuleIssue } from '@anlan/rules';
import { appendAudit } from '../../audit/service.ts';
import { SYSTEM_ACTOR, type Actor } from '../../caller.ts';
import type { EventBus } from '../../events/bus.ts';
import { findRegion } from '../../regions/store.ts';
import { readSetting, writeSetting } from '../../system/settings.ts';
import { SENSOR_TYPE_KEYS } from '../catalogue.ts';
import * as registry from '../store.ts';
import { catalogueRules, IMPLICIT_PREFIX, implicitRules, type SensorMeta } from './defaults.ts';
import * as store from './store.ts';

export interface RulesDeps {
  db: Database;
  clock: Clock;
  bus: EventBus;
}

/** Who asks: tokens read (role null); admin and commander write. */
export interface RuleCaller {
  actor: Actor;
  scope: RegionScope;
  role: Role | null;
}

export const RULE_WRITERS: readonly Role[] = ['admin', 'commander'];
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const SEED_SETTING = 'monitoring.rules_seeded';

export interface RuleView {
  id: string;
  kind: Rule['kind'];
  name: string | null;
  version: number;
  enabled: boolean;
  regionCode: string;
  regionName: string | null;
  /** 'stored': saved in monitoring_rules; 'sensor': implied by a sensor's thresholds (edit the sensor). */
  source: 'stored' | 'sensor';
  origin: 'catalogue' | 'user' | null;
  /** Whether this caller may change or delete it. */
  editable: boolean;
  definition: Rule;
  createdAt: string | null;
  createdBy: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNationalCaller = (c: RuleCaller) => c.role === 'admin' && c.scope.code === NATIONAL_CODE;

function canEdit(c: RuleCaller, regionCode: string): boolean {
  if (!c.role || !RULE_WRITERS.includes(c.role)) return false;
  return regionCode === NATIONAL_CODE ? isNationalCaller(c) : regionCode.startsWith(c.scope.prefix);
}

const NATIONAL_ONLY = 'applies across the country (a rule for a sensor type, or a composite over every point or area): only a national administrator may change it';

function storedView(c: RuleCaller, r: store.StoredRule): RuleView {
  return {
    id: r.id,
    kind: r.kind,
    name: r.definition.name ?? null,
    version: r.version,
    enabled: r.enabled,
    regionCode: r.regionCode,
    regionName: r.regionName,
    source: 'stored',
    origin: r.origin,
    editable: canEdit(c, r.regionCode),
    definition: r.definition,
    createdAt: r.createdAt.toISOString(),
    createdBy: r.createdBy,
    updatedAt: r.updatedAt.toISOString(),
    updatedBy: r.updatedBy,
  };
}

function implicitView(rule: Rule, s: { regionCode: string; regionName: string | null }): RuleView {
  return {
    id: rule.id, kind: rule.kind, name: rule.name ?? null, version: rule.version, enabled: rule.enabled, regionCode: s.regionCode, regionName: s.regionName,
    source: 'sensor', origin: null, editable: false, definition: rule, createdAt: null, createdBy: null, updatedAt: null, updatedBy: null,
  };
}

function metaOf(s: registry.SensorView): SensorMeta {
  return {
    id: s.id, code: s.code, type: s.type, pointId: s.pointId, regionCode: s.regionCode, unit: s.unit, quantity: s.quantity,
    samplingIntervalSec: s.samplingIntervalSec, thresholds: s.thresholds, accumulation: s.accumulation, enabled: s.enabled,
  };
}

/** `sensor:LD-RAIN-001:acc-3h` → `LD-RAIN-001` (codes contain no colon). */
function implicitSensorCode(id: string): string | null {
  if (!id.startsWith(IMPLICIT_PREFIX)) return null;
  return id.slice(IMPLICIT_PREFIX.length).split(':')[0] || null;
}

async function implicitRule(db: Queryable, scope: RegionScope, id: string): Promise<{ rule: Rule; sensor: registry.SensorView } | null> {
  const code = implicitSensorCode(id);
  if (!code) return null;
  const [sensor] = await registry.findSensorsByCode(db, scope, [code]);
  if (!sensor) return null;
  const rule = implicitRules(metaOf(sensor)).find((r) => r.id === id);
  return rule ? { rule, sensor } : null;
}

// ---- reading ----

export interface ListQuery extends Omit<store.RuleFilter, 'sensorOrType'> {
  /** Every rule that applies to this sensor: its own, those naming it, those of its type. */
  appliesTo?: string;
}

export async function listRules(deps: Pick<RulesDeps, 'db'>, c: RuleCaller, q: ListQuery): Promise<{ items: RuleView[]; total: number; limit: number; offset: number }> {
  if (!q.appliesTo) {
    const page = await store.listRules(deps.db, c.scope, q);
    return { items: page.items.map((r) => storedView(c, r)), total: page.total, limit: q.limit, offset: q.offset };
  }
  const [sensor] = await registry.findSensorsByCode(deps.db, c.scope, [q.appliesTo]);
  if (!sensor) throw new NotFoundError(`Sensor ${q.appliesTo}`);
  const own = implicitRules(metaOf(sensor)).map((r) => implicitView(r, sensor));
  const stored = await store.listRules(deps.db, c.scope, { ...q, sensorOrType: { code: sensor.code, type: sensor.type }, limit: 10_000, offset: 0 });
  const all = [...own, ...stored.items.map((r) => storedView(c, r))].filter((r) => (!q.kind || r.kind === q.kind) && (q.enabled === undefined || r.enabled === q.enabled));
  return { items: all.slice(q.offset, q.offset + q.limit), total: all.length, limit: q.limit, offset: q.offset };
}

export async function getRule(deps: Pick<RulesDeps, 'db'>, c: RuleCaller, id: string): Promise<RuleView> {
  const implicit = await implicitRule(deps.db, c.scope, id);
  if (implicit) return implicitView(implicit.rule, implicit.sensor);
  const r = await store.findRule(deps.db, c.scope, id);
  if (!r) throw new NotFoundError(`Rule ${id}`);
  return storedView(c, r);
}

export async function listVersions(deps: Pick<RulesDeps, 'db'>, c: RuleCaller, id: string): Promise<{ items: store.RuleVersion[] }> {
  if (implicitSensorCode(id)) throw new NotFoundError(`Saved versions of rule ${id} (a rule implied by a sensor follows the sensor's own versions)`);
  const region = await store.lastVersionRegion(deps.db, id);
  if (region === null || (region !== NATIONAL_CODE && !region.startsWith(c.scope.prefix))) throw new NotFoundError(`Rule ${id}`);
  return { items: await store.listVersions(deps.db, id) };
}

// ---- checking ----

interface Prepared {
  rule: Rule;
  regionCode: string;
  errors: FieldError[];
  /** Why this caller may not save it, if it may not. */
  forbidden: string | null;
}

/** `rules[0].levels.red` → `levels.red`; `rules[0]` → `rule`. */
function fieldOf(path: string): string {
  const rest = path.replace(/^rules\[0\]\.?/, '');
  return rest === '' ? 'rule' : rest;
}

/**
 * The rule a save would store, with every reason it may not: the engine's validation of the rule
 * within the stored set (references, cycles, a member disabled), and the server's own checks.
 */
async function prepare(deps: Pick<RulesDeps, 'db'>, c: RuleCaller, input: unknown, current: store.StoredRule | null): Promise<Prepared> {
  const errors: FieldError[] = [];
  let forbidden: string | null = null;
  if (!isObject(input)) {
    return { rule: input as Rule, regionCode: NATIONAL_CODE, errors: [{ field: 'rule', message: 'must be a JSON object (a rule)' }], forbidden };
  }
  const body: Record<string, unknown> = { ...input };
  delete body.version;

  let id: unknown = current ? current.id : (body.id ?? `R-${randomBytes(5).toString('hex').toUpperCase()}`);
  if (current && body.id !== undefined && body.id !== current.id) errors.push({ field: 'id', message: `cannot be changed (${JSON.stringify(current.id)}); create a rule under the new id and delete this one` });
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    errors.push({ field: 'id', message: 'must be 1–100 letters, digits, ".", "_", ":" or "-", starting with a letter or digit' });
    id = typeof id === 'string' ? id : '';
  } else if (id.startsWith(IMPLICIT_PREFIX)) {
    errors.push({ field: 'id', message: `"${IMPLICIT_PREFIX}…" names the rules implied by a sensor's own thresholds; change the sensor instead, or choose another id` });
  }

  let regionCode: string | null = null;
  if (typeof body.sensor === 'string' && body.sensor !== '') {
    const [sensor] = await registry.findSensorsByCode(deps.db, c.scope, [body.sensor]);
    if (!sensor) errors.push({ field: 'sensor', message: `there is no sensor ${body.sensor} in your region` });
    else {
      body.sensor = sensor.code;
      regionCode = sensor.regionCode;
    }
  }
  if (body.sensorType !== undefined) {
    if (typeof body.sensorType === 'string' && !SENSOR_TYPE_KEYS.includes(body.sensorType)) {
      errors.push({ field: 'sensorType', message: `unknown sensor type ${JSON.stringify(body.sensorType)}; see GET /api/v1/monitoring/types` });
    }
    regionCode = NATIONAL_CODE;
  }
  if (body.kind === 'composite') {
    const scope = body.scope;
    if (scope === 'point' || scope === 'area') regionCode = NATIONAL_CODE;
    else if (isObject(scope) && 'point' in scope) {
      const pid = Number(scope.point);
      const point = Number.isInteger(pid) && pid > 0 ? await registry.findPoint(deps.db, c.scope, pid) : null;
      if (!point) errors.push({ field: 'scope.point', message: `there is no monitoring point ${String(scope.point)} in your region` });
      else {
        body.scope = { point: String(point.id) };
        regionCode = point.regionCode;
      }
    } else if (isObject(scope) && 'area' in scope) {
      // Areas are counties (areaOf gives a sensor's county).
      const code = String(scope.area);
      const region = /^\d{6}$/.test(code) && !code.endsWith('00') ? await findRegion(deps.db, c.scope, code) : null;
      if (!region) errors.push({ field: 'scope.area', message: `must be a county code (6 digits) in your region, got ${JSON.stringify(scope.area)}` });
      else regionCode = code;
    }
  }
  regionCode ??= c.scope.code;
  if (!canEdit(c, regionCode)) forbidden = regionCode === NATIONAL_CODE ? `This rule ${NATIONAL_ONLY}` : 'This operation needs the role admin or commander';
  if (current && !canEdit(c, current.regionCode)) forbidden = current.regionCode === NATIONAL_CODE ? `Rule ${current.id} ${NATIONAL_ONLY}` : 'This operation needs the role admin or commander';

  const candidate = { ...body, id, version: current ? current.version + 1 : 1 };
  const context = await validationContext(deps.db, c.scope, id as string, body);
  const baseline = new Set(validateRules(context).errors.map((e) => `${e.path}|${e.message}`));
  const { rules, errors: issues } = validateRules([candidate, ...context]);
  for (const e of issues) {
    if (e.path.startsWith('rules[0]')) {
      if (!errors.some((x) => x.field === fieldOf(e.path))) errors.push({ field: fieldOf(e.path), message: e.message });
      continue;
    }
    // A problem this rule causes elsewhere (disabling a member of an enabled composite).
    const m = /^rules\[(\d+)\](.*)$/.exec(e.path);
    if (!m || baseline.has(`rules[${Number(m[1]) - 1}]${m[2]}|${e.message}`)) continue;
    const other = context[Number(m[1]) - 1] as { id?: string } | undefined;
    errors.push({ field: 'id', message: `rule ${other?.id ?? '?'}${m[2]} ${e.message}` });
  }
  await checkMembersVisible(deps.db, c.scope, body, errors);
  const rule = (rules[0]?.id === id ? rules[0] : candidate) as Rule;
  return { rule, regionCode, errors, forbidden };
}

/** The other stored rules, and the sensor-implied rules a composite names: what references are checked against. */
async function validationContext(db: Queryable, scope: RegionScope, id: string, body: Record<string, unknown>): Promise<Rule[]> {
  const stored = (await store.allRules(db)).filter((r) => r.id !== id).map((r) => r.definition);
  const implied: Rule[] = [];
  if (Array.isArray(body.all)) {
    for (const m of body.all) {
      const ref = isObject(m) && typeof m.rule === 'string' ? m.rule : null;
      if (!ref || implied.some((r) => r.id === ref)) continue;
      const found = await implicitRule(db, scope, ref);
      if (found) implied.push(found.rule);
    }
  }
  return [...stored, ...implied];
}

/** A composite may only combine rules its author can see. */
async function checkMembersVisible(db: Queryable, scope: RegionScope, body: Record<string, unknown>, errors: FieldError[]): Promise<void> {
  if (body.kind !== 'composite' || !Array.isArray(body.all)) return;
  for (const [j, m] of body.all.entries()) {
    const ref = isObject(m) && typeof m.rule === 'string' ? m.rule : null;
    if (!ref || errors.some((e) => e.field === `all[${j}].rule`)) continue;
    const visible = implicitSensorCode(ref) ? (await implicitRule(db, scope, ref)) !== null : (await store.findRule(db, scope, ref)) !== null;
    if (!visible && (await store.ruleExists(db, ref))) errors.push({ field: `all[${j}].rule`, message: `there is no rule ${ref} in your region` });
  }
}

export async function validateRule(deps: Pick<RulesDeps, 'db'>, c: RuleCaller, input: unknown): Promise<{ valid: boolean; errors: FieldError[]; rule: Rule | null; regionCode: string | null }> {
  const id = isObject(input) && typeof input.id === 'string' ? input.id : null;
  const current = id && !implicitSensorCode(id) ? await store.findRule(deps.db, c.scope, id) : null;
  const p = await prepare(deps, c, input, current);
  const errors = [...p.errors];
  if (p.forbidden) errors.push({ field: 'rule', message: p.forbidden });
  return { valid: errors.length === 0, errors, rule: errors.length === 0 ? p.rule : null, regionCode: errors.length === 0 ? p.regionCode : null };
}

// ---- changing ----

async function publish(deps: RulesDeps, type: string, regions: string[], data: Record<string, unknown>): Promise<void> {
  for (const regionCode of new Set(regions)) await deps.bus.publish({ type, regionCode, at: deps.clock.now().toISOString(), data });
}

function sqlState(e: unknown): unknown {
  return typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
}

const ID_TAKEN = 'is already used by another rule';

export async function createRule(deps: RulesDeps, c: RuleCaller, input: unknown): Promise<RuleView> {
  if (isObject(input) && typeof input.id === 'string' && (await store.ruleExists(deps.db, input.id))) throw new ValidationError([{ field: 'id', message: ID_TAKEN }]);
  const p = await prepare(deps, c, input, null);
  if (p.forbidden) throw new ForbiddenError(p.forbidden);
  if (p.errors.length) throw new ValidationError(p.errors);
  let saved: store.StoredRule;
  try {
    saved = await deps.db.transaction(async (tx) => {
      const version = await store.nextVersion(tx, p.rule.id);
      const rule = { ...p.rule, version };
      if (!(await store.insertRule(tx, rule, p.regionCode, 'user', c.actor))) throw new ValidationError([{ field: 'id', message: ID_TAKEN }]);
      await store.insertVersion(tx, { rule, version, change: 'created', regionCode: p.regionCode }, c.actor);
      await appendAudit(tx, deps.clock, c.actor, { action: 'monitoring.rule_created', targetType: 'monitoring_rule', targetId: rule.id, regionCode: p.regionCode, after: rule });
      return (await store.findRule(tx, c.scope, rule.id))!;
    });
  } catch (e) {
    // Two saves of one new id at once: the primary key decides.
    if (sqlState(e) === '23505') throw new ValidationError([{ field: 'id', message: ID_TAKEN }]);
    throw e;
  }
  await publish(deps, 'monitoring.rule_created', [saved.regionCode], { id: saved.id, kind: saved.kind, version: saved.version });
  return storedView(c, saved);
}

function stale(id: string, sent: unknown, now: number): ConflictError {
  return new ConflictError(`Rule ${id} was changed by someone else (you sent version ${String(sent)}, it is now at version ${now}); reload it and apply your change again`);
}

/** Replaces the whole definition (a rule is edited as one document); `version` is the one read. */
export async function updateRule(deps: RulesDeps, c: RuleCaller, id: string, input: unknown): Promise<RuleView> {
  if (implicitSensorCode(id)) throw new ConflictError(`Rule ${id} is implied by the sensor's own thresholds; change the sensor`);
  const current = await store.findRule(deps.db, c.scope, id);
  if (!current) throw new NotFoundError(`Rule ${id}`);
  const sent = isObject(input) ? input.version : undefined;
  if (sent === undefined) throw new ValidationError([{ field: 'version', message: 'is required: the version you read' }]);
  if (!canEdit(c, current.regionCode)) throw new ForbiddenError(current.regionCode === NATIONAL_CODE ? `Rule ${id} ${NATIONAL_ONLY}` : 'This operation needs the role admin or commander');
  if (sent !== current.version) throw stale(id, sent, current.version);
  const p = await prepare(deps, c, input, current);
  if (p.forbidden) throw new ForbiddenError(p.forbidden);
  if (p.errors.length) throw new ValidationError(p.errors);
  // Saving an unchanged rule is no new version.
  if (canonicalJson({ ...p.rule, version: 0 }) === canonicalJson({ ...current.definition, version: 0 }) && p.regionCode === current.regionCode) return storedView(c, current);
  const saved = await deps.db.transaction(async (tx) => {
    const version = await store.nextVersion(tx, id);
    const rule = { ...p.rule, version };
    if (!(await store.updateRule(tx, rule, current.version, p.regionCode, c.actor))) {
      const now = await store.findRule(tx, c.scope, id);
      if (!now) throw new NotFoundError(`Rule ${id}`);
      throw stale(id, sent, now.version);
    }
    await store.insertVersion(tx, { rule, version, change: 'updated', regionCode: p.regionCode }, c.actor);
    await appendAudit(tx, deps.clock, c.actor, {
      action: 'monitoring.rule_updated', targetType: 'monitoring_rule', targetId: id, regionCode: p.regionCode, before: current.definition, after: rule,
    });
    return (await store.findRule(tx, c.scope, id))!;
  });
  const changed = definitionKey(saved.definition) !== definitionKey(current.definition);
  await publish(deps, 'monitoring.rule_updated', [current.regionCode, saved.regionCode], { id, kind: saved.kind, version: saved.version, definitionChanged: changed });
  return storedView(c, saved);
}

export async function deleteRule(deps: RulesDeps, c: RuleCaller, id: string, version: number | null): Promise<void> {
  if (implicitSensorCode(id)) throw new ConflictError(`Rule ${id} is implied by the sensor's own thresholds; clear them on the sensor`);
  const current = await store.findRule(deps.db, c.scope, id);
  if (!current) throw new NotFoundError(`Rule ${id}`);
  if (!canEdit(c, current.regionCode)) throw new ForbiddenError(current.regionCode === NATIONAL_CODE ? `Rule ${id} ${NATIONAL_ONLY}` : 'This operation needs the role admin or commander');
  if (version !== null && version !== current.version) throw stale(id, version, current.version);
  const users = (await store.allRules(deps.db)).filter((r) => r.id !== id && r.definition.kind === 'composite' && r.definition.enabled && r.definition.all.some((m) => m.rule === id));
  if (users.length > 0) throw new ConflictError(`Rule ${id} is a member of the composite rule(s) ${users.map((u) => u.id).join(', ')}; change or delete those first`);
  await deps.db.transaction(async (tx) => {
    if (!(await store.deleteRule(tx, id, version))) {
      const now = await store.findRule(tx, c.scope, id);
      if (!now) throw new NotFoundError(`Rule ${id}`);
      throw stale(id, version, now.version);
    }
    await store.insertVersion(tx, { rule: current.definition, version: await store.nextVersion(tx, id), change: 'deleted', regionCode: current.regionCode }, c.actor);
    await appendAudit(tx, deps.clock, c.actor, { action: 'monitoring.rule_deleted', targetType: 'monitoring_rule', targetId: id, regionCode: current.regionCode, before: current.definition });
  });
  await publish(deps, 'monitoring.rule_deleted', [current.regionCode], { id, kind: current.kind });
}

// ---- the catalogue's rules ----

/**
 * Saves the catalogue's type rules (rain accumulation windows, offline per type) as national
 * rules, each once: the ids seeded are remembered, so a rule a national administrator deleted
 * does not come back, and a type added to the catalogue later gets its rules on the next start.
 */
export async function seedCatalogueRules(deps: Pick<RulesDeps, 'db' | 'clock'>): Promise<string[]> {
  const { rules, errors } = validateRules(catalogueRules());
  if (errors.length) throw new Error(`catalogue rules do not validate: ${errors.map((e: RuleIssue) => `${e.path} ${e.message}`).join('; ')}`);
  const done = await readSetting<{ ids?: string[] }>(deps.db, SEED_SETTING);
  if (done?.ids && rules.every((r) => done.ids!.includes(r.id))) return [];
  return deps.db.transaction(async (tx) => {
    if (deps.db.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [SEED_SETTING]);
    const seeded = new Set((await readSetting<{ ids?: string[] }>(tx, SEED_SETTING))?.ids ?? []);
    const added: string[] = [];
    for (const rule of rules) {
      if (seeded.has(rule.id)) continue;
      seeded.add(rule.id);
      if (!(await store.insertRule(tx, rule, NATIONAL_CODE, 'catalogue', SYSTEM_ACTOR))) continue;
      await store.insertVersion(tx, { rule, version: rule.version, change: 'created', regionCode: NATIONAL_CODE }, SYSTEM_ACTOR);
      await appendAudit(tx, deps.clock, SYSTEM_ACTOR, { action: 'monitoring.rule_created', targetType: 'monitoring_rule', targetId: rule.id, regionCode: NATIONAL_CODE, after: { ...rule, seededFrom: 'catalogue' } });
      added.push(rule.id);
    }
    await writeSetting(tx, SEED_SETTING, { ids: [...seeded], at: deps.clock.now().toISOString() });
    return added;
  });
}
