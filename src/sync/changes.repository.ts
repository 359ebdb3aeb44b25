import { Injectable } from '@nestjs/common';
import { Database, sql, type Statement } from '../database/database.js';
import type { Task } from '../tasks/dto/task.dto.js';
import { TASK_COLUMNS } from '../tasks/task.schema.js';

/** Tombstones deleted per statement by the sweep. */
export const TOMBSTONE_SWEEP_BATCH = 5000;

/** One row of a page of changes: a task or a tombstone (its task columns null), and the user's counters. */
export type ChangeRow = Task & {
  change_seq: string | null;
  deleted_at: string | null;
  head: string | null;
  pruned: string | null;
};

const LIVE = TASK_COLUMNS.map((c) => `t.${c}`).join(', ');
// A tombstone has the task columns' places, empty, so both kinds share one result.
const DEAD = ['d.id', ...TASK_COLUMNS.slice(1).map(() => 'NULL')].join(', ');

/**
 * The SQL of the per-user change sequence (migrations ChangeSequence and Lists): the counter row in
 * `task_counts`, the tasks by `(owner_id, seq)`, and `task_tombstones`. A user's sequence numbers
 * the changes in the lists they own (whoever made them), so `t.owner_id = $1` is the statement's
 * access check: the owner of a task's list (kept equal by `fk_tasks_list`) is its member with role
 * owner. Lists shared with the user, keyed by their own owners' sequences, come with sharing-aware sync.
 */
@Injectable()
export class ChangesRepository {
  constructor(private readonly db: Database) {}

  /**
   * The rows of one page (see `pageQuery`): on the primary when `primary` (a live stream told of a
   * write must not ask a replica that has not replayed it yet), otherwise where the user's reads go.
   */
  page(
    userId: string,
    from: number,
    limit: number,
    incremental: boolean,
    primary: boolean,
  ): Promise<ChangeRow[]> {
    const statement = this.pageQuery(userId, from, limit, incremental);
    return primary ? this.db.rows<ChangeRow>(statement, userId) : this.db.read<ChangeRow>(userId, statement);
  }

  /**
   * The one statement of a page of changes: the user's counter row, and the `limit` first changes
   * after `from` (tombstones too when `incremental`), each side an index range scan (tasks by
   * (owner_id, seq), tombstones by their primary key), merged in order but returned in no promised
   * order (the caller sorts them). Public so tests can EXPLAIN it.
   */
  pageQuery(userId: string, from: number, limit: number, incremental: boolean): Statement {
    const tombstones = incremental
      ? ` UNION ALL (SELECT d.seq, d.deleted_at, ${DEAD} FROM task_tombstones d
            WHERE d.user_id = $1 AND d.seq > $2 ORDER BY d.seq LIMIT $3)`
      : '';
    return sql(
      `SELECT c.seq AS head, c.pruned_seq AS pruned, ch.*
         FROM (SELECT 1) AS one
         LEFT JOIN task_counts c ON c.user_id = $1
         LEFT JOIN LATERAL (
           SELECT * FROM (
             (SELECT t.seq AS change_seq, NULL::timestamptz AS deleted_at, ${LIVE} FROM tasks t
               WHERE t.owner_id = $1 AND t.seq > $2 ORDER BY t.seq LIMIT $3)${tombstones}
           ) u ORDER BY change_seq LIMIT $3
         ) ch ON true`,
      [userId, from, limit],
    );
  }

  /**
   * The head of the user's change sequence on the primary, or as the current transaction sees it:
   * the counter row a writing transaction holds, so right after its changes.
   */
  async head(userId: string): Promise<number> {
    const [row] = await this.db.rows<{ seq: string }>(
      sql('SELECT seq FROM task_counts WHERE user_id = $1', [userId]),
      userId,
    );
    return Number(row?.seq ?? 0);
  }

  /**
   * Deletes at most TOMBSTONE_SWEEP_BATCH tombstones older than `retentionDays` (SKIP LOCKED:
   * instances share the work), raising each user's `pruned_seq` past them in the same statement.
   * How many it deleted.
   */
  async sweepBatch(retentionDays: number): Promise<number> {
    const { rows } = await this.db.housekeeping(
      sql(
        `WITH gone AS (
           DELETE FROM task_tombstones WHERE (user_id, seq) IN (
             SELECT user_id, seq FROM task_tombstones WHERE deleted_at < now() - make_interval(days => $1)
              LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING user_id, seq),
         bump AS (
           UPDATE task_counts c SET pruned_seq = GREATEST(c.pruned_seq, g.seq)
             FROM (SELECT user_id, max(seq) AS seq FROM gone GROUP BY user_id) g WHERE c.user_id = g.user_id
           RETURNING 1)
         SELECT (SELECT count(*) FROM gone)::int AS n`,
        [retentionDays, TOMBSTONE_SWEEP_BATCH],
      ),
    );
    return (rows[0] as { n: number }).n;
  }
}
