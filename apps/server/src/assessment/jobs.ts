/**
 * Assessments too large to run inside a request (a city inventory of millions of buildings) run
 * as jobs: stored first, so a restart resumes them, then run one at a time off the request path.
 */
import { NotFoundError, scopeLikePattern, type Clock, type RegionScope } from '@anlan/core';
import type { Database } from '@anlan/db';
import type { AssessmentResult, ExposureColumns, QuakeEvent } from '@anlan/quake';
import type { Logger } from 'pino';
import type { Actor } from '../caller.ts';
import type { EventBus } from '../events/bus.ts';

/** Runs the engine; the server gives it a worker pool so the event loop stays free. */
export type AssessFn = (event: QuakeEvent, exposure: ExposureColumns) => Promise<AssessmentResult>;

export type JobState = 'queued' | 'running' | 'done' | 'failed';

export interface JobView {
  id: number;
  createdAt: Date;
  createdBy: string;
  inventoryId: number;
  name: string | null;
  event: QuakeEvent;
  state: JobState;
  stage: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
  assessmentId: number | null;
}

const COLUMNS = `id, created_at AS "createdAt", created_by_name AS "createdBy", inventory_id AS "inventoryId", name, event, state, stage,
  started_at AS "startedAt", finished_at AS "finishedAt", error, assessment_id AS "assessmentId"`;

const toView = (r: JobView): JobView => ({
  ...r, id: Number(r.id), inventoryId: Number(r.inventoryId), assessmentId: r.assessmentId === null ? null : Number(r.assessmentId),
});

export interface JobWork {
  job: JobView & { scopeCode: string; createdById: number | null };
  setStage(stage: string): Promise<void>;
}

/**
 * The queue. `work` does the assessment and returns the stored assessment's id; the runner only
 * sequences, records states and survives restarts.
 */
export class AssessmentJobRunner {
  private queue: number[] = [];
  private running: Promise<void> | null = null;
  private closed = false;
  private work: ((w: JobWork) => Promise<number>) | null = null;

  constructor(private readonly deps: { db: Database; clock: Clock; bus: EventBus; log: Logger }) {}

  /** Sets the work function and re-queues what a previous process left queued or running. */
  async start(work: (w: JobWork) => Promise<number>): Promise<void> {
    this.work = work;
    const left = await this.deps.db.query<{ id: number }>("SELECT id FROM earthquake_assessment_jobs WHERE state IN ('queued', 'running') ORDER BY id");
    for (const r of left.rows) this.queue.push(Number(r.id));
    if (left.rows.length > 0) this.deps.log.info({ jobs: left.rows.length }, 'resuming earthquake assessment jobs');
    this.pump();
  }

  async submit(j: { actor: Actor; regionCode: string; scope: RegionScope; inventoryId: number; name: string | null; event: QuakeEvent }): Promise<JobView> {
    const r = await this.deps.db.query<JobView>(
      `INSERT INTO earthquake_assessment_jobs (created_by, created_by_name, region_code, scope_code, inventory_id, name, event)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [j.actor.id, j.actor.name, j.regionCode, j.scope.code, j.inventoryId, j.name, JSON.stringify(j.event)],
    );
    const job = toView(r.rows[0]);
    this.queue.push(job.id);
    this.pump();
    return job;
  }

  async get(scope: RegionScope, id: number): Promise<JobView> {
    const r = await this.deps.db.query<JobView>(`SELECT ${COLUMNS} FROM earthquake_assessment_jobs WHERE id = $2 AND scope_code LIKE $1`, [scopeLikePattern(scope), id]);
    if (!r.rows[0]) throw new NotFoundError('Job');
    return toView(r.rows[0]);
  }

  async list(scope: RegionScope, limit = 50): Promise<JobView[]> {
    const r = await this.deps.db.query<JobView>(`SELECT ${COLUMNS} FROM earthquake_assessment_jobs WHERE scope_code LIKE $1 ORDER BY id DESC LIMIT $2`, [scopeLikePattern(scope), limit]);
    return r.rows.map(toView);
  }

  /** Lets the running job finish; queued jobs stay queued for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    await this.running;
  }

  private pump(): void {
    if (this.running || this.closed || !this.work || this.queue.length === 0) return;
    const id = this.queue.shift()!;
    this.running = this.runOne(id)
      .catch((e) => this.deps.log.error({ err: e, job: id }, 'earthquake assessment job runner failed'))
      .finally(() => {
        this.running = null;
        this.pump();
      });
  }

  private async runOne(id: number): Promise<void> {
    const { db, clock, bus } = this.deps;
    const r = await db.query<JobView & { scopeCode: string; createdById: number | null; regionCode: string }>(
      `UPDATE earthquake_assessment_jobs SET state = 'running', stage = 'loading', started_at = $2, error = NULL
       WHERE id = $1 AND state IN ('queued', 'running')
       RETURNING ${COLUMNS}, scope_code AS "scopeCode", created_by AS "createdById", region_code AS "regionCode"`,
      [id, clock.now()],
    );
    const row = r.rows[0];
    if (!row) return;
    const job = { ...toView(row), scopeCode: row.scopeCode, createdById: row.createdById === null ? null : Number(row.createdById) };
    const announce = (stage: string) => bus.publish({ type: 'assessment.job_progress', regionCode: row.regionCode, at: clock.now().toISOString(), data: { id, stage } });
    const setStage = async (stage: string) => {
      await db.query('UPDATE earthquake_assessment_jobs SET stage = $2 WHERE id = $1', [id, stage]);
      await announce(stage);
    };
    await announce('loading');
    try {
      const assessmentId = await this.work!({ job, setStage });
      await db.query("UPDATE earthquake_assessment_jobs SET state = 'done', stage = NULL, finished_at = $2, assessment_id = $3 WHERE id = $1", [id, clock.now(), assessmentId]);
      await bus.publish({ type: 'assessment.job_finished', regionCode: row.regionCode, at: clock.now().toISOString(), data: { id, state: 'done', assessmentId } });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      await db.query("UPDATE earthquake_assessment_jobs SET state = 'failed', finished_at = $2, error = $3 WHERE id = $1", [id, clock.now(), message]);
      await bus.publish({ type: 'assessment.job_finished', regionCode: row.regionCode, at: clock.now().toISOString(), data: { id, state: 'failed', error: message } });
    }
  }
}
