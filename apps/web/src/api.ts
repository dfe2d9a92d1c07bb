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

function withQuery(url: string, query: RequestOptions['query']): string {
  if (!query) return url;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? url + (url.includes('?') ? '&' : '?') + s : url;
}

export async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const url = withQuery(BASE + path, opts.query);
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
    const err = problemError(res.status, res.statusText, payload, res.headers.get('retry-after'));
    if (res.status === 401 && !opts.allow401) unauthorizedHandler?.();
    throw err;
  }
  return payload as T;
}

/** The ApiError of a failed answer (problem+json, or any text). */
function problemError(status: number, statusText: string, payload: unknown, retryAfter: string | null): ApiError {
  const p = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
  const retry = Number(retryAfter);
  return new ApiError({
    status,
    title: typeof p.title === 'string' ? p.title : statusText,
    detail: typeof p.detail === 'string' ? p.detail : typeof payload === 'string' ? payload.slice(0, 200) : '',
    type: typeof p.type === 'string' ? p.type : undefined,
    errors: Array.isArray(p.errors) ? (p.errors as FieldError[]) : [],
    retryAfter: Number.isFinite(retry) && retry > 0 ? retry : null,
  });
}

export interface UploadOptions {
  contentType: string;
  query?: RequestOptions['query'];
  /** bytes sent so far, of `total` */
  onProgress?: (loaded: number, total: number) => void;
  /** called once the whole body is sent and the server is working on it */
  onSent?: () => void;
  signal?: AbortSignal;
}

/**
 * POSTs a file as the raw request body. XMLHttpRequest rather than fetch: fetch reports no upload
 * progress, and a city inventory can be hundreds of megabytes. Same errors and 401 policy as request().
 */
export function upload<T>(path: string, file: Blob, opts: UploadOptions): Promise<T> {
  const url = withQuery(BASE + path, opts.query);
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json, application/problem+json');
    xhr.setRequestHeader('content-type', opts.contentType);
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (e) => opts.onProgress?.(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.upload.onload = () => opts.onSent?.();
    xhr.onerror = () => reject(new ApiError({ status: 0, title: 'Network error' }));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled', 'AbortError'));
    xhr.onload = () => {
      const type = xhr.getResponseHeader('content-type') ?? '';
      let payload: unknown = xhr.responseText;
      if (type.includes('json')) {
        try {
          payload = JSON.parse(xhr.responseText);
        } catch {
          payload = null;
        }
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve((xhr.status === 204 ? undefined : payload) as T);
        return;
      }
      if (xhr.status === 401) unauthorizedHandler?.();
      reject(problemError(xhr.status, xhr.statusText, payload, xhr.getResponseHeader('retry-after')));
    };
    if (opts.signal) {
      if (opts.signal.aborted) {
        reject(new DOMException('The upload was cancelled', 'AbortError'));
        return;
      }
      opts.signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    xhr.send(file);
  });
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, undefined, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, body ?? {}, opts),
  patch: <T>(path: string, body: unknown, opts?: RequestOptions) => request<T>('PATCH', path, body, opts),
  put: <T>(path: string, body: unknown, opts?: RequestOptions) => request<T>('PUT', path, body, opts),
  del: <T = void>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, undefined, opts),
};
