/** Messages between the assessment pool (pool.ts) and its workers (worker.ts). */
import type { AssessAccumulators } from '../assess/assess.ts';
import type { ExposureColumns, IntensityRegion, QuakeEvent } from '../types.ts';

interface Task { run: number; part: number; exposure: number; start: number; end: number }

export type WorkerRequest =
  | { type: 'exposure'; id: number; exposure: ExposureColumns }
  | (Task & { type: 'nearest'; event: QuakeEvent })
  | (Task & { type: 'assess'; event: QuakeEvent; region: IntensityRegion })
  | (Task & { type: 'scan'; time?: string })
  | { type: 'exit'; code: number };

export type WorkerReply =
  | { run: number; part: number; ok: true; value: AssessAccumulators | { index: number; d2: number } | number }
  | { run: number; part: number; ok: false; message: string; stack?: string };
