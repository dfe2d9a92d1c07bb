/**
 * The worker side of the assessment pool: keeps the exposure it was last sent (views on shared
 * memory, so nothing is copied), runs one row range per message and posts the result back.
 * An error in a task is reported to the caller and the worker stays usable.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { syntheticInventory } from '../assess/synthetic.ts';
import type { ExposureColumns, QuakeEvent } from '../types.ts';
import { assessPart, nearestRow, scanPart } from './tasks.ts';
import type { WorkerReply, WorkerRequest } from './protocol.ts';
import { toSharedExposure } from './shared.ts';

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread (see pool.ts)');

let current: { id: number; exposure: ExposureColumns } | null = null;

function exposureOf(id: number): ExposureColumns {
  if (current?.id !== id) throw new Error(`exposure ${id} was not sent to this worker`);
  return current.exposure;
}

port.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'exposure') {
    current = { id: msg.id, exposure: msg.exposure };
    return;
  }
  if (msg.type === 'exit') process.exit(msg.code); // tests: a worker that dies mid-run
  let reply: WorkerReply;
  const transfer: ArrayBuffer[] = [];
  try {
    switch (msg.type) {
      case 'nearest':
        reply = { run: msg.run, part: msg.part, ok: true, value: nearestRow(msg.event, exposureOf(msg.exposure), msg.start, msg.end) };
        break;
      case 'assess': {
        const acc = assessPart(msg.event, exposureOf(msg.exposure), msg.start, msg.end, msg.region);
        for (const v of Object.values(acc)) if (ArrayBuffer.isView(v)) transfer.push(v.buffer as ArrayBuffer);
        reply = { run: msg.run, part: msg.part, ok: true, value: acc };
        break;
      }
      case 'scan':
        reply = { run: msg.run, part: msg.part, ok: true, value: scanPart(exposureOf(msg.exposure), msg.start, msg.end, msg.time) };
        break;
    }
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply = { run: msg.run, part: msg.part, ok: false, message: e.message, stack: e.stack };
  }
  port.postMessage(reply, transfer);
});

/**
 * A fresh thread runs the engine in the interpreter until V8 has optimised it, and with every
 * core busy the optimising compiler gets little time: the first assessment of 1 M rows took
 * several times a warm one. So the pool's start-up includes a few small runs (4,096 synthetic
 * rows, day and night) that get the hot functions compiled before the first real run.
 */
function warmUp(): void {
  const x = toSharedExposure(syntheticInventory({ count: 4096, lon: 103.4, lat: 31, seed: 7 }));
  const day: QuakeEvent = { lon: 103.4, lat: 31, depthKm: 14, magnitude: 7.9, strikeDeg: 229, time: '2008-05-12T06:28:01Z' };
  const night: QuakeEvent = { ...day, magnitude: 6.6, strikeDeg: undefined, time: '2008-05-11T18:00:00Z' };
  for (let r = 0; r < 12; r++) {
    const event = r % 2 ? night : day;
    nearestRow(event, x, 0, x.count);
    assessPart(event, x, 0, x.count, r % 4 < 2 ? 'west' : 'east');
    scanPart(x, 0, x.count, event.time);
  }
}

if ((workerData as { warmUp?: boolean } | undefined)?.warmUp !== false) warmUp();
port.postMessage({ ready: true });
