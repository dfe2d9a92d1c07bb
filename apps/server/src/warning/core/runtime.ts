/**
 * What the warning core runs in the background of a server: the CAP feed poller and the expiry
 * sweep. Started by startAnlan after the server listens, closed before the database.
 */
import type { Logger } from 'pino';
import { SYSTEM_ACTOR } from '../../caller.ts';
import { WarningFeedPoller, type CapFeed } from './feed-poller.ts';
import { sweepExpired, type WarningDeps } from './service.ts';

/** How often issued warnings are checked for expiry: a warning is shown as expired within this. */
export const SWEEP_SECONDS = 30;

export class WarningCore {
  readonly feeds: WarningFeedPoller;
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(private readonly deps: WarningDeps, private readonly log: Logger, feeds: CapFeed[]) {
    this.feeds = new WarningFeedPoller(deps, log, feeds);
  }

  async start(): Promise<void> {
    this.sweep();
    this.timer = setInterval(() => this.sweep(), SWEEP_SECONDS * 1000);
    this.timer.unref();
    await this.feeds.start();
  }

  /** One sweep at a time: a slow one is not overlapped by the next tick. */
  private sweep(): void {
    if (this.sweeping) return;
    this.sweeping = sweepExpired(this.deps, SYSTEM_ACTOR)
      .then((n) => {
        if (n > 0) this.log.info({ expired: n }, 'warnings expired');
      })
      .catch((err: unknown) => this.log.error({ err }, 'warning expiry sweep failed'))
      .finally(() => {
        this.sweeping = null;
      });
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.feeds.close();
    await this.sweeping;
  }
}
