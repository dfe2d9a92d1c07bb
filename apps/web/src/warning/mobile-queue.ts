// The mobile page's outbox: in a valley the network comes and goes, so every answer is first
// written to the phone (IndexedDB; localStorage where there is none) with its clientKey, then
// sent; what could not be sent is sent again when the network returns ('online'), when the page
// opens, and every 30 seconds. The server stores a (recipient, clientKey) once, so an answer sent
// twice — the first reply lost on the way back — still counts once.
import { ref } from 'vue';
import { ApiError } from '../api';
import { mobileApi, type AnswerBody, type AnswerResult, type AnswerTarget } from './mobile-api';

export interface QueuedAnswer {
  clientKey: string;
  target: AnswerTarget;
  body: AnswerBody;
  photo?: Blob;
  /** What the list shows: the warning's headline. */
  label: string;
  queuedAt: string;
  attempts: number;
  /** The server refused it (an expired link, a bad count): shown, not retried. */
  failed?: string;
}

export type SubmitOutcome = { state: 'sent'; result: AnswerResult } | { state: 'queued' } | { state: 'failed'; error: ApiError };

const DB_NAME = 'anlan-mobile';
const STORE = 'answers';
const FALLBACK_KEY = 'anlan.mobile.answers';
const RETRY_MS = 30_000;

/** A client key the server accepts ([A-Za-z0-9_-]{8,64}), unique per answer. */
export function newClientKey(): string {
  const uuid = typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  return `m-${uuid}`.slice(0, 64);
}

/** Worth trying again later: no network, the server busy or restarting. */
export function isRetriable(e: unknown): boolean {
  if (!(e instanceof ApiError)) return true;
  return e.status === 0 || e.status === 408 || e.status === 429 || e.status >= 500;
}

interface Store {
  all(): Promise<QueuedAnswer[]>;
  put(a: QueuedAnswer): Promise<void>;
  remove(clientKey: string): Promise<void>;
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

async function indexedDbStore(): Promise<Store> {
  const open = indexedDB.open(DB_NAME, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: 'clientKey' });
  const db = await request(open);
  const tx = (mode: IDBTransactionMode) => db.transaction(STORE, mode).objectStore(STORE);
  return {
    all: async () => ((await request(tx('readonly').getAll())) as QueuedAnswer[]).sort((a, b) => a.queuedAt.localeCompare(b.queuedAt)),
    put: async (a) => void (await request(tx('readwrite').put(a))),
    remove: async (key) => void (await request(tx('readwrite').delete(key))),
  };
}

/** Without IndexedDB (some in-app browsers) answers still survive a reload; photos do not. */
function localStorageStore(): Store {
  const read = (): QueuedAnswer[] => {
    try {
      return JSON.parse(localStorage.getItem(FALLBACK_KEY) ?? '[]') as QueuedAnswer[];
    } catch {
      return [];
    }
  };
  const write = (list: QueuedAnswer[]) => localStorage.setItem(FALLBACK_KEY, JSON.stringify(list.map(({ photo: _photo, ...rest }) => rest)));
  return {
    all: async () => read(),
    put: async (a) => write([...read().filter((x) => x.clientKey !== a.clientKey), a]),
    remove: async (key) => write(read().filter((x) => x.clientKey !== key)),
  };
}

/** Memory only, when the browser forbids both (private mode): the page still works while open. */
function memoryStore(): Store {
  const list = new Map<string, QueuedAnswer>();
  return {
    all: async () => [...list.values()],
    put: async (a) => void list.set(a.clientKey, a),
    remove: async (key) => void list.delete(key),
  };
}

async function openStore(): Promise<Store> {
  try {
    if (typeof indexedDB !== 'undefined') return await indexedDbStore();
  } catch {
    // fall through
  }
  try {
    localStorage.setItem(`${FALLBACK_KEY}.probe`, '1');
    localStorage.removeItem(`${FALLBACK_KEY}.probe`);
    return localStorageStore();
  } catch {
    return memoryStore();
  }
}

function send(a: QueuedAnswer): Promise<AnswerResult> {
  return a.photo ? mobileApi.answerWithPhoto(a.target, a.body, a.photo) : mobileApi.answer(a.target, a.body);
}

class AnswerQueue {
  /** Answers on the phone not yet accepted by the server (including refused ones, until discarded). */
  readonly items = ref<QueuedAnswer[]>([]);
  readonly flushing = ref(false);
  private store: Promise<Store> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly sentListeners = new Set<(a: QueuedAnswer, r: AnswerResult) => void>();

  private db(): Promise<Store> {
    this.store ??= openStore();
    return this.store;
  }

  /** Loads what an earlier visit left and starts retrying; returns the function that stops it. */
  start(onSent: (a: QueuedAnswer, r: AnswerResult) => void): () => void {
    this.sentListeners.add(onSent);
    const online = () => void this.flush();
    window.addEventListener('online', online);
    this.timer ??= setInterval(() => void this.flush(), RETRY_MS);
    void this.flush();
    return () => {
      this.sentListeners.delete(onSent);
      window.removeEventListener('online', online);
      if (this.sentListeners.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  /** Keeps the answer on the phone, then tries to send it at once. */
  async submit(target: AnswerTarget, body: Omit<AnswerBody, 'clientKey' | 'answeredAt'>, label: string, photo?: Blob): Promise<SubmitOutcome> {
    const entry: QueuedAnswer = {
      clientKey: newClientKey(),
      target,
      body: { ...body, clientKey: '', answeredAt: new Date().toISOString() },
      photo,
      label,
      queuedAt: new Date().toISOString(),
      attempts: 0,
    };
    entry.body.clientKey = entry.clientKey;
    const store = await this.db();
    await store.put(entry);
    await this.refresh();
    const outcome = await this.attempt(entry);
    // Refused at once: the form shows why and keeps what was typed; nothing to keep on the phone.
    if (outcome.state === 'failed') await this.discard(entry.clientKey);
    return outcome;
  }

  /** Sends everything waiting, oldest first; stops at the first sign the network is still down. */
  async flush(): Promise<void> {
    if (this.flushing.value) return;
    this.flushing.value = true;
    try {
      const store = await this.db();
      for (const entry of await store.all()) {
        if (entry.failed) continue;
        const outcome = await this.attempt(entry);
        if (outcome.state === 'queued') break;
      }
    } finally {
      this.flushing.value = false;
      await this.refresh();
    }
  }

  async discard(clientKey: string): Promise<void> {
    await (await this.db()).remove(clientKey);
    await this.refresh();
  }

  private async attempt(entry: QueuedAnswer): Promise<SubmitOutcome> {
    const store = await this.db();
    try {
      const result = await send(entry);
      await store.remove(entry.clientKey);
      await this.refresh();
      for (const listener of this.sentListeners) listener(entry, result);
      return { state: 'sent', result };
    } catch (e) {
      entry.attempts += 1;
      if (isRetriable(e)) {
        await store.put(entry);
        await this.refresh();
        return { state: 'queued' };
      }
      const error = e instanceof ApiError ? e : new ApiError({ status: 400, detail: String(e) });
      entry.failed = error.errors.map((x) => `${x.field}: ${x.message}`).join('；') || error.detail || error.title;
      await store.put(entry);
      await this.refresh();
      return { state: 'failed', error };
    }
  }

  private async refresh(): Promise<void> {
    this.items.value = await (await this.db()).all();
  }
}

/** One outbox per page load, shared by the link page and the logged-in page. */
export const answerQueue = new AnswerQueue();
