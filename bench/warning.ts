// Warning call-response end to end: the same run as `npx anlan bench warning` (see its --help),
// kept here beside the other benchmarks.
//   node --import tsx bench/warning.ts [--recipients 100000] [--seconds 30] [--clients 256] [--json]
import { warningBenchCommand } from '../apps/cli/src/commands/warning-bench.ts';

process.exitCode = await warningBenchCommand(process.argv.slice(2));
