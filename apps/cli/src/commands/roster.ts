import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { NATIONAL_CODE, ValidationError, isRegionCodeShape, regionScope, systemClock } from '@anlan/core';
import { InProcessBus } from '@anlan/server/events/bus';
import { importRoster, type RosterImportReport, type RowError } from '@anlan/server/warning/roster/import';
import { cliActor, withDatabase } from '../db-session.ts';
import { DB_OPTIONS, UsageError } from '../options.ts';
import { ProgressBar } from '../progress.ts';

export const ROSTER_HELP = `anlan warning roster import FILE.xlsx|FILE.csv [--mode insert|upsert] [--dry-run] [--kind persons|assignments]
                             [--region CODE] [--report errors.csv] [--data-dir DIR]

导入责任人名册 (imports the roster of responsible persons and what they answer for, 包保) from an
Excel workbook with the sheets 责任人 and/or 包保对象, or a CSV file holding one of the two
tables. The columns are those of the export (GET /api/v1/warning/roster/export.xlsx), with Chinese
or English headers; docs/warning.md lists them.

A person's superior (上级手机号) and an assignment's person (责任人手机号) are named by phone: a row
of the same file, in any order, or a person already on the roster. Every row is checked as the API
checks it (phone, roles, region, coordinates, no loop in the chain of superiors); bad rows are
reported by sheet, row, column and reason and left out, good rows are stored together.

--mode insert   (default) adds only: a phone already on the roster is a row error
--mode upsert   a known phone updates that person, an assignment row with 编号 that assignment;
                empty cells keep their values, "无" clears
--dry-run       check only, store nothing
--kind K        the table of a CSV file when its headers do not tell (persons or assignments)
--region CODE   the region the import acts for (default the whole country): rows outside it
                are refused, as for a user of that region
--report FILE   also write the row errors to FILE as CSV (sheet, row, column, reason)

Exit codes: 0 rows were imported (rejected rows are reported, not fatal), 1 no row could be
imported or the file could not be read, 2 bad usage.`;

const STAGES = {
  read: '读取文件 (reading the file)',
  persons: '校验责任人 (checking persons)',
  assignments: '校验包保对象 (checking assignments)',
  write: '写入数据库 (storing)',
} as const;

/** `anlan warning roster …` (main.ts hands over everything after "warning roster"). */
export async function rosterCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    console.log(ROSTER_HELP);
    return sub ? 0 : 2;
  }
  if (sub === 'import') return importCommand(rest);
  throw new UsageError(`unknown subcommand "warning roster ${sub}": try anlan warning roster import FILE.xlsx`);
}

function csvCell(s: string | number): string {
  const t = String(s);
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

export function errorsCsv(errors: RowError[]): string {
  const lines = [['表 sheet', '行 row', '列 column', '原因 reason'].join(','), ...errors.map((e) => [e.sheet, e.row, e.column ?? e.field, e.message].map(csvCell).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function printReport(r: RosterImportReport): void {
  const verb = r.dryRun ? '校验 (checked, nothing stored)' : '导入 (imported)';
  for (const s of r.sheets) {
    console.log(`${verb} ${s.sheet}: ${s.rows} rows — ${s.inserted} new, ${s.updated} updated, ${s.unchanged} unchanged, ${s.rejected} rejected`);
    if (s.ignoredColumns.length) console.log(`  ignored columns: ${s.ignoredColumns.join(', ')}`);
  }
  if (r.ignoredSheets.length) console.log(`ignored sheets: ${r.ignoredSheets.join(', ')}`);
  for (const e of r.errors) console.log(`  ${e.sheet} row ${e.row}${e.column ? ` [${e.column}]` : ''}: ${e.message}`);
  if (r.errorCount > r.errors.length) console.log(`  … and ${r.errorCount - r.errors.length} more`);
}

async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...DB_OPTIONS, mode: { type: 'string', default: 'insert' }, 'dry-run': { type: 'boolean' }, kind: { type: 'string' }, region: { type: 'string' }, report: { type: 'string' },
    },
  });
  if (values.help) return console.log(ROSTER_HELP), 0;
  const [file] = positionals;
  if (!file) throw new UsageError('give the file: anlan warning roster import FILE.xlsx');
  const mode = values.mode;
  if (mode !== 'insert' && mode !== 'upsert') throw new UsageError(`--mode must be insert or upsert, not "${mode}"`);
  const kind = values.kind;
  if (kind !== undefined && kind !== 'persons' && kind !== 'assignments') throw new UsageError(`--kind must be persons or assignments, not "${kind}"`);
  const region = values.region ?? NATIONAL_CODE;
  if (region !== NATIONAL_CODE && !isRegionCodeShape(region)) throw new UsageError(`--region must be a GB/T 2260 code of 6, 9 or 12 digits, not "${region}"`);
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (e) {
    console.error(`anlan warning roster import: cannot read ${file}: ${(e as Error).message}`);
    return 1;
  }
  const bar = new ProgressBar();
  return withDatabase(values['data-dir'], async (db) => {
    const bus = new InProcessBus();
    try {
      const report = await importRoster(
        { db, clock: systemClock, bus },
        { actor: cliActor(), scope: regionScope(region) },
        { mode, dryRun: values['dry-run'] ?? false, kind, data, onProgress: (stage, done, total) => bar.update(STAGES[stage], done, total) },
      );
      printReport(report);
      if (values.report) writeFileSync(values.report, errorsCsv(report.errors));
      return 0;
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      console.error(`anlan warning roster import: ${e.message}`);
      for (const x of e.errors ?? []) console.error(`  ${x.field}: ${x.message}`);
      if (values.report) {
        const rows = (e.errors ?? []).map((x): RowError => {
          const m = /^(\S+) row (\d+): (.*)$/.exec(x.field);
          return { sheet: m?.[1] ?? '', row: Number(m?.[2] ?? 0), field: m?.[3] ?? x.field, message: x.message };
        });
        writeFileSync(values.report, errorsCsv(rows));
      }
      return 1;
    } finally {
      await bus.close();
    }
  });
}
