/**
 * What happens once a warning is issued: roster resolves it to the people who must act, delivery
 * enqueues their messages and starts their 叫应 timers, and the bus hears of it. Resolution and
 * enqueueing run in one transaction, so a crash leaves either both or neither; both are idempotent,
 * so running dispatch again for the same warning (after a restart) adds nothing twice.
 */
import type { Database } from '@anlan/db';
import type { EventBus } from '../events/bus.ts';
import type { DeliveryEnqueuer, IssuedWarning, RecipientResolver, WarningDispatch } from './contracts.ts';

export interface DispatchDeps {
  db: Database;
  bus: EventBus;
  resolver: RecipientResolver;
  enqueuer: DeliveryEnqueuer;
}

export function createWarningDispatch(deps: DispatchDeps): WarningDispatch {
  return {
    async dispatch(warning: IssuedWarning) {
      const started = performance.now();
      const { resolved, enqueued } = await deps.db.transaction(async (tx) => {
        const resolved = await deps.resolver.resolve(tx, warning);
        const { enqueued } = await deps.enqueuer.enqueue(tx, warning);
        return { resolved, enqueued };
      });
      await deps.bus.publish({
        type: 'warning.dispatched',
        regionCode: warning.regionCode,
        at: new Date().toISOString(),
        data: {
          warningId: warning.id,
          threadId: warning.threadId,
          msgType: warning.msgType,
          level: warning.level,
          recipients: resolved.count,
          added: resolved.added,
          enqueued,
          ms: Math.round(performance.now() - started),
        },
      });
      return { recipients: resolved.count, enqueued };
    },
  };
}
