import { Injectable } from '@nestjs/common';
import { advisoryLock, LOCK_CLASS } from '../database/advisory-locks.js';
import { Database, sql } from '../database/database.js';
import { memberSql } from '../lists/roles.js';
import type { Role } from '../lists/roles.js';
import type { Task } from '../tasks/dto/task.dto.js';
import type { Sibling } from '../tasks/positions.repository.js';
import { TASK_COLUMNS } from '../tasks/task.schema.js';

/** A list as a calendar collection: the caller's view of it and where its changes stand. */
export interface CalendarRow {
  id: string;
  name: string;
  color: string | null;
  is_inbox: boolean;
  owner_id: string;
  version: number;
  role: Role;
  /** Where the list stands in its owner's sequence (LIST_SEQ). */
  seq: string;
}

/** A task as a CalDAV resource: the task, and what a client stored of it (null when none has). */
export type ResourceRow = Task & {
  /** The resource's name in its list (null: `{id}.ics`). */
  dav_name: string | null;
  dav_uid: string | null;
  /** The VCALENDAR as last rendered (at `dav_version`), null when no client wrote the task. */
  ics: string | null;
  dav_version: number | null;
  /** The parent's UID (its client's, else its id), null for a top-level task. */
  parent_uid: string | null;
} & CallerAlarms;

/** The caller's own part of a resource (migration DavAlarms): where their reminders on it last changed, what their client wrote. */
export interface CallerAlarms {
  /** The number in the owner's sequence of the caller's last reminder change on the task (null: none ever). */
  alarm_seq: string | null;
  /** The VALARMs the caller's client last wrote (iCalendar texts), null when none did. */
  kept_alarms: string[] | null;
}

/** A member of a collection, as a PROPFIND lists it. */
export interface MemberRow {
  id: string;
  version: number;
  updated_at: string;
  dav_name: string | null;
  alarm_seq: string | null;
}

/** One row of a collection's changes after a position: a task now in the list, or gone from it. */
export interface ChangeRow {
  kind: 'head' | 'task' | 'gone';
  id: string | null;
  version: number | null;
  updated_at: string | null;
  dav_name: string | null;
  alarm_seq: string | null;
  owner_id: string | null;
  head: string | null;
  pruned: string | null;
}

/** Rows of deleted tasks removed per statement by the sweep. */
export const DAV_SWEEP_BATCH = 5000;

const TASK = TASK_COLUMNS.map((c) => `t.${c}`).join(', ');
/**
 * A task's parent UID: its parent's (the client's UID, else the parent's id), or, for a top-level
 * task, the UID its client named that no task of the list has yet (a subtask written before its
 * parent: the link is kept until the parent comes, and CaldavService.put adopts it then).
 */
const PARENT_UID = `CASE WHEN t.parent_id IS NOT NULL THEN COALESCE(pr.uid, t.parent_id::text)
  WHEN r.parent_uid IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM tasks pt LEFT JOIN dav_resources pd ON pd.task_id = pt.id
     WHERE pt.list_id = t.list_id AND (pd.uid = r.parent_uid OR (pd.task_id IS NULL AND pt.id::text = r.parent_uid)))
  THEN r.parent_uid END`;
/** The caller's (`$1`) alarm row of task `t`. */
const CALLER_ALARMS = `LEFT JOIN dav_alarms a ON a.task_id = t.id AND a.user_id = $1`;
const RESOURCE = `${TASK}, r.name AS dav_name, r.uid AS dav_uid, r.ics, r.version AS dav_version, ${PARENT_UID} AS parent_uid,
  a.seq::text AS alarm_seq, a.alarms AS kept_alarms`;
const RESOURCE_FROM = `tasks t LEFT JOIN dav_resources r ON r.task_id = t.id LEFT JOIN dav_resources pr ON pr.task_id = t.parent_id ${CALLER_ALARMS}`;
/** The resource `$3` names in list `$2`: its client's name, or `{id}.ics` when no client named it. */
const NAMED = `(r.name = $3 OR (r.task_id IS NULL AND t.id::text || '.ics' = $3))`;
/** The resources the names in the array `$3` name in list `$2` (as NAMED). */
const NAMED_ANY = NAMED.replaceAll('$3', 'ANY($3)');

/**
 * Where list `l` stands in its owner's sequence for the caller (`$1`): its latest change (its tasks',
 * its tombstones', the caller's reminders on its tasks), or the sequence's pruned mark when that is
 * later (a token there is not expired, and no change of the list lies between them). Each of the
 * caller's alarm rows finds its task by primary key: as a join, a planner that misjudged the rows
 * (a table grown since its last ANALYZE) walked the list's tasks once per alarm row (bench:caldav:
 * 500 alarms × 266 tasks, 18–170 ms per request).
 */
const LIST_SEQ = `GREATEST(
  COALESCE((SELECT max(t.seq) FROM tasks t WHERE t.list_id = l.id), 0),
  COALESCE((SELECT max(a.seq) FROM dav_alarms a
             WHERE a.user_id = $1 AND a.owner_id = l.owner_id
               AND (SELECT t.list_id FROM tasks t WHERE t.id = a.task_id) = l.id), 0),
  COALESCE((SELECT max(g.seq) FROM task_tombstones g WHERE g.user_id = l.owner_id AND g.list_id = l.id), 0),
  COALESCE((SELECT c.pruned_seq FROM task_counts c WHERE c.user_id = l.owner_id), 0))::text`;

/**
 * The SQL of CalDAV (migrations CalDav and DavAlarms): the caller's lists as calendars, their tasks
 * as resources with what clients stored of them (`dav_resources`) and the caller's own alarm row
 * (`dav_alarms`: where their reminders last changed, their client's VALARMs), and a list's changes
 * after a position in its owner's change sequence (through `sync_stream_tasks` /
 * `sync_stream_tombstones`, migration SharedSync; for the caller, also the tasks whose alarm row
 * moved past it). Every statement carries the caller's membership of the list.
 */
@Injectable()
export class CaldavRepository {
  constructor(private readonly db: Database) {}

  /** The caller's lists (one when `list` is given), inbox first, with where their changes stand. */
  calendars(userId: string, list?: string): Promise<CalendarRow[]> {
    const values: unknown[] = [userId];
    const one = list === undefined ? '' : ` AND l.id = $${values.push(list)}`;
    return this.db.read<CalendarRow>(
      userId,
      sql(
        `SELECT l.id, l.name, l.color, l.is_inbox, l.owner_id, l.version, m.role, ${LIST_SEQ} AS seq
           FROM list_members m JOIN lists l ON l.id = m.list_id
          WHERE m.user_id = $1${one} ORDER BY l.is_inbox DESC, l.created_at, l.id`,
        values,
      ),
    );
  }

  /** The tasks of list `list` (when the caller is a member), as a PROPFIND lists them. */
  members(userId: string, list: string): Promise<MemberRow[]> {
    return this.db.read<MemberRow>(
      userId,
      sql(
        `SELECT t.id, t.version, t.updated_at, r.name AS dav_name, a.seq::text AS alarm_seq
           FROM tasks t LEFT JOIN dav_resources r ON r.task_id = t.id ${CALLER_ALARMS}
          WHERE t.list_id = $2 AND ${memberSql('t.list_id', '$1')} ORDER BY t.created_at, t.id`,
        [userId, list],
      ),
    );
  }

  /** Every task of list `list` with what clients stored of it (for reports); with `names`, only those named. */
  resources(userId: string, list: string, names?: string[]): Promise<ResourceRow[]> {
    const only = names === undefined ? '' : ` AND ${NAMED_ANY}`;
    return this.db.read<ResourceRow>(
      userId,
      sql(
        `SELECT ${RESOURCE} FROM ${RESOURCE_FROM}
          WHERE t.list_id = $2 AND ${memberSql('t.list_id', '$1')}${only} ORDER BY t.created_at, t.id`,
        names === undefined ? [userId, list] : [userId, list, names],
      ),
    );
  }

  /** The resource named `name` in list `list`, or null (inside a transaction: what it sees). */
  async resource(userId: string, list: string, name: string): Promise<ResourceRow | null> {
    const [row] = await this.db.read<ResourceRow>(
      userId,
      sql(
        `SELECT ${RESOURCE} FROM ${RESOURCE_FROM}
          WHERE t.list_id = $2 AND ${NAMED} AND ${memberSql('t.list_id', '$1')}`,
        [userId, list, name],
      ),
    );
    return row ?? null;
  }

  /** The task whose UID is `uid` in list `list` (its client's UID, else its id), with its parent. */
  async byUid(
    userId: string,
    list: string,
    uid: string,
  ): Promise<{ id: string; parent_id: string | null; dav_name: string | null } | null> {
    const [row] = await this.db.read<{ id: string; parent_id: string | null; dav_name: string | null }>(
      userId,
      sql(
        `SELECT t.id, t.parent_id, r.name AS dav_name FROM tasks t LEFT JOIN dav_resources r ON r.task_id = t.id
          WHERE t.list_id = $2 AND (r.uid = $3 OR (r.task_id IS NULL AND t.id::text = lower($3)))
            AND ${memberSql('t.list_id', '$1')}
          LIMIT 1`,
        [userId, list, uid],
      ),
    );
    return row ?? null;
  }

  /**
   * The top-level tasks of list `list` whose client named `uid` as their parent before it existed,
   * last first (each moved first under the parent in turn, they keep their order).
   */
  async orphans(userId: string, list: string, uid: string): Promise<string[]> {
    const rows = await this.db.read<{ id: string }>(
      userId,
      sql(
        `SELECT t.id FROM tasks t JOIN dav_resources r ON r.task_id = t.id
          WHERE t.list_id = $2 AND r.parent_uid = $3 AND t.parent_id IS NULL AND ${memberSql('t.list_id', '$1')}
          ORDER BY t.position DESC`,
        [userId, list, uid],
      ),
    );
    return rows.map((r) => r.id);
  }

  /**
   * The tasks of list `list` under `parent` (null: the top level), in position order: a task's
   * siblings and itself (read under the list's ordering lock, so they hold for a move that follows).
   */
  siblings(userId: string, list: string, parent: string | null): Promise<Sibling[]> {
    return this.db.read<Sibling>(
      userId,
      sql(
        `SELECT t.id, t.position FROM tasks t
          WHERE t.list_id = $2 AND t.parent_id ${parent === null ? 'IS NULL AND $3::uuid IS NULL' : '= $3'}
            AND ${memberSql('t.list_id', '$1')}
          ORDER BY t.position`,
        [userId, list, parent],
      ),
    );
  }

  /**
   * Takes, until the transaction ends, the lock of name `name` in list `list`: two clients creating
   * the same resource at once take turns, and the second finds the first's.
   */
  async lockName(userId: string, list: string, name: string): Promise<void> {
    await this.db.rows(advisoryLock(LOCK_CLASS.davResourceName, list, name), userId);
  }

  /** Stores what a client wrote of task `taskId` (its name, UID, parent's UID and the rendered VCALENDAR at `version`). */
  async store(
    userId: string,
    taskId: string,
    resource: { name: string; uid: string; parentUid: string | null; ics: string; version: number },
  ): Promise<void> {
    await this.db.bookkeeping(
      userId,
      sql(
        `INSERT INTO dav_resources (task_id, name, uid, parent_uid, ics, version) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (task_id) DO UPDATE SET name = EXCLUDED.name, uid = EXCLUDED.uid, parent_uid = EXCLUDED.parent_uid,
           ics = EXCLUDED.ics, version = EXCLUDED.version, deleted_at = NULL`,
        [taskId, resource.name, resource.uid, resource.parentUid, resource.ics, resource.version],
      ),
    );
  }

  /**
   * Stores the VALARMs the caller's client wrote of task `taskId` (their reminders are set apart):
   * given back to them only. Its row exists once their reminders on the task changed (the trigger
   * of migration DavAlarms); when it does not (the VALARMs are no reminder), it is made here, at the
   * next number of the owner's sequence, as the trigger would.
   */
  async storeAlarms(userId: string, taskId: string, alarms: string[]): Promise<void> {
    if (alarms.length)
      await this.db.bookkeeping(
        userId,
        sql(
          `SELECT dav_alarms_touch($1, $2)
            WHERE NOT EXISTS (SELECT 1 FROM dav_alarms WHERE task_id = $1 AND user_id = $2)`,
          [taskId, userId],
        ),
      );
    await this.db.bookkeeping(
      userId,
      sql(`UPDATE dav_alarms SET alarms = $3::jsonb WHERE task_id = $1 AND user_id = $2`, [
        taskId,
        userId,
        alarms.length ? JSON.stringify(alarms) : null,
      ]),
    );
  }

  /** The caller's alarm row of task `taskId` as it stands (inside a transaction: what it sees). */
  async alarmSeq(userId: string, taskId: string): Promise<string | null> {
    const [row] = await this.db.read<{ seq: string }>(
      userId,
      sql(`SELECT seq::text AS seq FROM dav_alarms WHERE task_id = $1 AND user_id = $2`, [taskId, userId]),
    );
    return row?.seq ?? null;
  }

  /**
   * Deletes at most DAV_SWEEP_BATCH rows of deleted tasks older than `retentionDays` (by then every
   * sync token from before their deletion is expired, so no client needs their names). How many.
   */
  async sweepBatch(retentionDays: number): Promise<number> {
    const { count } = await this.db.housekeeping(
      sql(
        `DELETE FROM dav_resources WHERE task_id IN (
           SELECT task_id FROM dav_resources WHERE deleted_at < now() - make_interval(days => $1)
            LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [retentionDays, DAV_SWEEP_BATCH],
      ),
    );
    return count;
  }

  /**
   * The changes of list `list` after position `after` of its owner's sequence (0 and `full`: every
   * task it holds), in one snapshot with the sequence's head (`head` row: its owner, head and pruned
   * mark): tasks in the list now (`task`), and tasks gone from it since (`gone`: deleted or moved
   * out; the tombstone's list is this one). Null rows when the caller is not a member.
   */
  changes(userId: string, list: string, after: number, full: boolean): Promise<ChangeRow[]> {
    const tasks = full
      ? `SELECT t.id, t.version, t.updated_at FROM tasks t WHERE t.list_id = l.id`
      : `SELECT t.id, t.version, t.updated_at FROM sync_stream_tasks(l.owner_id, $3, ARRAY[l.id], NULL) t
         UNION
         SELECT t.id, t.version, t.updated_at FROM dav_alarms a JOIN tasks t ON t.id = a.task_id
          WHERE a.user_id = $1 AND a.owner_id = l.owner_id AND a.seq > $3 AND t.list_id = l.id`;
    const gone = full
      ? ''
      : ` UNION ALL
         SELECT 'gone', g.id, NULL, NULL, r.name, NULL, NULL, NULL, NULL
           FROM l CROSS JOIN LATERAL sync_stream_tombstones(l.owner_id, $3, ARRAY[l.id], $1, NULL) g
           LEFT JOIN dav_resources r ON r.task_id = g.id
          WHERE g.list_id = l.id AND NOT EXISTS (SELECT 1 FROM tasks v WHERE v.id = g.id AND v.list_id = l.id)`;
    return this.db.read<ChangeRow>(
      userId,
      sql(
        `WITH l AS MATERIALIZED (
           SELECT l.id, l.owner_id, COALESCE(c.seq, 0) AS head, COALESCE(c.pruned_seq, 0) AS pruned
             FROM lists l JOIN list_members m ON m.list_id = l.id AND m.user_id = $1
             LEFT JOIN task_counts c ON c.user_id = l.owner_id WHERE l.id = $2)
         SELECT 'head' AS kind, NULL::uuid AS id, NULL::int AS version, NULL::timestamptz AS updated_at,
                NULL::varchar AS dav_name, NULL::text AS alarm_seq, l.owner_id, l.head::text AS head, l.pruned::text AS pruned FROM l
         UNION ALL
         SELECT 'task', t.id, t.version, t.updated_at, r.name, a.seq::text, NULL, NULL, NULL
           FROM l CROSS JOIN LATERAL (${tasks}) t LEFT JOIN dav_resources r ON r.task_id = t.id ${CALLER_ALARMS}${gone}`,
        full ? [userId, list] : [userId, list, after],
      ),
    );
  }
}
