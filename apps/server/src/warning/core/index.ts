/**
 * The core of the warning module: drafting, the two-person approval, the ladder, Update and
 * Cancel, CAP in and out, feeds, and the SMS text that delivery sends.
 */
export { registerWarningCoreRoutes, type WarningRouteDeps } from './routes.ts';
export { WarningCore } from './runtime.ts';
export { parseCapFeedList, WarningFeedPoller, type CapFeed, type CapFeedStatus } from './feed-poller.ts';
export { smsText, smsPreview, smsLength, smsSegments, SMS_MAX_CHARS, type SmsWarning } from './sms.ts';
export { importCap, type ImportResult } from './import.ts';
export { afterIssue, approve, issuerName, createDraft, getWarning, listWarnings, startStep, submit, sweepExpired, toIssued, SIGNERS, WRITERS, type WarningCaller, type WarningDeps, type WarningDetail } from './service.ts';
export type { Warning, WarningArea, WarningState } from './store.ts';
