import type { Database } from '@anlan/db';
import type { Clock } from '@anlan/core';
import type { Logger } from 'pino';
import type { EventBus } from './events/bus.ts';

/** What the services share; each service takes only the parts it uses. */
export interface AppContext {
  db: Database;
  clock: Clock;
  bus: EventBus;
  log: Logger;
  version: string;
}
