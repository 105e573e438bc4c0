/**
 * Triggers of runs: signed inbound webhooks (with replay and `Idempotency-Key` guards in KV),
 * cron schedules and the minute tick that enqueues them, and signed outbound notifications.
 * Pure building blocks: the HTTP routes and the run engine wire them in.
 * @module
 */
export {
  DEFAULT_TOLERANCE_SECONDS,
  generateWebhookSecret,
  type HeaderSource,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
  timingSafeEqual,
  verifyWebhook,
  type WebhookVerification,
} from "./signature.ts";
export {
  admitWebhook,
  claimIdempotencyKey,
  type IdempotencyClaim,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  ReplayGuard,
  validateIdempotencyKey,
  type WebhookAdmission,
} from "./replay.ts";
export { type CronSchedule, describeCron, nextRun, parseCron } from "./cron.ts";
export {
  DEFAULT_WINDOW_MINUTES,
  dueMinute,
  type EnqueueScheduled,
  type ScheduledPipeline,
  type SchedulerClock,
  type SchedulerOptions,
  startScheduler,
  systemClock,
  type TickResult,
  tickSchedules,
} from "./schedule.ts";
export {
  type NotifyOptions,
  type NotifyResult,
  notifyRun,
  type RunNotification,
} from "./notify.ts";
