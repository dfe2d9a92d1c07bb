import type { Column } from './slots.ts';

export const SNAPSHOT_FORMAT = 'anlan.rules.snapshot/1';

/**
 * Engine state as JSON. Per-slot state is saved column by column as base64 of the typed
 * arrays (exact, NaN-safe and about a third of the size of number arrays), in the byte order of
 * the machine that wrote it — little-endian on every platform Node supports in practice.
 * State is matched on restore by rule id, definition and sensor id, never by slot number.
 */
export interface EngineSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  /** Newest tick and newest reading time; null before the first. */
  tickNow: number | null;
  clock: number | null;
  evaluators: {
    id: string;
    key: string;
    /** Sensor id of each slot; null for a slot whose sensor lost the rule. */
    sensors: (string | null)[];
    columns: Record<string, string>;
  }[];
  composites: { id: string; key: string; open: [string, number][] }[];
}

export function encodeColumn(array: Column, length: number): string {
  return Buffer.from(array.buffer, array.byteOffset, length * array.BYTES_PER_ELEMENT).toString('base64');
}

export function decodeColumn<T extends Column>(text: string, like: T): T {
  const bytes = Buffer.from(text, 'base64');
  // Copy to a fresh buffer: Buffer.from may return a view at an offset that is not aligned for
  // 8-byte elements.
  const aligned = new Uint8Array(bytes.length);
  aligned.set(bytes);
  const Ctor = like.constructor as new (buffer: ArrayBuffer) => T;
  if (aligned.length % like.BYTES_PER_ELEMENT !== 0) throw new Error('snapshot column has a truncated element');
  return new Ctor(aligned.buffer);
}
