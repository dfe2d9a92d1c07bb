/**
 * The call-response board (叫应看板) and the evacuation ledger (转移台账) of one warning, as the
 * caller's region sees them.
 */
import { NotFoundError, ValidationError, isWithinScope, type Clock, type RegionScope } from '@anlan/core';
import type { Database } from '@anlan/db';
import * as board from './board-store.ts';
import { exportBoard } from './export.ts';
import { mimeOfPhotoPath, photoAbsolutePath } from './photos.ts';
import { codesToName, rollUpCounts, rollUpEvacuation, type CountGroup, type EvacuationLedger, type StatusCounts } from './rollup.ts';
import type { WarningSummary } from './store.ts';
import { photoOfAnswer } from './store.ts';

export interface BoardDeps {
  db: Database;
  clock: Clock;
  filesDir: string;
}

export async function warningFor(deps: Pick<BoardDeps, 'db'>, scope: RegionScope, id: number): Promise<WarningSummary> {
  const w = await board.visibleWarning(deps.db, scope, id);
  if (!w) throw new NotFoundError('Warning');
  return w;
}

function checkRegionFilter(scope: RegionScope, regionCode: string | undefined): void {
  // A region outside the scope would only ever match nothing; say why instead.
  if (regionCode && !regionCode.startsWith(scope.prefix) && !isWithinScope(scope.code, regionCode)) {
    throw new ValidationError([{ field: 'regionCode', message: `region ${regionCode} is outside your region ${scope.code}` }]);
  }
}

export interface RecipientsPage {
  warning: WarningSummary;
  at: string;
  items: (board.BoardRecipient & { secondsLeft: number | null })[];
  total: number;
  limit: number;
  offset: number;
  counts: StatusCounts;
  groups: CountGroup[];
}

export async function recipients(deps: BoardDeps, scope: RegionScope, warningId: number, filter: board.RecipientFilter): Promise<RecipientsPage> {
  checkRegionFilter(scope, filter.regionCode);
  const warning = await warningFor(deps, scope, warningId);
  const now = deps.clock.now();
  const page = await board.listRecipients(deps.db, scope, warningId, filter);
  const rows = await board.statusCounts(deps.db, scope, warningId);
  const names = await board.regionNames(deps.db, codesToName(rows.map((r) => r.regionCode)));
  const { counts, groups } = rollUpCounts(rows, names);
  return {
    warning,
    at: now.toISOString(),
    items: page.items.map((r) => ({ ...r, secondsLeft: secondsLeft(r, now) })),
    total: page.total,
    limit: filter.limit,
    offset: filter.offset,
    counts,
    groups,
  };
}

/** Time left to answer, while an answer is still awaited and the timer runs. */
function secondsLeft(r: board.BoardRecipient, now: Date): number | null {
  if (!r.deadlineAt || r.answeredAt || r.escalatedAt) return null;
  return Math.round((new Date(r.deadlineAt).getTime() - now.getTime()) / 1000);
}

export async function evacuation(deps: BoardDeps, scope: RegionScope, warningId: number): Promise<{ warning: WarningSummary; at: string } & EvacuationLedger> {
  const warning = await warningFor(deps, scope, warningId);
  const rows = await board.evacuationByRegion(deps.db, scope, warningId);
  const names = await board.regionNames(deps.db, codesToName(rows.map((r) => r.regionCode)));
  return { warning, at: deps.clock.now().toISOString(), ...rollUpEvacuation(rows, names) };
}

export async function exportRecipients(deps: BoardDeps, scope: RegionScope, warningId: number, filter: Omit<board.RecipientFilter, 'limit' | 'offset' | 'sort'>): Promise<{ warning: WarningSummary; xlsx: Buffer }> {
  checkRegionFilter(scope, filter.regionCode);
  const warning = await warningFor(deps, scope, warningId);
  return { warning, xlsx: await exportBoard(deps.db, scope, warning, filter, deps.clock.now()) };
}

export async function answerPhoto(deps: BoardDeps, scope: RegionScope, warningId: number, answerId: number): Promise<{ path: string; mime: string }> {
  const rel = await photoOfAnswer(deps.db, scope, warningId, answerId);
  if (!rel) throw new NotFoundError('Photo');
  return { path: photoAbsolutePath(deps.filesDir, rel), mime: mimeOfPhotoPath(rel) };
}
