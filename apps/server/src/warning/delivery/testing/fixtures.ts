/**
 * Test data for delivery: an issued warning and its recipients written straight into the tables
 * (what core and roster would have written), so delivery is tested on its own.
 */
import type { Queryable } from '@anlan/db';
import type { WarningLevel } from '@anlan/cap';
import type { IssuedWarning, WarningMsgType, WarningStage } from '../../contracts.ts';

let serial = 0;

export interface PersonSpec {
  email?: string | null;
  regionCode?: string;
  userId?: number | null;
}

export interface WarningSpec {
  issuedAt: Date;
  expiresAt?: Date;
  level?: WarningLevel;
  stage?: WarningStage;
  msgType?: WarningMsgType;
  regionCode?: string;
  headline?: string;
  instruction?: string;
}

export async function insertWarning(db: Queryable, spec: WarningSpec): Promise<IssuedWarning> {
  serial += 1;
  const w = {
    identifier: `CN.513322.TEST.${Date.now()}.${serial}`,
    msgType: spec.msgType ?? 'Alert',
    stage: spec.stage ?? 'callresponse',
    event: 'rainstorm',
    level: spec.level ?? 'red',
    headline: spec.headline ?? '泸定县气象台发布暴雨红色预警',
    description: '预计未来3小时泸桥镇、冷碛镇降雨量将达100毫米以上，山洪、滑坡风险极高。',
    instruction: spec.instruction ?? '立即组织危险区群众转移到安置点',
    regionCode: spec.regionCode ?? '513322',
    issuedAt: spec.issuedAt,
    expiresAt: spec.expiresAt ?? new Date(spec.issuedAt.getTime() + 6 * 3600_000),
  };
  const r = await db.query<{ id: string }>(
    `INSERT INTO warnings (thread_id, identifier, sender, msg_type, stage, event, level, headline, description, instruction, region_code, state, expires_at, drafted_by_name, issued_at)
     VALUES (0, $1, 'yjj.513322@anlan', $2, $3, $4, $5, $6, $7, $8, $9, 'issued', $10, '测试', $11) RETURNING id`,
    [w.identifier, w.msgType, w.stage, w.event, w.level, w.headline, w.description, w.instruction, w.regionCode, w.expiresAt, w.issuedAt],
  );
  const id = Number(r.rows[0].id);
  await db.query('UPDATE warnings SET thread_id = id WHERE id = $1', [id]);
  return { id, threadId: id, previousId: null, ...w } as IssuedWarning;
}

/** Responsible persons with distinct phones; returns their ids. */
export async function insertPersons(db: Queryable, specs: PersonSpec[]): Promise<number[]> {
  const ids: number[] = [];
  for (const p of specs) {
    serial += 1;
    // 1990…: a block the demo roster does not use.
    const phone = `1990${String(Date.now() % 1000).padStart(3, '0')}${String(serial).padStart(4, '0')}`;
    const r = await db.query<{ id: string }>(
      `INSERT INTO responsible_persons (name, phone, email, roles, region_code, user_id, created_by_name, updated_by_name)
       VALUES ($1, $2, $3, ARRAY['grid'], $4, $5, '测试', '测试') RETURNING id`,
      [`网格员${serial}`, phone, p.email ?? null, p.regionCode ?? '513322100', p.userId ?? null],
    );
    ids.push(Number(r.rows[0].id));
  }
  return ids;
}

/** Many persons at once (set-based), in one township. */
export async function insertManyPersons(db: Queryable, count: number, regionCode = '513322100'): Promise<void> {
  serial += 1;
  const base = 15_000_000_000 + (Date.now() % 100_000) * 10_000;
  await db.query(
    `INSERT INTO responsible_persons (name, phone, roles, region_code, created_by_name, updated_by_name)
     SELECT '责任人' || g, ($2::bigint + g)::text, ARRAY['guardian'], $3, '测试', '测试' FROM generate_series(1, $1) g`,
    [count, base + serial * 1_000_000, regionCode],
  );
}

/** Every given person becomes a recipient of the warning; returns the recipient ids in person order. */
export async function insertRecipients(db: Queryable, warningId: number, personIds: number[], reason = 'region'): Promise<number[]> {
  const r = await db.query<{ id: string }>(
    `INSERT INTO warning_recipients (warning_id, thread_id, person_id, name, phone, region_code, reason)
     SELECT $1, $1, p.id, p.name, p.phone, p.region_code, $3 FROM unnest($2::bigint[]) WITH ORDINALITY AS u (id, ord)
     JOIN responsible_persons p ON p.id = u.id ORDER BY u.ord
     RETURNING id`,
    [warningId, personIds, reason],
  );
  return r.rows.map((x) => Number(x.id)).sort((a, b) => a - b);
}

export async function allPersonIds(db: Queryable, regionCode: string): Promise<number[]> {
  const r = await db.query<{ id: string }>('SELECT id FROM responsible_persons WHERE region_code = $1 ORDER BY id', [regionCode]);
  return r.rows.map((x) => Number(x.id));
}

export async function insertSubscription(db: Queryable, personId: number, sub: { endpoint: string; keys: { p256dh: string; auth: string } }): Promise<void> {
  await db.query('INSERT INTO warning_push_subscriptions (person_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4)', [personId, sub.endpoint, sub.keys.p256dh, sub.keys.auth]);
}

export interface OutboxRow {
  id: number;
  recipient_id: number | null;
  channel: string;
  address: string;
  subject: string | null;
  body: string;
  idempotency_key: string;
  state: string;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  provider_id: string | null;
}

export async function outbox(db: Queryable, warningId: number, channel?: string): Promise<OutboxRow[]> {
  const r = await db.query<OutboxRow>(
    `SELECT id, recipient_id, channel, address, subject, body, idempotency_key, state, attempts, next_attempt_at, last_error, provider_id
     FROM warning_outbox WHERE warning_id = $1 AND ($2::text IS NULL OR channel = $2) ORDER BY id`,
    [warningId, channel ?? null],
  );
  return r.rows.map((x) => ({ ...x, id: Number(x.id), recipient_id: x.recipient_id === null ? null : Number(x.recipient_id), attempts: Number(x.attempts), next_attempt_at: new Date(x.next_attempt_at) }));
}

export async function recipients(db: Queryable, warningId: number): Promise<{ id: number; status: string; deadline_at: Date | null; sent_at: Date | null; delivered_at: Date | null }[]> {
  const r = await db.query<{ id: string; status: string; deadline_at: Date | null; sent_at: Date | null; delivered_at: Date | null }>(
    'SELECT id, status, deadline_at, sent_at, delivered_at FROM warning_recipients WHERE warning_id = $1 ORDER BY id',
    [warningId],
  );
  return r.rows.map((x) => ({ ...x, id: Number(x.id), deadline_at: x.deadline_at && new Date(x.deadline_at) }));
}
