// 评估任务: an assessment over a large building inventory runs on the server as a job (POST
// answers 202). The page follows it by live events (assessment.job_progress / job_finished) and,
// as a fallback when the stream is down, by polling GET /jobs/:id every 2 s, until it is done.
import { computed, onBeforeUnmount, ref } from 'vue';
import { api, ApiError } from './api';
import { t } from './i18n';
import { session } from './session';
import type { AssessmentJob, JobFinishedData, JobProgressData } from './types';

const POLL_MS = 2000;

export function useAssessmentJob(opts: {
  /** the job stored its assessment: open it */
  onDone: (assessmentId: number) => void;
  /** the job failed: tell the user (the message is also kept in `error`) */
  onFailed: (message: string) => void;
}) {
  const job = ref<AssessmentJob | null>(null);
  const error = ref('');
  const active = computed(() => job.value?.state === 'queued' || job.value?.state === 'running');
  let timer: ReturnType<typeof setInterval> | null = null;

  function stopPolling(): void {
    if (timer) clearInterval(timer);
    timer = null;
  }

  function track(j: AssessmentJob): void {
    stopPolling();
    job.value = j;
    error.value = '';
    if (!active.value) {
      finish(j);
      return;
    }
    void poll();
    timer = setInterval(() => void poll(), POLL_MS);
  }

  async function poll(): Promise<void> {
    const current = job.value;
    if (!current || !active.value) return;
    try {
      apply(await api.get<AssessmentJob>(`/assessments/earthquake/jobs/${current.id}`));
    } catch (e) {
      // A network blip: try again at the next tick. A job gone (404) will not come back.
      if (e instanceof ApiError && e.status === 404 && job.value?.id === current.id) {
        apply({ ...current, state: 'failed', stage: null, error: t('quake.notFound') });
      }
    }
  }

  /** A newer view of the followed job (from polling or an event); others are ignored. */
  function apply(next: AssessmentJob): void {
    if (!job.value || next.id !== job.value.id || !active.value) return;
    job.value = next;
    if (!active.value) finish(next);
  }

  function finish(j: AssessmentJob): void {
    stopPolling();
    if (j.state === 'failed' || j.assessmentId === null) {
      error.value = t('quake.jobFailed', { detail: j.error || '—' });
      opts.onFailed(error.value);
      return;
    }
    job.value = null;
    opts.onDone(j.assessmentId);
  }

  function onProgress(d: JobProgressData): void {
    const current = job.value;
    if (current && d.id === current.id) apply({ ...current, state: 'running', stage: d.stage });
  }

  function onFinished(d: JobFinishedData): void {
    const current = job.value;
    // A failed job keeps the stage it failed in, as the server does.
    if (current && d.id === current.id) {
      apply({ ...current, state: d.state, stage: d.state === 'failed' ? current.stage : null, assessmentId: d.assessmentId ?? null, error: d.error ?? null });
    }
  }

  /** Hides a finished (failed) job. */
  function dismiss(): void {
    if (active.value) return;
    job.value = null;
    error.value = '';
  }

  /** A job of this user still running (the page was reloaded, or left and opened again): follow it. */
  async function resume(): Promise<void> {
    if (job.value) return;
    try {
      const { items } = await api.get<{ items: AssessmentJob[] }>('/assessments/earthquake/jobs');
      const mine = items.find((j) => (j.state === 'queued' || j.state === 'running') && j.createdBy === session.user?.username);
      if (mine && !job.value) track(mine);
    } catch {
      // nothing to resume
    }
  }

  onBeforeUnmount(stopPolling);

  return { job, error, active, track, poll, onProgress, onFinished, dismiss, resume };
}
