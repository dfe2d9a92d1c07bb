import type { RegionScope, Role } from '@anlan/core';

/** Who is making a request: a logged-in person or an API token (device, integration). */
export type Caller =
  | { kind: 'user'; id: number; name: string; role: Role; scope: RegionScope; ip: string; csrfToken: string; sessionHash: string }
  | { kind: 'token'; id: number; name: string; scope: RegionScope; ip: string };

/** The actor recorded in the audit log: a caller, or the system itself (start-up, CLI). */
export interface Actor {
  id: number | null;
  name: string;
  ip: string | null;
}

export function actorOf(caller: Caller): Actor {
  return { id: caller.kind === 'user' ? caller.id : null, name: caller.kind === 'token' ? `token:${caller.name}` : caller.name, ip: caller.ip };
}

export const SYSTEM_ACTOR: Actor = { id: null, name: 'system', ip: null };
