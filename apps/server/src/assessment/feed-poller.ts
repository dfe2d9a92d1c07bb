/**
 * Earthquake report feeds polled on a timer: a URL that answers with a CAP message, a GeoJSON
 * FeatureCollection (the USGS and EMSC format), our JSON, or a CENC quick-report text. What is
 * new is received exactly like a POST from a national integration; what was seen before is
 * answered as a duplicate and stored once. A feed that fails is logged and tried again next time.
 */
import { NATIONAL_SCOPE } from '@anlan/core';
import type { Logger } from 'pino';
import { receiveEarthquakeReports } from './reports.ts';
import type { AssessmentDeps } from './service.ts';

export interface QuakeFeed {
  url: string;
  intervalSeconds: number;
}

export interface FeedStatus {
  url: string;
  intervalSeconds: number;
  lastPolledAt: string | null;
  lastOk: boolean | null;
  lastError: string | null;
  /** Reports new at the last poll (not counting duplicates). */
  lastNew: number;
  lastRejected: number;
  totalNew: number;
}

const FETCH_TIMEOUT_MS = 15_000;
/** Feed bodies beyond this are refused: a feed of recent earthquakes is a few hundred KiB. */
const MAX_FEED_BYTES = 8 * 1024 * 1024;

/** Parses ANLAN_QUAKE_FEEDS: `url[@seconds]` separated by commas or spaces. */
export function parseFeedList(text: string | undefined, defaultSeconds = 60): QuakeFeed[] {
  if (!text?.trim()) return [];
  return text.split(/[\s,]+/).filter(Boolean).map((item) => {
    const m = /^(.*?)(?:@(\d+))?$/.exec(item)!;
    const url = new URL(m[1]);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`quake feed ${item}: only http and https URLs are polled`);
    const seconds = m[2] ? Number(m[2]) : defaultSeconds;
    if (seconds < 5) throw new Error(`quake feed ${item}: poll at most every 5 seconds`);
    return { url: url.toString(), intervalSeconds: seconds };
  });
}

export class QuakeFeedPoller {
  private timers: NodeJS.Timeout[] = [];
  private inFlight = new Set<Promise<void>>();
  private readonly status: FeedStatus[];
  private closed = false;

  constructor(private readonly deps: AssessmentDeps, private readonly log: Logger, feeds: QuakeFeed[]) {
    this.status = feeds.map((f) => ({ ...f, lastPolledAt: null, lastOk: null, lastError: null, lastNew: 0, lastRejected: 0, totalNew: 0 }));
  }

  start(): void {
    for (const s of this.status) {
      const tick = () => this.track(this.poll(s));
      tick();
      const timer = setInterval(tick, s.intervalSeconds * 1000);
      timer.unref();
      this.timers.push(timer);
    }
  }

  list(): FeedStatus[] {
    return this.status.map((s) => ({ ...s }));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await Promise.allSettled([...this.inFlight]);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async poll(s: FeedStatus): Promise<void> {
    if (this.closed) return;
    s.lastPolledAt = this.deps.clock.now().toISOString();
    try {
      const res = await fetch(s.url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/cap+xml, application/geo+json, application/json, text/plain' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const length = Number(res.headers.get('content-length') ?? 0);
      if (length > MAX_FEED_BYTES) throw new Error(`feed body of ${length} bytes is over the ${MAX_FEED_BYTES} byte limit`);
      const body = await res.text();
      if (body.length > MAX_FEED_BYTES) throw new Error(`feed body is over the ${MAX_FEED_BYTES} byte limit`);
      if (this.closed) return;
      const host = new URL(s.url).host;
      const result = await receiveEarthquakeReports(this.deps, { actor: { id: null, name: `feed:${host}`, ip: null }, scope: NATIONAL_SCOPE }, body, res.headers.get('content-type') ?? '');
      const fresh = result.accepted.filter((a) => !a.duplicate);
      s.lastOk = true;
      s.lastError = result.accepted.length === 0 && result.rejected.length > 0 ? result.rejected.slice(0, 3).map((r) => `${r.field}: ${r.message}`).join('; ') : null;
      s.lastNew = fresh.length;
      s.lastRejected = result.rejected.length;
      s.totalNew += fresh.length;
      if (fresh.length > 0) this.log.info({ feed: s.url, new: fresh.length }, 'earthquake reports received from feed');
      if (result.rejected.length > 0) this.log.warn({ feed: s.url, rejected: result.rejected.slice(0, 5) }, 'earthquake feed items rejected');
    } catch (e) {
      s.lastOk = false;
      s.lastError = e instanceof Error ? e.message : String(e);
      this.log.warn({ feed: s.url, err: s.lastError }, 'earthquake feed poll failed');
    }
  }
}
