// Shared by the *.test.ts files: small builders so that each test states only its rules and readings.
import { createEngine, type Engine } from './engine.ts';
import { createRuleSet } from './rule-set.ts';
import type { AlarmTransition } from './types.ts';

/** 2025-07-01T00:00:00Z: a round epoch so that bucket boundaries fall on whole minutes and hours. */
export const T0 = Date.UTC(2025, 6, 1);
export const at = (sec: number) => T0 + sec * 1000;

export interface SensorMeta {
  type?: string;
  point?: string;
  area?: string;
}

/** An engine over `rules`; sensor metadata from `meta`, the type defaulting to the id's prefix before '-'. */
export function engineWith(rules: unknown[], meta: Record<string, SensorMeta> = {}): Engine {
  return createEngine(createRuleSet(rules), {
    sensorType: (s) => meta[s]?.type ?? s.split('-')[0],
    pointOf: (s) => meta[s]?.point,
    areaOf: (s) => meta[s]?.area,
  });
}

/** Feeds [sensor, seconds after T0, value] triples and returns every transition, in order. */
export function feed(engine: Engine, readings: [string, number, number][]): AlarmTransition[] {
  return readings.flatMap(([sensor, sec, value]) => [...engine.ingest({ sensor, ts: at(sec), value })]);
}

/** Compact form for assertions: "raised:yellow", "level_changed:red<orange", "cleared<blue". */
export function summary(transitions: readonly AlarmTransition[]): string[] {
  return transitions.map((t) =>
    t.kind === 'raised' ? `raised:${t.level}` : t.kind === 'cleared' ? `cleared<${t.previousLevel}` : `level_changed:${t.level}<${t.previousLevel}`,
  );
}

/** Deterministic pseudo-random numbers (mulberry32) so that fuzz cases can be pinned by seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
