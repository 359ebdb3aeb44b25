import { Injectable } from '@nestjs/common';
import { Database, sql, type Statement } from '../database/database.js';
import type { Task } from '../tasks/dto/task.dto.js';
import { TASK_COLUMNS } from '../tasks/task.schema.js';
import type { ListDto } from '../lists/dto/list.dto.js';
import { LIST_COLUMNS } from '../lists/list.schema.js';
import { streamKeySql } from './sync-token.js';

/** Tombstones deleted per statement by the sweep. */
export const TOMBSTONE_SWEEP_BATCH = 5000;

/** What a row of a page is: a stream's head, the list feed's head, a task or tombstone, a list entry. */
export type ChangeRowKind = 'stream' | 'lists' | 'task' | 'list';

/**
 * One row of a page of changes. `stream` rows: an owner whose lists the reader can see (`stream`),
 * with its place `ord` in the order the page reads the streams, its position in the token (`pos`,
 * null when absent) and its counter row (`head`, `pruned`). `lists`: the reader's list-feed head.
 * `task` rows: a task or a tombstone (its task columns null, `deleted_at` set) of stream `ord`.
 * `list` rows: a list-feed entry, the list's columns (`l_…`) null when the reader is not a member any more.
 */
export type ChangeRow = Task & {
  kind: ChangeRowKind;
  ord: string | null;
  stream: string | null;
  pos: string | null;
  change_seq: string | null;
  deleted_at: string | null;
  /** A tombstone of a task the reader has in its current state elsewhere: it takes its place, unsent. */
  hidden: boolean | null;
  head: string | null;
  pruned: string | null;
  feed_list: string | null;
} & { [K in ListColumn as `l_${K}`]: ListDto[K] | null };

type ListColumn = (typeof LIST_COLUMNS)[number];

/** Where a position comes from in a page: the streams the token holds, by key. */
export interface PageRequest {
  /** Stream keys and their positions, in the same order. */
  keys: string[];
  seqs: number[];
  lists: number;
  /** How many rows to read at most of the tasks, and of the list feed. */
  limit: number;
  /** Tombstones and list entries of lists no longer seen too (false: a full sync's first page). */
  incremental: boolean;
}

const LIVE = TASK_COLUMNS.map((c) => `t.${c}`).join(', ');
// A tombstone has the task columns' places, empty, so both kinds share one result.
const DEAD = ['d.id', ...TASK_COLUMNS.slice(1).map(() => 'NULL')].join(', ');
const NO_TASK = TASK_COLUMNS.map(() => 'NULL').join(', ');

/** Each list column as the reader sees it (`l`: the list, `m`: their membership), as GET /api/lists/{id} shows it. */
const LIST_VIEW = {
  id: 'l.id',
  name: 'l.name',
  color: 'l.color',
  is_inbox: 'l.is_inbox',
  owner_id: 'l.owner_id',
  role: 'm.role',
  member_count: '(SELECT count(*) FROM list_members c WHERE c.list_id = l.id)::int',
  created_at: 'l.created_at',
  updated_at: 'l.updated_at',
  version: 'l.version',
} satisfies Record<ListColumn, string>;
const LIST = LIST_COLUMNS.map((c) => `${LIST_VIEW[c]} AS l_${c}`).join(', ');
/** The SQL type of each list column, for the rows that are no list (a UNION needs them typed). */
const LIST_TYPES = {
  id: 'uuid',
  name: 'varchar',
  color: 'varchar',
  is_inbox: 'boolean',
  owner_id: 'varchar',
  role: 'varchar',
  member_count: 'int',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  version: 'int',
} satisfies Record<ListColumn, string>;
const NO_LIST = LIST_COLUMNS.map((c) => `NULL::${LIST_TYPES[c]} AS l_${c}`).join(', ');

/**
 * The SQL of the change sequences (migrations ChangeSequence, Lists and SharedSync): the counter
 * rows in `task_counts`, the tasks by `(owner_id, seq)`, `task_tombstones`, and `list_feed`. An
 * owner's sequence numbers the changes in the lists they own (whoever made them); a reader follows
 * the sequence of every owner whose lists it is a member of, filtered to those lists (the
 * statement's access check: `list_members` in the same snapshot), and its own list feed.
 */
@Injectable()
export class ChangesRepository {
  constructor(private readonly db: Database) {}

  /**
   * The rows of one page (see `pageQuery`): on the primary when `primary` (a live stream told of a
   * write must not ask a replica that has not replayed it yet), otherwise where the user's reads go.
   */
  page(userId: string, request: PageRequest, primary: boolean): Promise<ChangeRow[]> {
    const statement = this.pageQuery(userId, request);
    return primary ? this.db.rows<ChangeRow>(statement, userId) : this.db.read<ChangeRow>(userId, statement);
  }

  /**
   * The one statement of a page of changes, so one snapshot: the reader's memberships; per owner of
   * those lists (a stream, numbered `ord` in owner order) its counter row and its position in the
   * token; the first `limit` changes after those positions, streams in `ord` order, each stream's
   * tasks and tombstones merged by seq (index range scans of (owner_id, seq) and the tombstones'
   * primary key, filtered to the reader's lists), so the rows taken are whole streams and a prefix
   * of the next; the reader's list-feed head and its first `limit` entries after `lists`. A
   * tombstone is the reader's when it is of one of their lists, or of a deleted list they owned then
   * (as before lists were shared: their clients may not read `lists` yet), and it is left out when the reader can see
   * the task where it is now and has its state there already (at or before their position in that
   * stream): streams are not ordered against each other, so that state may have come first. When
   * that state is still to come, the tombstone is given (the client drops the task, then gets it
   * back): were the reader to lose that list before reading it, the task must not stay behind.
   * Public so tests can EXPLAIN it.
   */
  pageQuery(userId: string, r: PageRequest): Statement {
    // A tombstone's task that the reader sees elsewhere and already has there: counted in the page
    // (its place in the stream), not given (`hidden`).
    const tombstones = r.incremental
      ? ` UNION ALL (SELECT d.seq, d.deleted_at, EXISTS (SELECT 1 FROM tasks v JOIN streams vs ON vs.owner_id = v.owner_id
                 WHERE v.id = d.id AND v.list_id = ANY(vs.lists) AND v.seq <= vs.pos), ${DEAD}
            FROM sync_stream_tombstones(s.owner_id, s.pos, s.lists, $1, $4) d)`
      : '';
    const gone = r.incremental ? '' : ' AND m.user_id IS NOT NULL';
    // Each stream's rows come from sync_stream_tasks / sync_stream_tombstones (migration SharedSync):
    // ordered range scans, whatever the planner guesses of a position it cannot see from here. The
    // reader's own stream is always read (their inbox may not exist yet, or their last list was
    // deleted: its tombstones are theirs).
    return sql(
      `SELECT * FROM (WITH my AS MATERIALIZED (
         SELECT m.list_id, l.owner_id FROM list_members m JOIN lists l ON l.id = m.list_id WHERE m.user_id = $1),
       streams AS MATERIALIZED (
         SELECT row_number() OVER (ORDER BY o.owner_id) AS ord, o.owner_id, o.lists, p.seq AS given,
                COALESCE(p.seq, 0) AS pos, COALESCE(c.seq, 0) AS head, COALESCE(c.pruned_seq, 0) AS pruned
           FROM (SELECT owner_id, array_agg(list_id) FILTER (WHERE list_id IS NOT NULL) AS lists
                   FROM (SELECT owner_id, list_id FROM my UNION ALL SELECT $1, NULL) x GROUP BY owner_id) o
           LEFT JOIN unnest($2::text[], $3::bigint[]) p(key, seq) ON p.key = ${streamKeySql('o.owner_id')}
           LEFT JOIN task_counts c ON c.user_id = o.owner_id)
       (SELECT 'task' AS kind, s.ord, NULL::varchar AS stream, NULL::bigint AS pos, ch.change_seq,
               NULL::bigint AS head, NULL::bigint AS pruned, ch.deleted_at, ch.hidden, ${TASK_COLUMNS.join(', ')},
               NULL::uuid AS feed_list, ${NO_LIST}
          FROM (SELECT * FROM streams ORDER BY ord) s
          CROSS JOIN LATERAL (
            SELECT * FROM (
              (SELECT t.seq AS change_seq, NULL::timestamptz AS deleted_at, false AS hidden, ${LIVE}
                 FROM sync_stream_tasks(s.owner_id, s.pos, s.lists, $4) t)${tombstones}
            ) u ORDER BY change_seq LIMIT $4
          ) ch
         ORDER BY s.ord, ch.change_seq LIMIT $4)
       UNION ALL
       SELECT 'stream', s.ord, s.owner_id, s.given, NULL, s.head, s.pruned, NULL, NULL, ${NO_TASK}, NULL, ${NO_LIST}
         FROM streams s
       UNION ALL
       SELECT 'lists', NULL, NULL, NULL, NULL, COALESCE(c.list_seq, 0), NULL, NULL, NULL, ${NO_TASK}, NULL, ${NO_LIST}
         FROM (SELECT 1) AS one LEFT JOIN task_counts c ON c.user_id = $1
       UNION ALL
       (SELECT 'list', NULL, NULL, NULL, f.seq, NULL, NULL, NULL, NULL, ${NO_TASK}, f.list_id, ${LIST}
          FROM list_feed f
          LEFT JOIN list_members m ON m.list_id = f.list_id AND m.user_id = f.user_id
          LEFT JOIN lists l ON l.id = m.list_id
         WHERE f.user_id = $1 AND f.seq > $5${gone}
         ORDER BY f.seq LIMIT $4)) page`,
      [userId, r.keys, r.seqs, r.limit, r.lists],
    );
  }

  /**
   * On the primary: the user and everyone who shares a list with them, the users whose writes may
   * change what the user sees (a task write is announced as its writer's: Database).
   */
  async coMembers(userId: string): Promise<string[]> {
    const rows = await this.db.rows<{ user_id: string }>(
      sql(
        `SELECT $1::varchar AS user_id UNION
         SELECT o.user_id FROM list_members m JOIN list_members o ON o.list_id = m.list_id WHERE m.user_id = $1`,
        [userId],
      ),
      userId,
    );
    return rows.map((r) => r.user_id);
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
