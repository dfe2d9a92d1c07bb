import { reactive } from 'vue';
import { api, ApiError, setCsrfToken } from './api';
import type { SessionResponse, SystemInfo, User } from './types';

interface SessionState {
  user: User | null;
  system: SystemInfo | null;
  /** true once /auth/me has answered (logged in or not) */
  checked: boolean;
}

export const session = reactive<SessionState>({ user: null, system: null, checked: false });

let probe: Promise<void> | null = null;

/** Ask the server who we are (once per page load, unless forced). */
export function ensureSession(force = false): Promise<void> {
  if (probe && !force) return probe;
  probe = (async () => {
    try {
      const res = await api.get<SessionResponse>('/auth/me', { allow401: true });
      applySession(res);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) clearSession();
      else {
        // server unreachable or erroring: treat as logged out, allow retry
        clearSession();
        probe = null;
      }
    } finally {
      session.checked = true;
    }
  })();
  return probe;
}

export function applySession(res: SessionResponse): void {
  session.user = res.user;
  setCsrfToken(res.csrfToken);
  session.checked = true;
  probe = Promise.resolve();
}

export function clearSession(): void {
  session.user = null;
  setCsrfToken(null);
}

let systemProbe: Promise<void> | null = null;
export function loadSystemInfo(): Promise<void> {
  systemProbe ??= api
    .get<SystemInfo>('/system/info', { allow401: true })
    .then((info) => {
      session.system = info;
    })
    .catch(() => {
      systemProbe = null;
    });
  return systemProbe;
}

export async function logout(): Promise<void> {
  try {
    await api.post('/auth/logout', {}, { allow401: true });
  } finally {
    clearSession();
  }
}

export const isAdmin = (): boolean => session.user?.role === 'admin';
