import { AppError } from '@anlan/core';
import { UsageError } from './options.ts';
import { startCommand, START_HELP } from './commands/start.ts';
import { migrateCommand, seedCommand, userCommand, tokenCommand, auditCommand } from './commands/admin.ts';
import { regionsCommand } from './commands/regions.ts';
import { quakeCommand } from './commands/quake.ts';
import { monitoringCommand } from './commands/monitoring.ts';
import { benchCommand } from './commands/bench.ts';
import { warningBenchCommand } from './commands/warning-bench.ts';
import { warningCommand } from './commands/warning.ts';
import { rosterCommand } from './commands/roster.ts';
import { riskCommand } from './commands/risk.ts';

const HELP = `安澜 Anlan — emergency management platform

usage: anlan <command> [options]   (each command takes --help)

  start                     start the server (${START_HELP.split('\n')[0]})
  migrate                   apply database migrations
  seed --demo [--reset]     create or reset the demo data
  user add|passwd|list      manage accounts
  token create              create an API token for a device or integration
  audit verify              check the audit log's hash chain
  regions import-boundaries load a bureau's official boundaries
  quake assess              rapid earthquake loss assessment (intensity, damage, casualties, loss)
  quake bench               the engine over N synthetic buildings on T threads (speed and memory)
  monitoring replay         post recorded readings (CSV/NDJSON) to a running Anlan, keeping their pace
  bench ingest              readings per second through validation, rules and storage; alarm latency
  bench warning             resolve + enqueue of a county-wide warning, one-tap answers per second, escalation
  warning import            import CAP 1.2 warnings (files) into a running Anlan; bad CAP named by element
  warning roster import     import responsible persons and their 包保 assignments from .xlsx or CSV, row-by-row report
  risk import               import enterprises or places (生产经营单位/场所) from .xlsx or CSV, row-by-row report

Exit codes: 0 success, 1 the operation failed (e.g. a broken audit chain), 2 bad usage.`;

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  start: startCommand,
  migrate: migrateCommand,
  seed: seedCommand,
  user: userCommand,
  token: tokenCommand,
  audit: auditCommand,
  regions: regionsCommand,
  quake: quakeCommand,
  monitoring: monitoringCommand,
  // `bench warning` lives beside the call-response code it measures; the other benchmarks in bench.ts.
  bench: (argv) => (argv[0] === 'warning' ? warningBenchCommand(argv.slice(1)) : benchCommand(argv)),
  // `warning roster` (the roster of responsible persons) beside the warnings themselves.
  warning: (argv) => (argv[0] === 'roster' ? rosterCommand(argv.slice(1)) : warningCommand(argv)),
  risk: riskCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(HELP);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`anlan ${name}: ${(err as Error).message}`);
      return 2;
    }
    if (err instanceof AppError) {
      console.error(`anlan ${name}: ${err.message}`);
      for (const e of err.errors ?? []) console.error(`  ${e.field}: ${e.message}`);
      return 1;
    }
    console.error(`anlan ${name}: ${(err as Error).message ?? err}`);
    return 1;
  }
}
