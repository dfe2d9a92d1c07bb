/**
 * The readings' write-ahead log: an accepted batch is appended here and fdatasync'ed before the
 * device gets its answer; the database is written behind it, in large statements. One fsync
 * covers every batch that arrived while the previous one ran (group commit), which is what lets a
 * 2-core machine acknowledge 100,000 readings a second durably.
 *
 * Segments `wal-<seq>.log` of up to SEGMENT_BYTES; a frame is
 *   u32 payload length | u32 crc32(kind + payload) | u8 kind | payload
 * A frame whose length runs past the end of the file or whose checksum fails ends the log: it was
 * being written when the process died, and its batch was never acknowledged.
 *
 * A position is `segment * 2^32 + offset` (a plain number: segments stay far below 2^21).
 */
import { mkdirSync, readdirSync, openSync, closeSync, fsyncSync, unlinkSync, readFileSync, writeSync, ftruncateSync, renameSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

export const SEGMENT_BYTES = 64 * 1024 * 1024;
const HEADER = 9;
const SEGMENT_SPAN = 2 ** 32;

export function position(segment: number, offset: number): number {
  return segment * SEGMENT_SPAN + offset;
}

function segmentOf(pos: number): number {
  return Math.floor(pos / SEGMENT_SPAN);
}

function fileName(segment: number): string {
  return `wal-${String(segment).padStart(12, '0')}.log`;
}

function listSegments(dir: string): number[] {
  return readdirSync(dir)
    .map((f) => /^wal-(\d{12})\.log$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function encodeFrame(kind: number, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(HEADER + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame[8] = kind;
  frame.set(payload, HEADER);
  frame.writeUInt32LE(crc32(frame.subarray(8)), 4);
  return frame;
}

export interface Frame {
  kind: number;
  payload: Buffer;
  /** Position just after the frame. */
  end: number;
}

/**
 * Reads every complete frame after `from`, in order. A torn tail is cut off the last segment so
 * that new frames never follow garbage.
 */
export function readFrames(dir: string, from: number): Frame[] {
  mkdirSync(dir, { recursive: true });
  const out: Frame[] = [];
  const segments = listSegments(dir);
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (seg < segmentOf(from)) continue;
    const buf = readFileSync(join(dir, fileName(seg)));
    let off = seg === segmentOf(from) ? from - position(seg, 0) : 0;
    while (off + HEADER <= buf.length) {
      const len = buf.readUInt32LE(off);
      if (off + HEADER + len > buf.length || crc32(buf.subarray(off + 8, off + HEADER + len)) !== buf.readUInt32LE(off + 4)) break;
      out.push({ kind: buf[off + 8], payload: buf.subarray(off + HEADER, off + HEADER + len), end: position(seg, off + HEADER + len) });
      off += HEADER + len;
    }
    if (off < buf.length && i === segments.length - 1) {
      const fd = openSync(join(dir, fileName(seg)), 'r+');
      try {
        ftruncateSync(fd, off);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }
  return out;
}

interface Pending {
  frame: Buffer;
  resolve: (end: number) => void;
  reject: (err: Error) => void;
}

export class WalWriter {
  private fh: FileHandle | null = null;
  private segment = 0;
  private offset = 0;
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;
  private failed: Error | null = null;
  private closed = false;

  private constructor(readonly dir: string) {}

  /** Opens the log for appending after its last complete frame (call readFrames first: it cuts a torn tail). */
  static async open(dir: string): Promise<WalWriter> {
    mkdirSync(dir, { recursive: true });
    const w = new WalWriter(dir);
    const segments = listSegments(dir);
    w.segment = segments.length ? segments[segments.length - 1] : 1;
    w.fh = await open(join(dir, fileName(w.segment)), 'a');
    w.offset = (await w.fh.stat()).size;
    syncDir(dir);
    return w;
  }

  /** The position after the last frame appended (durable or not). */
  get end(): number {
    return position(this.segment, this.offset);
  }

  /** Resolves with the position after the frame once the frame is on disk. */
  append(kind: number, payload: Uint8Array): Promise<number> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new Error('the readings log is closed'));
    const frame = encodeFrame(kind, payload);
    return new Promise((resolve, reject) => {
      this.queue.push({ frame, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    // A frame appended by a continuation of the last group's promises arrives after drain() has
    // seen an empty queue but before `running` is cleared: look again once it is.
    this.running ??= this.drain().finally(() => {
      this.running = null;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0);
      try {
        if (this.offset >= SEGMENT_BYTES) await this.rotate();
        const ends: number[] = [];
        let off = this.offset;
        for (const p of group) {
          off += p.frame.length;
          ends.push(position(this.segment, off));
        }
        await this.fh!.writev(group.map((p) => p.frame));
        await this.fh!.datasync();
        this.offset = off;
        group.forEach((p, i) => p.resolve(ends[i]));
      } catch (err) {
        // After a failed write the file's tail is unknown: refuse everything from now on rather
        // than acknowledge readings that may sit behind a torn frame.
        this.failed = err instanceof Error ? err : new Error(String(err));
        for (const p of [...group, ...this.queue.splice(0)]) p.reject(this.failed);
      }
    }
  }

  private async rotate(): Promise<void> {
    await this.fh!.close();
    this.segment += 1;
    this.offset = 0;
    this.fh = await open(join(this.dir, fileName(this.segment)), 'a');
    syncDir(this.dir);
  }

  /** Deletes the segments that end at or before `pos` (their frames are in the database). */
  release(pos: number): void {
    const keepFrom = segmentOf(pos);
    for (const seg of listSegments(this.dir)) if (seg < keepFrom && seg !== this.segment) unlinkSync(join(this.dir, fileName(seg)));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.running;
    await this.fh?.close();
    this.fh = null;
  }
}

/** Writes a small file atomically (temp, fsync, rename, fsync dir). */
export function writeFileDurably(dir: string, name: string, data: Uint8Array): void {
  const tmp = join(dir, `${name}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, name));
  syncDir(dir);
}
