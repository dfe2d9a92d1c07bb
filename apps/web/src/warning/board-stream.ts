// The board's live stream (GET /api/v1/warnings/:id/board/stream): a `snapshot` of the counts on
// connect, then `update`s at most once a second. Like the app's event stream (events.ts), it
// reconnects on its own, backing off, and every (re)connect starts with a snapshot, so the page
// only has to reload its rows after a reconnect.
import { ref, type Ref } from 'vue';
import type { LiveState } from '../types';
import { boardApi, type BoardSnapshot, type BoardUpdate } from './board-api';

export interface BoardStreamHandlers {
  snapshot: (s: BoardSnapshot, reconnected: boolean) => void;
  update: (u: BoardUpdate) => void;
}

const FIRST_DELAY_MS = 2_000;
const MAX_DELAY_MS = 30_000;

export class BoardStream {
  readonly state: Ref<LiveState> = ref('stopped');
  private source: EventSource | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private delay = FIRST_DELAY_MS;
  private opened = false;
  private running = false;

  constructor(
    private readonly warningId: number,
    private readonly handlers: BoardStreamHandlers,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.source?.close();
    this.source = null;
    this.state.value = 'stopped';
  }

  private connect(): void {
    this.source?.close();
    this.state.value = this.opened ? 'reconnecting' : 'connecting';
    const es = new EventSource(boardApi.streamUrl(this.warningId), { withCredentials: true });
    this.source = es;
    es.addEventListener('snapshot', (m) => {
      const reconnected = this.opened;
      this.opened = true;
      this.delay = FIRST_DELAY_MS;
      this.state.value = 'open';
      const data = parse<BoardSnapshot>(m);
      if (data) this.handlers.snapshot(data, reconnected);
    });
    es.addEventListener('update', (m) => {
      const data = parse<BoardUpdate>(m);
      if (data) this.handlers.update(data);
    });
    es.onerror = () => {
      if (this.source !== es || !this.running) return;
      this.state.value = this.opened ? 'reconnecting' : 'connecting';
      if (es.readyState !== EventSource.CLOSED) return;
      // The server answered with an error (a restart behind a proxy, a session that ended): retry ourselves.
      es.close();
      this.source = null;
      this.timer = setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(MAX_DELAY_MS, this.delay * 2);
    };
  }
}

function parse<T>(m: Event): T | null {
  try {
    return JSON.parse((m as MessageEvent<string>).data) as T;
  } catch {
    return null;
  }
}
