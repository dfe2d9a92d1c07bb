import { Records, type StateColumn } from './slots.ts';
import { LEVELS, type LeveledSpec } from './types.ts';

/**
 * The four-level state of threshold, accumulation and rate rules, for many slots at once.
 *
 * Values are multiplied by `sign` (-1 for "below") so that one comparison order serves both
 * directions. Entering a level uses its threshold and, with `minDurationSec`, needs the value to
 * have stayed beyond it that long; leaving a level needs the value back past threshold minus
 * hysteresis, and happens at once. `step` returns the previous level code when the level changed
 * and -1 otherwise, so the common no-change path allocates nothing.
 *
 * A slot's record is [level code, since × 4 (only with minDurationSec), ...the evaluator's own
 * fields from `field`]: one record, so one cache line, per reading.
 */
export class LevelMachine {
  readonly sign: number;
  /** Index = level code (1..4); +Infinity where the level is not defined. */
  readonly enter = new Float64Array(5);
  /** enter − hysteresis; +Infinity where undefined; exit[0] = −Infinity so "no alarm" is never left. */
  readonly exit = new Float64Array(5);
  /** Lowest enter threshold strictly above each code: one comparison decides "maybe up". */
  readonly upMin = new Float64Array(5);
  readonly minDurationMs: number;
  readonly timed: boolean;
  readonly records: Records;
  readonly stride: number;
  /** Offset of the evaluator's first own field in a record. */
  readonly field: number;

  /** `fields`: defaults of the evaluator's own per-slot fields. */
  constructor(spec: LeveledSpec, fields: readonly number[], capacity: number) {
    this.sign = spec.direction === 'below' ? -1 : 1;
    this.minDurationMs = spec.minDurationSec * 1000;
    this.timed = this.minDurationMs > 0;
    this.exit[0] = -Infinity;
    this.enter[0] = -Infinity;
    for (let code = 1; code <= 4; code++) {
      const t = spec.levels[LEVELS[code - 1]];
      this.enter[code] = t === undefined ? Infinity : t * this.sign;
      // Rounded to 12 digits so that 10.1 − 0.1 is the 10 a user wrote, not 9.999999999999998.
      this.exit[code] = t === undefined ? Infinity : Number((t * this.sign - spec.hysteresis).toPrecision(12));
    }
    for (let code = 0; code <= 4; code++) {
      let min = Infinity;
      for (let above = code + 1; above <= 4; above++) min = Math.min(min, this.enter[above]);
      this.upMin[code] = min;
    }
    // "since" is NaN while the value is not beyond that level.
    const own = this.timed ? [0, NaN, NaN, NaN, NaN] : [0];
    this.field = own.length;
    this.records = new Records(own.length + fields.length, [...own, ...fields], capacity);
    this.stride = this.records.stride;
  }

  get state(): Float64Array {
    return this.records.array;
  }

  resize(capacity: number) {
    this.records.resize(capacity);
  }

  levelOf(slot: number): number {
    return this.records.array[slot * this.stride];
  }

  step(slot: number, raw: number, ts: number): number {
    const v = raw * this.sign;
    const state = this.records.array;
    const r = slot * this.stride;
    const current = state[r];
    let next = current;
    if (!this.timed) {
      if (v >= this.exit[current] && v < this.upMin[current]) return -1;
      next = 0;
      for (let code = 4; code >= 1; code--) {
        if (v >= (code <= current ? this.exit[code] : this.enter[code])) {
          next = code;
          break;
        }
      }
    } else {
      if (v < this.exit[current]) {
        next = 0;
        for (let code = current - 1; code >= 1; code--) {
          if (v >= this.exit[code]) {
            next = code;
            break;
          }
        }
      }
      // Levels between the new and the old one are reset here too: the value is below their
      // exit, hence below their entry, so a later re-entry waits the full duration again.
      for (let code = next + 1; code <= 4; code++) {
        if (v >= this.enter[code]) {
          if (Number.isNaN(state[r + code])) state[r + code] = ts;
        } else state[r + code] = NaN;
      }
      for (let code = 4; code > next; code--) {
        if (v >= this.enter[code] && ts - state[r + code] >= this.minDurationMs) {
          next = code;
          break;
        }
      }
    }
    if (next === current) return -1;
    state[r] = next;
    return current;
  }

  /** Whether some level is waiting for its minimum duration: only then can time alone change the state. */
  pending(slot: number): boolean {
    if (!this.timed) return false;
    const state = this.records.array;
    const r = slot * this.stride;
    for (let code = state[r] + 1; code <= 4; code++) if (!Number.isNaN(state[r + code])) return true;
    return false;
  }

  reset(slot: number) {
    this.records.clear(slot, slot + 1);
  }

  /** The threshold, in the rule's own units, that was crossed to enter `code`. */
  enterValue(code: number): number {
    return this.enter[code] * this.sign;
  }

  /** The value that had to be passed to leave `code`. */
  exitValue(code: number): number {
    return this.exit[code] * this.sign;
  }

  /** Lowest defined level above `code`: the one whose exit value explains a drop to `code`. */
  lowestAbove(code: number): number {
    for (let c = code + 1; c <= 4; c++) if (Number.isFinite(this.enter[c])) return c;
    return 4;
  }

  column(): StateColumn {
    return { array: this.records.array, stride: this.stride };
  }
}
