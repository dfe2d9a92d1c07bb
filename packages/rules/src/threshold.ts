import type { SensorEvaluator } from './evaluator.ts';
import { LevelMachine } from './level-machine.ts';
import { levelMessage } from './messages.ts';
import { SlotStore, type StateColumn } from './slots.ts';
import type { ThresholdRule } from './types.ts';

/**
 * Four-level thresholds on the reading itself.
 *
 * Late readings (older than the newest one already evaluated for that sensor) are ignored: the
 * state reflects the newest value, and letting an old value through would raise or clear an
 * alarm the newer value already contradicts. A reading with the same timestamp is evaluated
 * (a correction wins), and a repeated identical reading changes nothing.
 */
export class ThresholdEvaluator extends SlotStore implements SensorEvaluator {
  measured = 0;
  evaluatedAt = 0;
  tracked = false;
  readonly machine: LevelMachine;
  /** Record offset of the newest reading's timestamp. */
  private readonly lastTs: number;

  constructor(
    public rule: ThresholdRule,
    readonly key: string,
    capacity = 1024,
  ) {
    super(capacity);
    this.machine = new LevelMachine(rule, [-Infinity], this.capacity);
    this.lastTs = this.machine.field;
  }

  protected resize(capacity: number) {
    this.machine.resize(capacity);
  }

  ingest(slot: number, ts: number, value: number): number {
    const machine = this.machine;
    const state = machine.state;
    const at = slot * machine.stride + this.lastTs;
    if (ts < state[at]) return -1;
    state[at] = ts;
    this.measured = value;
    this.evaluatedAt = ts;
    return machine.step(slot, value, ts);
  }

  levelOf(slot: number): number {
    return this.machine.levelOf(slot);
  }

  touch(slot: number): number {
    return this.machine.levelOf(slot);
  }

  describe(subject: string, previous: number, current: number, value: number): string {
    return levelMessage(subject, this.rule.name ?? '监测值', this.rule.unit, this.rule.direction, this.machine, previous, current, value);
  }

  reset(slot: number) {
    this.machine.reset(slot);
  }

  columns(): Record<string, StateColumn> {
    return { state: this.machine.column() };
  }

  rebuild() {}
}
