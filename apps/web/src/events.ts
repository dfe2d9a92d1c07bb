// Live events from the server (GET /api/v1/events, text/event-stream), already limited by the
// server to the user's region scope. Each `data:` line is a BusEvent { type, regionCode, at, data }.
//
// The browser's EventSource retries by itself after a dropped connection, but gives up for good
// when the server answers with an error (a restart behind a proxy, 502, 401): then we reconnect
// ourselves, backing off. Events sent while disconnected are not replayed, so whoever listens is
// told on every reconnect (onReconnect) to reload what those events would have changed.
import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';
import { api, ApiError } from './api';
import type { BusEvent, LiveEventHandlers, LiveEventMap, LiveState } from './types';


export interface EventStreamOptions {
  /** After a reconnect (not the first connect): reload what missed events would have changed. */
  onReconnect?: () => void;
}

const EVENTS_URL = '/api/v1/events';
const FIRST_DELAY_MS = 2_000;
const MAX_DELAY_MS = 30_000;

export class EventStream {
  readonly state: Ref<LiveState> = ref('stopped');
  private source: EventSource | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private delay = FIRST_DELAY_MS;
  private opened = false;
  private running = false;
  private readonly onOnline = () => {
    if (this.running && this.state.value !== 'open') this.connect();
  };

  constructor(
    private readonly handlers: LiveEventHandlers,
    private readonly opts: EventStreamOptions = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    window.addEventListener('online', this.onOnline);
    this.connect();
  }

  stop(): void {
    this.running = false;
    window.removeEventListener('online', this.onOnline);
    this.clearTimer();
    this.source?.close();
    this.source = null;
    this.state.value = 'stopped';
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private connect(): void {
    this.clearTimer();
    this.source?.close();
    this.state.value = this.opened ? 'reconnecting' : 'connecting';
    const es = new EventSource(EVENTS_URL, { withCredentials: true });
    this.source = es;
    es.onopen = () => {
      if (this.source !== es) return;
      this.delay = FIRST_DELAY_MS;
      this.state.value = 'open';
      if (this.opened) this.opts.onReconnect?.();
      this.opened = true;
    };
    es.onerror = () => {
      if (this.source !== es || !this.running) return;
      this.state.value = this.opened ? 'reconnecting' : 'connecting';
      // CONNECTING: the browser retries on its own (the server asks for 3 s).
      if (es.readyState !== EventSource.CLOSED) return;
      es.close();
      this.source = null;
      void this.retryLater();
    };
    for (const type of Object.keys(this.handlers) as (keyof LiveEventMap)[]) {
      const handle = this.handlers[type] as ((event: BusEvent<unknown>) => void) | undefined;
      if (!handle) continue;
      es.addEventListener(type, (m) => {
        let event: BusEvent<unknown>;
        try {
          event = JSON.parse((m as MessageEvent<string>).data) as BusEvent<unknown>;
        } catch {
          return;
        }
        handle(event);
      });
    }
  }

  private async retryLater(): Promise<void> {
    // A closed stream may mean the session ended: ask once, so the app's 401 policy (back to
    // the login page) applies instead of retrying forever.
    try {
      await api.get('/auth/me');
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        this.stop();
        return;
      }
    }
    if (!this.running) return;
    this.timer = setTimeout(() => this.connect(), this.delay);
    this.delay = Math.min(MAX_DELAY_MS, this.delay * 2);
  }
}

/** The event stream for the lifetime of the calling component; returns its connection state. */
export function useEventStream(handlers: LiveEventHandlers, opts: EventStreamOptions = {}): Ref<LiveState> {
  const stream = new EventStream(handlers, opts);
  onMounted(() => stream.start());
  onBeforeUnmount(() => stream.stop());
  return stream.state;
}
