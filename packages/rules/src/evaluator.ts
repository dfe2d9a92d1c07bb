import type { StateColumn } from './slots.ts';
import type { SensorRule } from './types.ts';

/**
 * What the engine needs from each sensor-rule kind. One evaluator serves one rule for all its
 * sensors; a sensor's state is a slot in the evaluator's typed arrays.
 */
export interface SensorEvaluator {
  /** Replaced in place when a swap changes only the rule's wording or version. */
  rule: SensorRule;
  readonly key: string;
  /** The quantity the last `ingest` evaluated; read only when a transition is built. */
  measured: number;
  /**
   * The time that evaluation speaks for: the newest reading's time, which a late reading
   * (counted in a window) does not move back.
   */
  evaluatedAt: number;
  count: number;
  sensorOf: Int32Array;
  /** Whether composite rules listen to this rule's level changes. */
  tracked: boolean;
  alloc(sensor: number): number;
  /** Returns the previous level code if the level changed, otherwise -1. */
  ingest(slot: number, ts: number, value: number): number;
  levelOf(slot: number): number;
  /** Reads the slot's state record and returns any number from it: a load issued early, see `ingestBatch`. */
  touch(slot: number): number;
  describe(subject: string, previous: number, current: number, value: number): string;
  /** Releases unused capacity. */
  trim(): void;
  /** Forget a slot's state (its sensor no longer has this rule). */
  reset(slot: number): void;
  columns(): Record<string, StateColumn>;
  /** Recompute what is derived from the columns (deadline heap, active sets) after a restore. */
  rebuild(): void;
}

/** Evaluators whose state can change with time alone. */
export interface TimedEvaluator extends SensorEvaluator {
  /**
   * Bring every slot that can change up to `now`; pushes (slot, previous code, value) triples of
   * the slots whose level changed onto `changed`.
   */
  advance(now: number, changed: number[]): void;
}
