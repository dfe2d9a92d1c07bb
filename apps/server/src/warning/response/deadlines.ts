/**
 * How long a superior called in by escalation has to answer: the same 叫应 deadlines as the
 * first recipients (delivery/deadline.ts — 60 minutes at the call-response step, shorter for red,
 * changed per installation in system_settings), read again at every pass so a changed setting
 * applies without a restart. The superior's clock starts when they are called, not at issue.
 */
import type { Queryable } from '@anlan/db';
import type { DeadlinePolicy } from '../contracts.ts';
import { loadDeadlinePolicy } from '../delivery/deadline.ts';

export async function currentDeadlines(db: Queryable): Promise<DeadlinePolicy> {
  return (await loadDeadlinePolicy(db)).policy;
}
