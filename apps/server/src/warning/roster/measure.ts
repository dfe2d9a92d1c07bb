/**
 * Times recipient resolution alone on the embedded database: a synthetic roster of N persons in
 * 泸定县, a county-wide warning, resolved (and resolved again, which must add nobody).
 *
 *   node --import tsx apps/server/src/warning/roster/measure.ts [persons=100000] [--explain]
 *
 * Starts from the test template when `npm test` built one (.tmp/embedded-template.tar), else
 * creates a database (about 20 s). Prints one JSON line. `anlan bench warning` measures resolve and
 * enqueue together through the whole server; this isolates the roster's part.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { systemClock } from '@anlan/core';
import { migrate, openEmbedded, type Database } from '@anlan/db';
import { loadReferenceRegions } from '../../regions/loader.ts';
import type { IssuedWarning } from '../contracts.ts';
import { resolveRecipients } from './resolver.ts';
import { insertSyntheticRoster } from './synthetic.ts';

const TEMPLATE = fileURLToPath(new URL('../../../../../.tmp/embedded-template.tar', import.meta.url));
const COUNTY = '513322';

async function open(): Promise<Database> {
  const db = existsSync(TEMPLATE) ? await openEmbedded({ loadDataDir: new Blob([readFileSync(TEMPLATE)]) }) : await openEmbedded({});
  await migrate(db);
  await loadReferenceRegions(db);
  return db;
}

async function countyWarning(db: Database): Promise<IssuedWarning> {
  const r = await db.query<{ id: number }>(
    `INSERT INTO warnings (thread_id, identifier, sender, msg_type, stage, event, level, headline, description, region_code, state, expires_at, drafted_by_name, issued_at)
     VALUES (0, $1, 'measure@anlan', 'Alert', 'callresponse', 'rainstorm', 'red', '暴雨红色预警', '测量', $2, 'issued', now() + interval '1 day', 'measure', now()) RETURNING id`,
    [`measure-${Date.now()}`, COUNTY],
  );
  const id = Number(r.rows[0].id);
  await db.query('UPDATE warnings SET thread_id = id WHERE id = $1', [id]);
  await db.query(`INSERT INTO warning_areas (warning_id, ord, kind, label, region_code) VALUES ($1, 0, 'region', '泸定县', $2)`, [id, COUNTY]);
  const now = systemClock.now();
  return { id, threadId: id, previousId: null, identifier: `measure-${id}`, msgType: 'Alert', stage: 'callresponse', event: 'rainstorm', level: 'red', headline: '暴雨红色预警', description: '测量', instruction: '', regionCode: COUNTY, issuedAt: now, expiresAt: now };
}

const persons = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100_000);
const db = await open();
try {
  let t = performance.now();
  const roster = await insertSyntheticRoster(db, { countyCode: COUNTY, persons });
  const rosterMs = performance.now() - t;
  const warning = await countyWarning(db);
  t = performance.now();
  const first = await resolveRecipients(db, warning, { clock: systemClock });
  const resolveMs = performance.now() - t;
  t = performance.now();
  const again = await resolveRecipients(db, warning, { clock: systemClock });
  const againMs = performance.now() - t;
  console.log(JSON.stringify({ persons: roster.persons, assignments: roster.assignments, recipients: first.count, added: first.added, resolveMs: Math.round(resolveMs), againAdded: again.added, againMs: Math.round(againMs), rosterMs: Math.round(rosterMs) }));
} finally {
  await db.close();
}
