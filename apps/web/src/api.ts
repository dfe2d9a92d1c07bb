// The one way the web app talks to the server: a small fetch wrapper.
// - same-origin cookies (HttpOnly session), x-csrf-token on every non-GET request
// - problem+json errors become ApiError { status, title, detail, errors[] }
// - a 401 on anything but the login/session probe sends the user to /login

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly type: string;
  readonly errors: FieldError[];
  /** seconds from a Retry-After header (429), when present */
  readonly retryAfter: number | null;

  constructor(init: {
    status: number;
    title?: string;
    detail?: string;
    type?: string;
    errors?: FieldError[];
    retryAfter?: number | null;
  }) {
    super(init.detail || init.title || `HTTP ${init.status}`);
    this.name = 'ApiError';
    this.status = init.status;
    this.title = init.title ?? '';
    this.detail = init.detail ?? '';
    this.type = init.type ?? 'about:blank';
    this.errors = init.errors ?? [];
    this.retryAfter = init.retryAfter ?? null;
  }

  /** Field errors keyed by field name (last path segment, e.g. "/body/regionCode" → "regionCode"). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.errors) {
      const key = normalizeField(e.field);
      out[key] = out[key] ? `${out[key]}；${e.message}` : e.message;
    }
    return out;
  }
}

/** status 0: the request never reached the server (offline, DNS, aborted). */
export function isNetworkError(e: unknown): boolean {
  return e instanceof ApiError && e.status === 0;
}

function normalizeField(field: string): string {
  const parts = String(field ?? '').split(/[/.[\]]+/).filter(Boolean);
  return parts.length ? parts[parts.length - 1]! : '';
}

let csrfToken = '';
let unauthorizedHandler: (() => void) | null = null;

export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? '';
}

export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

export interface RequestOptions {
  /** do not redirect to /login on 401 (login form, session probe) */
  allow401?: boolean;
  signal?: AbortSignal;
  query?: Record<string, string | number | boolean | null | undefined>;
}

const BASE = '/api/v1';

export async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  let url = BASE + path;
  if (opts.query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
    const s = qs.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;

  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e;
    throw new ApiError({ status: 0, title: 'Network error', detail: (e as Error)?.message ?? '' });
  }

  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  const isJson = type.includes('json');
  const payload: unknown = isJson ? await res.json().catch(() => null) : await res.text().catch(() => '');

  if (!res.ok) {
    const p = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
    const retry = Number(res.headers.get('retry-after'));
    const err = new ApiError({
      status: res.status,
      title: typeof p.title === 'string' ? p.title : res.statusText,
      detail: typeof p.detail === 'string' ? p.detail : typeof payload === 'string' ? payload.slice(0, 200) : '',
      type: typeof p.type === 'string' ? p.type : undefined,
      errors: Array.isArray(p.errors) ? (p.errors as FieldError[]) : [],
      retryAfter: Number.isFinite(retry) && retry > 0 ? retry : null,
    });
    if (res.status === 401 && !opts.allow401) unauthorizedHandler?.();
    throw err;
  }
  return payload as T;
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, undefined, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, body ?? {}, opts),
  patch: <T>(path: string, body: unknown, opts?: RequestOptions) => request<T>('PATCH', path, body, opts),
  del: <T = void>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, undefined, opts),
};
