import { Injectable } from '@nestjs/common';
import { advisoryLock, LOCK_CLASS } from '../database/advisory-locks.js';
import { Database, sql } from '../database/database.js';
import { SERVICE_KEY } from '../database/server-pool.js';
import { memberSql } from '../lists/roles.js';
import type { Task } from '../tasks/dto/task.dto.js';
import { TASK_COLUMNS } from '../tasks/task.schema.js';
import { sameKind, type FireOutcome, type ReminderKind } from './reminder.schema.js';

/** A reminder row as the API shows it (null for the kind it is not). */
export interface ReminderRow {
  id: string;
  task_id: string;
  before_minutes: number | null;
  at: string | null;
  next_fire_at: string | null;
}

export type { ReminderKind };

/** What a create found: the task not visible to the caller, no due date for a relative reminder, the limit reached, or the reminder made. */
export type CreateResult =
  | { status: 'no_task' }
  | { status: 'no_due_date' }
  | { status: 'limit' }
  | { status: 'created'; reminder: ReminderRow };

/**
 * A reminder occurrence a sweep claimed. `outcome` null: another sweep recorded this occurrence
 * already (nothing to do). With `fired`, `task` is the task as it is now.
 */
export interface ClaimedFire {
  reminder_id: string;
  user_id: string;
  occurrence: string;
  fire_at: string;
  outcome: FireOutcome | null;
  task: Task;
}

/** The (task, user) lock of a user's reminders on a task: creates counted against the limit, and CalDAV's replace, take turns. */
const remindersLock = (userId: string, taskId: string) =>
  advisoryLock(LOCK_CLASS.remindersOfTask, taskId, userId);
const REMINDER_FIELDS = 'r.id, r.task_id, r.before_minutes, r.at, r.next_fire_at';
/** The task columns of a claimed fire, prefixed so they cannot meet the fire's own. */
const TASK_FIELDS = TASK_COLUMNS.map((c) => `t.${c} AS task_${c}`).join(', ');

/**
 * The SQL of reminders (migration Reminders). Every statement on a user's reminders reads the task
 * through the caller's membership in its list (memberSql), so a reminder is never set, read or
 * deleted on a task the caller cannot see; `next_fire_at` comes from the one rule in the database,
 * `reminder_fire_time`, which the triggers on tasks and list_members also apply.
 */
@Injectable()
export class RemindersRepository {
  constructor(private readonly db: Database) {}

  /**
   * Sets a reminder on a task the caller can see, unless they have `max` on it already. Counted
   * under the (task, user) lock in this transaction, so concurrent creates take turns and never
   * pass the limit together.
   */
  create(userId: string, taskId: string, kind: ReminderKind, max: number): Promise<CreateResult> {
    const before = 'before_minutes' in kind ? kind.before_minutes : null;
    const at = 'at' in kind ? kind.at.toISOString() : null;
    return this.db.locked(userId, remindersLock(userId, taskId), async () => {
      // Bookkeeping: a reminder is no change of the task, and nobody's event stream needs to look again.
      // The task's row is locked (FOR NO KEY UPDATE): a write of its due date or completion waits for
      // this reminder, or this one waits for it and computes the fire time from the new values; and
      // the trigger that marks the task as having reminders (NotifyFlags) updates the row anyway.
      const [row] = await this.db.bookkeeping<{ dated: boolean; taken: number } & ReminderRow>(
        userId,
        sql(
          `WITH t AS (SELECT id, due_date, completed FROM tasks WHERE id = $1 AND ${memberSql('tasks.list_id', '$2')} FOR NO KEY UPDATE),
                n AS (SELECT count(*)::int AS taken FROM reminders WHERE task_id = $1 AND user_id = $2),
                r AS (
                  INSERT INTO reminders (task_id, user_id, before_minutes, at, next_fire_at)
                  SELECT t.id, $2, $3::int, $4::timestamptz,
                         reminder_fire_time(NULL, $3::int, $4::timestamptz, t.due_date, t.completed)
                    FROM t, n
                   WHERE n.taken < $5 AND ($3::int IS NULL OR t.due_date IS NOT NULL)
                  RETURNING *)
           SELECT t.due_date IS NOT NULL AS dated, n.taken, ${REMINDER_FIELDS}
             FROM t CROSS JOIN n LEFT JOIN r ON true`,
          [taskId, userId, before, at, max],
        ),
      );
      if (!row) return { status: 'no_task' };
      if (row.id) return { status: 'created', reminder: pick(row) };
      if (before !== null && !row.dated) return { status: 'no_due_date' };
      return { status: 'limit' };
    });
  }

  /** The caller's reminders on a task they can see, oldest first; null when they cannot see it. */
  async list(userId: string, taskId: string): Promise<ReminderRow[] | null> {
    const rows = await this.db.rows<ReminderRow>(
      sql(
        `SELECT ${REMINDER_FIELDS}
           FROM tasks t LEFT JOIN reminders r ON r.task_id = t.id AND r.user_id = $2
          WHERE t.id = $1 AND ${memberSql('t.list_id', '$2')}
          ORDER BY r.created_at, r.id`,
        [taskId, userId],
      ),
      userId,
    );
    if (!rows.length) return null;
    return rows.filter((r) => r.id !== null).map(pick);
  }

  /** The caller's reminders on tasks `taskIds` they can see, oldest first (CalDAV renders them as VALARMs). */
  ofTasks(userId: string, taskIds: string[]): Promise<ReminderRow[]> {
    return this.db.read<ReminderRow>(
      userId,
      sql(
        `SELECT ${REMINDER_FIELDS} FROM reminders r JOIN tasks t ON t.id = r.task_id
          WHERE r.user_id = $1 AND r.task_id = ANY($2::uuid[]) AND ${memberSql('t.list_id', '$1')}
          ORDER BY r.created_at, r.id`,
        [userId, taskIds],
      ),
    );
  }

  /**
   * Makes the caller's reminders on task `taskId` exactly `wanted` (a CalDAV PUT's VALARMs): those
   * already set and wanted stay as they are (armed or fired), the others go, the missing ones are
   * made by `create` (its checks). Inside the caller's transaction when there is one, under the
   * (task, user) lock that `create` takes. 'limit' (nothing changed) when `wanted` is more than `max`.
   */
  replace(
    userId: string,
    taskId: string,
    wanted: ReminderKind[],
    max: number,
  ): Promise<CreateResult['status'] | 'replaced'> {
    return this.db.transaction(userId, async () => {
      if (wanted.length > max) return 'limit';
      await this.lock(userId, taskId);
      const current = await this.ofTasks(userId, [taskId]);
      const missing = [...wanted];
      const gone: string[] = [];
      for (const row of current) {
        const i = missing.findIndex((kind) => sameKind(row, kind));
        if (i >= 0) missing.splice(i, 1);
        else gone.push(row.id);
      }
      if (gone.length)
        await this.db.bookkeeping(
          userId,
          sql(`DELETE FROM reminders WHERE id = ANY($1::uuid[]) AND user_id = $2`, [gone, userId]),
        );
      for (const kind of missing) {
        const { status } = await this.create(userId, taskId, kind, max);
        if (status !== 'created') return status;
      }
      return 'replaced';
    });
  }

  /** Takes, until the transaction ends, the (task, user) lock: one writer of a user's reminders on a task at a time. */
  async lock(userId: string, taskId: string): Promise<void> {
    await this.db.rows(remindersLock(userId, taskId), userId);
  }

  /** Deletes one of the caller's reminders on a task they can see: whether the task was visible and whether it was deleted. */
  async delete(
    userId: string,
    taskId: string,
    reminderId: string,
  ): Promise<{ visible: boolean; deleted: boolean }> {
    const [row] = await this.db.bookkeeping<{ visible: boolean; deleted: boolean }>(
      userId,
      sql(
        `WITH t AS (SELECT id FROM tasks WHERE id = $1 AND ${memberSql('tasks.list_id', '$2')}),
              d AS (DELETE FROM reminders r USING t WHERE r.id = $3 AND r.task_id = t.id AND r.user_id = $2 RETURNING r.id)
         SELECT EXISTS (SELECT 1 FROM t) AS visible, EXISTS (SELECT 1 FROM d) AS deleted`,
        [taskId, userId, reminderId],
      ),
    );
    return row;
  }

  /**
   * Claims up to `limit` due reminders (soonest first; rows another sweep or a task write holds are
   * skipped, not waited for), disarms them and records each occurrence in `reminder_fires`: `late`
   * when more than `maxLateMin` minutes late, `no_access` when the user can no longer see the task,
   * else `fired`. The primary key of `reminder_fires` makes each (reminder, occurrence) recorded
   * once: an occurrence recorded before comes back with `outcome` null. Run it in the transaction
   * that also writes the notifications, so that the claim and the notifications commit together.
   */
  async claimDue(limit: number, maxLateMin: number): Promise<ClaimedFire[]> {
    const rows = await this.db.bookkeeping<Record<string, unknown>>(
      SERVICE_KEY,
      sql(
        `WITH due AS (
           SELECT r.id, r.user_id, r.task_id, r.next_fire_at AS fire_at,
                  COALESCE(r.at, r.next_fire_at + make_interval(mins => r.before_minutes)) AS occurrence
             FROM reminders r
            WHERE r.next_fire_at <= now()
            ORDER BY r.next_fire_at
            LIMIT $1
              FOR UPDATE OF r SKIP LOCKED),
         disarmed AS (UPDATE reminders r SET next_fire_at = NULL FROM due WHERE r.id = due.id),
         fired AS (
           INSERT INTO reminder_fires (reminder_id, occurrence, fire_at, outcome)
           SELECT due.id, due.occurrence, due.fire_at,
                  CASE WHEN NOT ${memberSql('t.list_id', 'due.user_id')} THEN 'no_access'
                       WHEN due.fire_at < now() - make_interval(mins => $2::int) THEN 'late'
                       ELSE 'fired' END
             FROM due JOIN tasks t ON t.id = due.task_id
           ON CONFLICT (reminder_id, occurrence) DO NOTHING
           RETURNING reminder_id, outcome)
         SELECT due.id AS reminder_id, due.user_id, due.occurrence, due.fire_at, f.outcome, ${TASK_FIELDS}
           FROM due JOIN tasks t ON t.id = due.task_id LEFT JOIN fired f ON f.reminder_id = due.id
          ORDER BY due.fire_at`,
        [limit, maxLateMin],
      ),
    );
    return rows.map((row) => ({
      reminder_id: row.reminder_id as string,
      user_id: row.user_id as string,
      occurrence: row.occurrence as string,
      fire_at: row.fire_at as string,
      outcome: row.outcome as FireOutcome | null,
      task: Object.fromEntries(TASK_COLUMNS.map((c) => [c, row[`task_${c}`]])) as unknown as Task,
    }));
  }

  /**
   * Deletes at most `batch` fire records of occurrences due more than `minutes` ago, in one statement
   * (SKIP LOCKED: instances share the work). How many it deleted.
   */
  async sweepFiresBatch(minutes: number, batch: number): Promise<number> {
    const { count } = await this.db.housekeeping(
      sql(
        `DELETE FROM reminder_fires WHERE (reminder_id, occurrence) IN (
           SELECT reminder_id, occurrence FROM reminder_fires WHERE fire_at < now() - make_interval(mins => $1)
            LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [minutes, batch],
      ),
    );
    return count;
  }
}

/** The API's reminder: only the kind it is (`before_minutes` or `at`). */
function pick(row: ReminderRow): ReminderRow {
  return {
    id: row.id,
    task_id: row.task_id,
    before_minutes: row.before_minutes,
    at: row.at,
    next_fire_at: row.next_fire_at,
  };
}
