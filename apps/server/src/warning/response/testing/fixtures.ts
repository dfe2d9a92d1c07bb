/**
 * Rows for the call-response tests, written with plain SQL: an issued warning, responsible
 * persons with their chain of superiors, and the recipients a resolution would have recorded.
 * Tests of this part must not wait for (or depend on) the roster's resolver and the delivery's
 * enqueuer; they start from the tables as 009_warnings.sql defines them.
 */
import type { Queryable } from '@anlan/db';
import { loadAckKey, mintAckToken } from '../../ack-token.ts';

export const LUDING = '513322';
export const LUQIAO = '513322100';
export const LENGQI = '513322101';
export const KANGDING_TOWN = '513301101';

let serial = 0;
/** A distinct valid mainland mobile number per call (139 + 8 digits). */
export function nextPhone(): string {
  serial += 1;
  return `139${String((process.pid * 1000 + serial) % 100_000_000).padStart(8, '0')}`;
}

export interface WarningFixture {
  regionCode?: string;
  level?: 'blue' | 'yellow' | 'orange' | 'red';
  stage?: 'forecast' | 'short' | 'callresponse';
  state?: 'issued' | 'cancelled' | 'superseded' | 'expired';
  headline?: string;
  issuedAt: Date;
  expiresAt: Date;
}

export async function insertWarning(db: Queryable, w: WarningFixture): Promise<number> {
  serial += 1;
  const r = await db.query<{ id: string }>(
    `INSERT INTO warnings (thread_id, identifier, sender, msg_type, status, stage, event, level, headline, description, instruction,
       region_code, state, expires_at, drafted_by_name, issued_at)
     VALUES (0, $1, 'anlan@test', 'Alert', 'Actual', $2, 'rainstorm', $3, $4, '泸定县未来1小时有强降雨，山洪地质灾害风险高。', '请立即组织危险区群众转移。',
       $5, $6, $7, 'fixture', $8)
     RETURNING id`,
    [`test-${process.pid}-${serial}-${Date.now()}`, w.stage ?? 'callresponse', w.level ?? 'orange', w.headline ?? '泸定县暴雨橙色预警', w.regionCode ?? LUDING, w.state ?? 'issued', w.expiresAt, w.issuedAt],
  );
  const id = Number(r.rows[0].id);
  await db.query('UPDATE warnings SET thread_id = id WHERE id = $1', [id]);
  return id;
}

export interface PersonFixture {
  name: string;
  regionCode: string;
  superiorId?: number | null;
  userId?: number | null;
  active?: boolean;
  phone?: string;
}

export async function insertPerson(db: Queryable, p: PersonFixture): Promise<{ id: number; phone: string }> {
  const phone = p.phone ?? nextPhone();
  const r = await db.query<{ id: string }>(
    `INSERT INTO responsible_persons (name, phone, roles, region_code, superior_id, user_id, active, created_by_name, updated_by_name)
     VALUES ($1, $2, ARRAY['grid'], $3, $4, $5, $6, 'fixture', 'fixture') RETURNING id`,
    [p.name, phone, p.regionCode, p.superiorId ?? null, p.userId ?? null, p.active ?? true],
  );
  return { id: Number(r.rows[0].id), phone };
}

export interface RecipientFixture {
  warningId: number;
  personId: number;
  planned?: number;
  deadlineAt?: Date | null;
  status?: 'queued' | 'sent' | 'delivered';
  reason?: 'assignment' | 'region' | 'chain';
}

/** A recipient as resolution records it: name, phone and region copied from the person. */
export async function insertRecipient(db: Queryable, r: RecipientFixture): Promise<number> {
  const x = await db.query<{ id: string }>(
    `INSERT INTO warning_recipients (warning_id, thread_id, person_id, name, phone, region_code, reason, planned, status, deadline_at)
     SELECT w.id, w.thread_id, p.id, p.name, p.phone, p.region_code, $3, $4, $5, $6
     FROM warnings w, responsible_persons p WHERE w.id = $1 AND p.id = $2
     RETURNING id`,
    [r.warningId, r.personId, r.reason ?? 'assignment', r.planned ?? 0, r.status ?? 'delivered', r.deadlineAt ?? null],
  );
  return Number(x.rows[0].id);
}

/** Villages are loaded per county on demand (roster/villages.ts); tests name their own. */
export async function ensureVillage(db: Queryable, code: string, name: string): Promise<void> {
  await db.query(`INSERT INTO regions (code, name, level, parent_code) VALUES ($1, $2, 'village', $3) ON CONFLICT (code) DO NOTHING`, [code, name, code.slice(0, 9)]);
}

export async function tokenFor(db: Queryable, recipientId: number, expiresAt: Date): Promise<string> {
  return mintAckToken(await loadAckKey(db), recipientId, expiresAt);
}

export async function userId(db: Queryable, username: string): Promise<number> {
  const r = await db.query<{ id: string }>('SELECT id FROM users WHERE username = $1', [username]);
  if (!r.rows[0]) throw new Error(`no user ${username}`);
  return Number(r.rows[0].id);
}

/**
 * The chain of 泸定: a county head, the head of 泸桥镇 under them, and village grid workers
 * under the township head; plus a worker of 冷碛镇 with no superior (who can only go silent).
 */
export async function ludingChain(db: Queryable): Promise<{ county: number; township: number; villageA: number; villageB: number; loner: number }> {
  await ensureVillage(db, '513322100201', '咱里村');
  await ensureVillage(db, '513322100202', '安乐村');
  const county = (await insertPerson(db, { name: '杨县长', regionCode: LUDING })).id;
  const township = (await insertPerson(db, { name: '李镇长', regionCode: LUQIAO, superiorId: county })).id;
  const villageA = (await insertPerson(db, { name: '王网格员', regionCode: '513322100201', superiorId: township })).id;
  const villageB = (await insertPerson(db, { name: '赵村干部', regionCode: '513322100202', superiorId: township })).id;
  const loner = (await insertPerson(db, { name: '孙信息员', regionCode: LENGQI })).id;
  return { county, township, villageA, villageB, loner };
}
