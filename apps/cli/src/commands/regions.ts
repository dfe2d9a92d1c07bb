import { parseArgs } from 'node:util';
import { basename } from 'node:path';
import { systemClock } from '@anlan/core';
import { readBoundaryFile } from '@anlan/reference-data';
import { importOfficialBoundaries } from '@anlan/server';
import { withDatabase, cliActor } from '../db-session.ts';
import { DB_OPTIONS, UsageError } from '../options.ts';

export const REGIONS_HELP = `anlan regions import-boundaries <file.geojson|file.shp> [--crs wgs84|gcj02] [--code-field NAME]

Replaces the reference boundaries of the regions the file covers with a bureau's official ones.
The region code is read from the property adcode, code, PAC, XZQDM (or --code-field); coordinates
are taken as WGS84 unless --crs gcj02. Each bad feature is reported with its number and reason;
the good ones are imported. Exit 0 when every feature was imported, 1 when some were rejected.`;

export async function regionsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { ...DB_OPTIONS, crs: { type: 'string' }, 'code-field': { type: 'string' } },
  });
  if (values.help || !sub) return console.log(REGIONS_HELP), sub ? 0 : 2;
  if (sub !== 'import-boundaries') throw new UsageError(`unknown subcommand "regions ${sub}"\n\n${REGIONS_HELP}`);
  const file = positionals[0];
  if (!file) throw new UsageError('missing the boundary file to import');
  const crs = values.crs ?? 'wgs84';
  if (crs !== 'wgs84' && crs !== 'gcj02') throw new UsageError('--crs must be wgs84 or gcj02');
  const { records, errors } = await readBoundaryFile(file, { crs, codeField: values['code-field'] });
  for (const e of errors) console.error(`feature ${e.feature}${e.field ? ` (${e.field})` : ''}: ${e.message}`);
  if (records.length === 0) {
    console.error(`no importable features in ${file}`);
    return 1;
  }
  return withDatabase(values['data-dir'], async (db) => {
    const report = await importOfficialBoundaries({ db, clock: systemClock }, cliActor(), records, basename(file));
    for (const code of report.unknownCodes) console.error(`unknown region code ${code}: not imported`);
    console.log(`imported ${report.imported} official boundaries from ${basename(file)}`);
    return errors.length + report.unknownCodes.length > 0 ? 1 : 0;
  });
}
