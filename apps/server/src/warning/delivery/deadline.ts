/**
 * How long a recipient has to answer (叫应) before escalation: 60 minutes at the 1-hour
 * call-response step, shorter for red, longer at the earlier steps of the 6h → 3h → 1h ladder.
 * A bureau changes them in system_settings: `warning.deadline_sec.<stage>.<level>` (one level)
 * or `warning.deadline_sec.<stage>` (every level of the stage), a number of seconds.
 */
import type { Queryable } from '@anlan/db';
import type { WarningLevel } from '@anlan/cap';
import type { DeadlinePolicy, WarningStage } from '../contracts.ts';

const MIN = 60;
const STAGES: readonly WarningStage[] = ['forecast', 'short', 'callresponse'];
const LEVELS: readonly WarningLevel[] = ['blue', 'yellow', 'orange', 'red'];

export const DEFAULT_DEADLINES_SEC: Record<WarningStage, Record<WarningLevel, number>> = {
  // 6 h 预报: confirm receipt within a few hours.
  forecast: { blue: 240 * MIN, yellow: 240 * MIN, orange: 180 * MIN, red: 120 * MIN },
  // 3 h 短临预警.
  short: { blue: 120 * MIN, yellow: 120 * MIN, orange: 90 * MIN, red: 60 * MIN },
  // 1 h 叫应: the 60 minutes; red cannot wait that long.
  callresponse: { blue: 60 * MIN, yellow: 60 * MIN, orange: 45 * MIN, red: 30 * MIN },
};

/** Shortest and longest deadline a setting may give: one minute to one day. */
const BOUNDS = [60, 86_400] as const;

export class TableDeadlinePolicy implements DeadlinePolicy {
  constructor(private readonly table: Record<WarningStage, Record<WarningLevel, number>>) {}

  deadlineSec(stage: WarningStage, level: WarningLevel): number {
    return this.table[stage][level];
  }
}

/**
 * The defaults overlaid with the installation's settings. Out-of-range or non-numeric values are
 * skipped and reported, naming the key.
 */
export async function loadDeadlinePolicy(db: Queryable): Promise<{ policy: TableDeadlinePolicy; problems: string[] }> {
  const r = await db.query<{ key: string; value: unknown }>(`SELECT key, value FROM system_settings WHERE key LIKE 'warning.deadline\\_sec.%'`);
  const settings = new Map(r.rows.map((row) => [row.key, row.value]));
  const problems: string[] = [];
  const table = structuredClone(DEFAULT_DEADLINES_SEC);
  const valid = (key: string): number | null => {
    const v = settings.get(key);
    if (v === undefined) return null;
    if (typeof v === 'number' && Number.isInteger(v) && v >= BOUNDS[0] && v <= BOUNDS[1]) return v;
    problems.push(`${key} ignored: must be whole seconds from ${BOUNDS[0]} to ${BOUNDS[1]}`);
    return null;
  };
  for (const stage of STAGES) {
    const all = valid(`warning.deadline_sec.${stage}`);
    for (const level of LEVELS) {
      const one = valid(`warning.deadline_sec.${stage}.${level}`);
      table[stage][level] = one ?? all ?? table[stage][level];
    }
  }
  for (const key of settings.keys()) {
    const [, , stage, level, ...rest] = key.split('.');
    if (!STAGES.includes(stage as WarningStage) || (level !== undefined && !LEVELS.includes(level as WarningLevel)) || rest.length) {
      problems.push(`${key} ignored: the keys are warning.deadline_sec.<${STAGES.join('|')}>[.<${LEVELS.join('|')}>]`);
    }
  }
  return { policy: new TableDeadlinePolicy(table), problems };
}
