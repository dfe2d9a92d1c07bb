// Entry of an assessment worker thread. Plain JavaScript on purpose: a worker does not inherit
// the tsx loader that the CLI registers in-process with register(), so register it here, then
// load the TypeScript worker. (Under `node --import tsx` this registers tsx a second time, which
// is harmless.)
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
