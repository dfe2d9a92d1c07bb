import { nextCapacity, resized } from './slots.ts';

/** Interned strings (point and area ids): sensors store a 4-byte index instead of a pointer each. */
class Names {
  private readonly names: string[] = [];
  private readonly index = new Map<string, number>();

  intern(name: string | undefined): number {
    if (name === undefined) return -1;
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(name);
      this.index.set(name, i);
    }
    return i;
  }

  get(i: number): string | undefined {
    return i >= 0 ? this.names[i] : undefined;
  }
}

/**
 * The sensors the engine has seen: id ↔ handle (a dense index used by every other array), and
 * the point and area each belongs to.
 */
export class SensorTable {
  private readonly index = new Map<string, number>();
  readonly ids: string[] = [];
  private readonly points = new Names();
  private readonly areas = new Names();
  capacity = 1024;
  private pointOf = new Int32Array(this.capacity);
  private areaOf = new Int32Array(this.capacity);

  get count(): number {
    return this.ids.length;
  }

  handle(id: string): number | undefined {
    return this.index.get(id);
  }

  /** Adds a sensor; returns its handle. */
  add(id: string): number {
    const handle = this.ids.length;
    if (handle === this.capacity) {
      this.capacity = nextCapacity(this.capacity);
      this.pointOf = resized(this.pointOf, this.capacity);
      this.areaOf = resized(this.areaOf, this.capacity);
    }
    this.ids.push(id);
    this.index.set(id, handle);
    return handle;
  }

  setPlace(handle: number, point: string | undefined, area: string | undefined) {
    this.pointOf[handle] = this.points.intern(point);
    this.areaOf[handle] = this.areas.intern(area);
  }

  point(handle: number): string | undefined {
    return this.points.get(this.pointOf[handle]);
  }

  area(handle: number): string | undefined {
    return this.areas.get(this.areaOf[handle]);
  }

  compact() {
    this.capacity = Math.max(4, this.ids.length);
    this.pointOf = resized(this.pointOf, this.capacity);
    this.areaOf = resized(this.areaOf, this.capacity);
  }

  get arrayBytes(): number {
    return this.pointOf.byteLength + this.areaOf.byteLength;
  }
}
