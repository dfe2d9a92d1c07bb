import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { NATIONAL_CODE, ValidationError, isRegionCodeShape, regionScope, systemClock } from '@anlan/core';
import { InProcessBus } from '@anlan/server/events/bus';
import { importRegister, type ImportReport, type RowError } from '@anlan/server/risk/import';
import { cliActor, withDatabase } from '../db-session.ts';
import { DB_OPTIONS, UsageError } from '../options.ts';
import { ProgressBar } from '../progress.ts';

export const RISK_HELP = `anlan risk import enterprises|places FILE.xlsx|FILE.csv [--mode insert|upsert] [--dry-run]
                  [--region CODE] [--report errors.csv] [--data-dir DIR]

导入生产经营单位或场所台账 (imports the enterprise or place register) from Excel (.xlsx, sheet 1)
or CSV (UTF-8 or GB18030), row 1 the header. The columns are those of the export (GET
/api/v1/risk/export.xlsx), with Chinese or English headers; docs/risk.md lists them.

Every row is checked as the API checks it: the credit code (GB 32100, check character), the
industry, the region, the coordinates, the phones. Bad rows are reported by row, column and reason
and left out; good rows are stored together, with one audit entry for the import.

--mode insert   (default) adds only: a credit code already registered is a row error
--mode upsert   a credit code registered in --region updates that enterprise (places: by 编号);
                empty cells keep their values
--dry-run       check only, store nothing
--region CODE   the region the import acts for (default the whole country): rows outside it
                are refused, as for a user of that region
--report FILE   also write the row errors to FILE as CSV (row, column, reason)

Exit codes: 0 rows were imported (rejected rows are reported, not fatal), 1 no row could be
imported or the file could not be read, 2 bad usage.`;

export async function riskCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    console.log(RISK_HELP);
    return sub ? 0 : 2;
  }
  if (sub === 'import') return importCommand(rest);
  throw new UsageError(`unknown subcommand "${sub}": try anlan risk import`);
}

const STAGES = { read: '读取文件 (reading the file)', check: '逐行校验 (checking rows)', write: '写入数据库 (storing)' } as const;

function csvCell(s: string | number): string {
  const t = String(s);
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

export function errorsCsv(errors: RowError[]): string {
  const lines = [['行 row', '列 column', '原因 reason'].join(','), ...errors.map((e) => [e.row, e.column ?? e.field, e.message].map(csvCell).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function printReport(r: ImportReport): void {
  const verb = r.dryRun ? '校验 (checked, nothing stored)' : '导入 (imported)';
  console.log(`${verb}: ${r.rows} rows — ${r.inserted} new, ${r.updated} updated, ${r.unchanged} unchanged, ${r.rejected} rejected`);
  if (r.ignoredColumns.length) console.log(`ignored columns: ${r.ignoredColumns.join(', ')}`);
  for (const e of r.errors) console.log(`  row ${e.row}${e.column ? ` [${e.column}]` : ''}: ${e.message}`);
}

async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...DB_OPTIONS, mode: { type: 'string', default: 'insert' }, 'dry-run': { type: 'boolean' }, region: { type: 'string' }, report: { type: 'string' } },
  });
  if (values.help) return console.log(RISK_HELP), 0;
  const [kind, file] = positionals;
  if (kind !== 'enterprises' && kind !== 'places') throw new UsageError('say what to import: anlan risk import enterprises|places FILE');
  if (!file) throw new UsageError('give the file: anlan risk import enterprises FILE.xlsx');
  const mode = values.mode;
  if (mode !== 'insert' && mode !== 'upsert') throw new UsageError(`--mode must be insert or upsert, not "${mode}"`);
  const region = values.region ?? NATIONAL_CODE;
  if (region !== NATIONAL_CODE && !isRegionCodeShape(region)) throw new UsageError(`--region must be a GB/T 2260 code of 6, 9 or 12 digits, not "${region}"`);
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (e) {
    console.error(`anlan risk import: cannot read ${file}: ${(e as Error).message}`);
    return 1;
  }
  const bar = new ProgressBar();
  return withDatabase(values['data-dir'], async (db) => {
    const bus = new InProcessBus();
    try {
      const report = await importRegister(
        { db, clock: systemClock, bus },
        { actor: cliActor(), scope: regionScope(region) },
        { kind, mode, dryRun: values['dry-run'] ?? false, data, progress: (stage, done, total) => bar.update(STAGES[stage], done, total) },
      );
      printReport(report);
      if (values.report) writeFileSync(values.report, errorsCsv(report.errors));
      return 0;
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      console.error(`anlan risk import: ${e.message}`);
      for (const x of e.errors ?? []) console.error(`  ${x.field}: ${x.message}`);
      if (values.report) writeFileSync(values.report, errorsCsv((e.errors ?? []).map((x) => ({ row: Number(/^row (\d+)/.exec(x.field)?.[1] ?? 0), field: x.field, message: x.message }))));
      return 1;
    } finally {
      await bus.close();
    }
  });
}
