/** The facts about reminders that SQL, DTOs, the service and tests agree on (the migration Reminders makes the tables). */

export const REMINDER_LIMITS = {
  /** `before_minutes`: 0 (at the due time) to 28 days before it. The column's check holds the same bound. */
  beforeMinutesMax: 40_320,
  /** Reminders one user may set on one task. */
  perTaskAndUser: 10,
} as const;

/** What became of a reminder occurrence that came due: one row each in `reminder_fires`. */
export const FIRE_OUTCOMES = ['fired', 'late', 'no_access'] as const;
export type FireOutcome = (typeof FIRE_OUTCOMES)[number];

/** Reminders one sweep transaction claims at most: small enough to commit quickly, large enough for 10 000 due at once. */
export const FIRE_BATCH = 500;

/** The job-queue job that fires due reminders. */
export const SWEEP_JOB = 'reminders-sweep';

/** The job-queue job that deletes old notifications and fire records, and how often it runs. */
export const CLEANUP_JOB = 'reminders-cleanup';
export const CLEANUP_EVERY_MS = 60 * 60 * 1000;
/** Rows one cleanup statement deletes at most. */
export const CLEANUP_BATCH = 1000;
/**
 * How long a fire record outlives REMINDER_MAX_LATE_MIN. While it exists its occurrence never fires
 * again; once it is gone, an occurrence that comes back (a due date moved back to it) is that much
 * late, so it is recorded late, not sent.
 */
export const FIRE_RECORD_MARGIN_MIN = 24 * 60;

/** A new reminder: relative (`before_minutes`) or absolute (`at`). */
export type ReminderKind = { before_minutes: number } | { at: Date };

/** Whether a reminder (as stored: one of the two null) is of kind `kind`: the same minutes before, or the same instant. */
export function sameKind(
  row: { before_minutes: number | null; at: string | Date | null },
  kind: ReminderKind,
): boolean {
  return 'before_minutes' in kind
    ? row.before_minutes === kind.before_minutes
    : row.at !== null && new Date(row.at).getTime() === kind.at.getTime();
}
