// Readings ingestion end to end: the same run as `npx anlan bench ingest` (see its --help), kept
// here beside the other benchmarks.
//   node --import tsx bench/ingest.ts [--sensors 700000] [--seconds 30] [--transport http|mqtt] [--json]
import { benchCommand } from '../apps/cli/src/commands/bench.ts';

process.exitCode = await benchCommand(['ingest', ...process.argv.slice(2)]);
