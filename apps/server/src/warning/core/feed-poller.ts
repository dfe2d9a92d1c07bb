/**
 * CAP feeds polled on a timer (the shape of assessment/feed-poller.ts): a URL that answers with
 * one CAP alert, or with an Atom or RSS index whose entries link to CAP alerts (how most warning
 * systems publish). Each new alert is imported once, as if POSTed by an integration of national
 * scope; what was taken before (by identifier, or by the entry's link) is not fetched or imported
 * again, refused messages included. A feed that fails is logged and tried again at the next poll.
 *
 * Feeds come from ANLAN_CAP_FEEDS (`url[@seconds]`, comma or space separated) and from the system
 * setting `warning.cap_feeds` (PUT /api/v1/warnings/settings), both.
 */
import { createHash } from 'node:crypto';
import { AppError, NATIONAL_SCOPE } from '@anlan/core';
import { parseCap } from '@anlan/cap';
import type { Logger } from 'pino';
import { readSetting } from '../../system/settings.ts';
import { importCap } from './import.ts';
import type { WarningCaller, WarningDeps } from './service.ts';
import * as store from './store.ts';

export const FEEDS_SETTING = 'warning.cap_feeds';
export const DEFAULT_FEED_SECONDS = 60;
export const MIN_FEED_SECONDS = 10;
const FETCH_TIMEOUT_MS = 15_000;
/** A CAP alert or an index of them is a few KiB to a few hundred; refuse what cannot be one. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Entries fetched per index and poll: a first poll of a long archive is spread over several. */
const MAX_ENTRIES_PER_POLL = 50;

export interface CapFeed {
  url: string;
  intervalSeconds: number;
}

export interface CapFeedStatus extends CapFeed {
  /** Where it was configured. */
  origin: 'env' | 'setting';
  lastPolledAt: string | null;
  lastOk: boolean | null;
  lastError: string | null;
  lastImported: number;
  lastRejected: number;
  totalImported: number;
}

/** A feed URL as configured: http(s) only, polled at most every MIN_FEED_SECONDS. */
export function checkFeed(url: string, seconds: number): CapFeed {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`CAP feed "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`CAP feed ${url}: only http and https URLs are polled`);
  if (!Number.isInteger(seconds) || seconds < MIN_FEED_SECONDS) throw new Error(`CAP feed ${url}: poll at most every ${MIN_FEED_SECONDS} seconds`);
  return { url: parsed.toString(), intervalSeconds: seconds };
}

/** Parses ANLAN_CAP_FEEDS: `url[@seconds]` separated by commas or spaces. */
export function parseCapFeedList(text: string | undefined): CapFeed[] {
  if (!text?.trim()) return [];
  return text.split(/[\s,]+/).filter(Boolean).map((item) => {
    const m = /^(.*?)(?:@(\d+))?$/.exec(item)!;
    return checkFeed(m[1], m[2] ? Number(m[2]) : DEFAULT_FEED_SECONDS);
  });
}

/** The links of an Atom or RSS index's entries, absolute; null when the body is not an index. */
export function indexLinks(body: string, base: string): string[] | null {
  const head = body.slice(0, 2000);
  const atom = /<(?:\w+:)?feed[\s>]/.test(head);
  const rss = /<(?:rss|rdf:RDF)[\s>]/.test(head);
  if (!atom && !rss) return null;
  const links: string[] = [];
  const blocks = body.match(atom ? /<(?:\w+:)?entry[\s>][\s\S]*?<\/(?:\w+:)?entry>/g : /<item[\s>][\s\S]*?<\/item>/g) ?? [];
  for (const block of blocks) {
    let href: string | undefined;
    if (atom) {
      const all = [...block.matchAll(/<(?:\w+:)?link\b([^>]*)\/?>/g)].map((m) => m[1]);
      const attr = (a: string, name: string) => new RegExp(`${name}\\s*=\\s*["']([^"']*)["']`).exec(a)?.[1];
      // The CAP document itself when the entry says which link is, else the entry's main link.
      const pick = all.find((a) => /cap|xml/i.test(attr(a, 'type') ?? '')) ?? all.find((a) => (attr(a, 'rel') ?? 'alternate') === 'alternate') ?? all[0];
      href = pick ? attr(pick, 'href') : undefined;
    } else {
      href = /<link>\s*(?:<!\[CDATA\[)?([^<\]]+?)(?:\]\]>)?\s*<\/link>/.exec(block)?.[1] ?? /<enclosure\b[^>]*url\s*=\s*["']([^"']+)["']/.exec(block)?.[1];
    }
    if (!href) continue;
    try {
      links.push(new URL(href.replace(/&amp;/g, '&').trim(), base).toString());
    } catch {
      // An entry whose link is not a URL is skipped; the others are taken.
    }
  }
  return links;
}

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/cap+xml, application/atom+xml, application/rss+xml, application/xml, text/xml' } });
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
  if (Number(res.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) throw new Error(`${url}: body over the ${MAX_BODY_BYTES} byte limit`);
  const body = await res.text();
  if (body.length > MAX_BODY_BYTES) throw new Error(`${url}: body over the ${MAX_BODY_BYTES} byte limit`);
  return body;
}

export class WarningFeedPoller {
  private timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly running = new Map<string, Promise<void>>();
  private status: CapFeedStatus[] = [];
  private closed = false;
  private started = false;

  constructor(
    private readonly deps: WarningDeps,
    private readonly log: Logger,
    private readonly envFeeds: CapFeed[],
  ) {
    this.status = envFeeds.map((f) => this.fresh(f, 'env'));
  }

  private fresh(f: CapFeed, origin: CapFeedStatus['origin']): CapFeedStatus {
    return { ...f, origin, lastPolledAt: null, lastOk: null, lastError: null, lastImported: 0, lastRejected: 0, totalImported: 0 };
  }

  /** Reads the configured feeds (environment and setting) and starts their timers. */
  async start(): Promise<void> {
    this.started = true;
    await this.reload();
  }

  /** Takes the setting again (after it changed) and restarts the timers; counters of kept feeds stay. */
  async reload(): Promise<void> {
    const fromSetting = await readSetting<CapFeed[]>(this.deps.db, FEEDS_SETTING).catch(() => null);
    const configured: CapFeedStatus[] = [...this.envFeeds.map((f) => ({ f, origin: 'env' as const })), ...(Array.isArray(fromSetting) ? fromSetting : []).map((f) => ({ f, origin: 'setting' as const }))]
      .flatMap(({ f, origin }) => {
        try {
          return [this.fresh(checkFeed(f.url, f.intervalSeconds), origin)];
        } catch (e) {
          this.log.warn({ feed: f, err: (e as Error).message }, 'CAP feed ignored');
          return [];
        }
      })
      .filter((s, i, all) => all.findIndex((o) => o.url === s.url) === i);
    this.status = configured.map((s) => {
      const old = this.status.find((o) => o.url === s.url);
      return old ? { ...old, intervalSeconds: s.intervalSeconds, origin: s.origin } : s;
    });
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (!this.started || this.closed) return;
    for (const s of this.status) {
      const tick = () => this.track(this.poll(s));
      tick();
      const timer = setInterval(tick, s.intervalSeconds * 1000);
      timer.unref();
      this.timers.push(timer);
    }
  }

  list(): CapFeedStatus[] {
    return this.status.map((s) => ({ ...s }));
  }

  /** Polls every feed once and waits for it (tests, and `anlan warning` tools). */
  async pollOnce(): Promise<void> {
    await Promise.all(this.status.map((s) => this.poll(s)));
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

  /** A feed is polled by one poll at a time: a tick during a slow poll waits for it instead. */
  private poll(s: CapFeedStatus): Promise<void> {
    const running = this.running.get(s.url);
    if (running) return running;
    const p = this.pollNow(s).finally(() => this.running.delete(s.url));
    this.running.set(s.url, p);
    return p;
  }

  private async pollNow(s: CapFeedStatus): Promise<void> {
    if (this.closed) return;
    s.lastPolledAt = this.deps.clock.now().toISOString();
    const counts = { imported: 0, rejected: 0 };
    try {
      const body = await fetchText(s.url);
      const links = indexLinks(body, s.url);
      if (links === null) await this.take(s.url, s.url, body, counts);
      else {
        let fetched = 0;
        for (const link of links) {
          if (this.closed || fetched >= MAX_ENTRIES_PER_POLL) break;
          if (await store.feedItemSeen(this.deps.db, s.url, link)) continue;
          fetched += 1;
          let xml: string;
          try {
            xml = await fetchText(link);
          } catch (e) {
            // The entry may not be published yet: try again at the next poll.
            this.log.warn({ feed: s.url, entry: link, err: (e as Error).message }, 'CAP feed entry could not be fetched');
            continue;
          }
          await this.take(s.url, link, xml, counts);
        }
      }
      s.lastOk = true;
      s.lastError = null;
    } catch (e) {
      s.lastOk = false;
      s.lastError = e instanceof Error ? e.message : String(e);
      this.log.warn({ feed: s.url, err: s.lastError }, 'CAP feed poll failed');
    }
    s.lastImported = counts.imported;
    s.lastRejected = counts.rejected;
    s.totalImported += counts.imported;
    if (counts.imported > 0) this.log.info({ feed: s.url, imported: counts.imported }, 'warnings imported from CAP feed');
  }

  /** Imports one message of a feed unless its item (identifier, or entry link) was taken before. */
  private async take(feed: string, link: string, xml: string, counts: { imported: number; rejected: number }): Promise<void> {
    const { alert } = parseCap(xml);
    // The item is what identifies the message: its identifier, else (unreadable) the link, else the bytes.
    const item = link !== feed ? link : alert ? `${alert.sender},${alert.identifier}` : `sha256:${createHash('sha256').update(xml).digest('hex')}`;
    if (await store.feedItemSeen(this.deps.db, feed, item)) return;
    const host = new URL(feed).host;
    const who: WarningCaller = { actor: { id: null, name: `feed:${host}`, ip: null }, scope: NATIONAL_SCOPE, role: null };
    const at = this.deps.clock.now();
    try {
      const result = await importCap(this.deps, who, xml, link);
      await store.recordFeedItem(this.deps.db, { feed, item, outcome: result.duplicate ? 'duplicate' : 'imported', warningId: result.warning.id, message: null, at });
      if (!result.duplicate) counts.imported += 1;
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      const message = [e.message, ...(e.errors ?? []).slice(0, 5).map((x) => `${x.field}: ${x.message}`)].join('; ');
      await store.recordFeedItem(this.deps.db, { feed, item, outcome: 'rejected', warningId: null, message, at });
      counts.rejected += 1;
      this.log.warn({ feed, item, err: message }, 'CAP feed message refused');
    }
  }
}
