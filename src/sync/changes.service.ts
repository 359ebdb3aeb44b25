import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.js';
import { Database, sql, type Statement, type Tx } from '../database/database.js';
import { sweepEvery, sweepInBatches } from '../database/sweep.js';
import type { Task } from '../tasks/dto/task.dto.js';
import { TASK_COLUMNS } from '../tasks/task.schema.js';
import type { ChangesDto, TombstoneDto } from './dto/changes.dto.js';
import { decodeSyncToken, encodeSyncToken } from './sync-token.js';
import { InvalidSyncTokenError, SyncTokenExpiredError } from './sync.errors.js';

/** Tombstones deleted per statement by the sweep. */
export const TOMBSTONE_SWEEP_BATCH = 5000;
const SWEEP_EVERY_MS = 60 * 60 * 1000;

type ChangeRow = Task & {
  change_seq: string | null;
  deleted_at: string | null;
  head: string | null;
  pruned: string | null;
};

/** A page of changes, each with the token right after it. */
export interface ChangePage {
  changes: { entry: Task | TombstoneDto; token: string }[];
  /** After the page (or, when `more` is false, after every change so far). */
  token: string;
  more: boolean;
}

const LIVE = TASK_COLUMNS.map((c) => `t.${c}`).join(', ');
// A tombstone has the task columns' places, empty, so both kinds share one result.
const DEAD = ['d.id', ...TASK_COLUMNS.slice(1).map(() => 'NULL')].join(', ');

/**
 * Incremental sync over the per-user change sequence (migration ChangeSequence): one statement
 * reads the user's counter row, the tasks changed after the token and the tombstones after it, in
 * one snapshot. The database assigns the sequence so that a snapshot always holds a prefix of it
 * (one user's writers number and commit in turn), which is what makes following tokens gap-free.
 */
@Injectable()
export class ChangesService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ChangesService.name);
  private readonly retentionDays: number;
  private stopSweeping?: () => void;

  constructor(
    private readonly db: Database,
    config: ConfigService<Env, true>,
  ) {
    this.retentionDays = config.get('SYNC_RETENTION_DAYS', { infer: true });
  }

  /**
   * The changes after `since` (a sync token; absent: a full sync of live tasks), at most `limit`.
   * Each task appears once, in its current state, at the place of its latest change.
   */
  async changes(userId: string, since: string | undefined, limit: number): Promise<ChangesDto> {
    const page = await this.page(userId, since, limit);
    return {
      changes: page.changes.map((c) => c.entry),
      sync_token: page.token,
      has_more: page.more,
    };
  }

  /**
   * A page of changes as `changes` gives it, each with the token right after it (the last one's is
   * the page's `token`): what a live stream sends as event ids. `primary`: read on the primary (a
   * live stream, told of a write, must not ask a replica that has not replayed it yet).
   */
  async page(
    userId: string,
    since: string | undefined,
    limit: number,
    { primary = false } = {},
  ): Promise<ChangePage> {
    const at = since === undefined ? { seq: 0, floor: 0 } : decodeSyncToken(userId, since);
    if (at === undefined) throw new InvalidSyncTokenError();
    const statement = this.changesQuery(userId, at.seq, limit + 1, since !== undefined);
    const rows = primary
      ? await this.db.rows<ChangeRow>(statement)
      : await this.db.read<ChangeRow>(userId, statement);
    const head = Number(rows[0]?.head ?? 0);
    if (since !== undefined && at.floor < Number(rows[0]?.pruned ?? 0))
      throw new SyncTokenExpiredError(this.retentionDays);
    // In change order (sorted here: an ORDER BY over the join would make PostgreSQL sort the page again).
    const found = rows
      .filter((r) => r.change_seq !== null)
      .map((r) => ({ seq: Number(r.change_seq), row: r }))
      .sort((a, b) => a.seq - b.seq);
    const page = found.slice(0, limit);
    const more = found.length > limit;
    // A full sync's later pages are incremental from its first page's head on (see SyncPosition).
    const floorFrom = since === undefined ? head : at.floor;
    const tokenAt = (seq: number) => encodeSyncToken(userId, { seq, floor: Math.max(seq, floorFrom) });
    // Never backwards: a replica a little behind the token answers no changes and the same token.
    const token = tokenAt(more ? page.at(-1)!.seq : Math.max(head, at.seq));
    return {
      // Each change's token is made when read (a checksum each): `changes()` reads none of them.
      changes: page.map(({ seq, row }, i) => ({
        entry: entry(row),
        get token() {
          return i === page.length - 1 ? token : tokenAt(seq);
        },
      })),
      token,
      more,
    };
  }

  /**
   * The token of the user's change sequence as it stands on the primary ("from now on"), or as `tx`
   * sees it: the counter row a writing transaction holds, so right after its changes.
   */
  async headToken(userId: string, tx?: Tx): Promise<string> {
    const [row] = await this.db.rows<{ seq: string }>(
      sql('SELECT seq FROM task_counts WHERE user_id = $1', [userId]),
      tx,
    );
    const seq = Number(row?.seq ?? 0);
    return encodeSyncToken(userId, { seq, floor: seq });
  }

  /**
   * The one statement of a page of changes: the user's counter row, and the `limit` first changes
   * after `from` (tombstones too when `incremental`), each side an index range scan (tasks by
   * (user_id, seq), tombstones by their primary key), merged in order but returned in no promised
   * order (`changes` sorts them). Public so tests can EXPLAIN it.
   */
  changesQuery(userId: string, from: number, limit: number, incremental: boolean): Statement {
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
               WHERE t.user_id = $1 AND t.seq > $2 ORDER BY t.seq LIMIT $3)${tombstones}
           ) u ORDER BY change_seq LIMIT $3
         ) ch ON true`,
      [userId, from, limit],
    );
  }

  /**
   * Deletes tombstones older than SYNC_RETENTION_DAYS in batches of TOMBSTONE_SWEEP_BATCH (SKIP
   * LOCKED: instances share the work), raising each user's `pruned_seq` past them in the same
   * statement: a token from before is then 410. How many it deleted.
   */
  async sweep(): Promise<number> {
    const batch = sql(
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
      [this.retentionDays, TOMBSTONE_SWEEP_BATCH],
    );
    return sweepInBatches(TOMBSTONE_SWEEP_BATCH, async () => (await this.db.rows<{ n: number }>(batch))[0].n);
  }

  onModuleInit(): void {
    this.stopSweeping = sweepEvery(SWEEP_EVERY_MS, () => this.sweep(), this.logger, 'Tombstone');
  }

  onModuleDestroy(): void {
    this.stopSweeping?.();
  }
}

function entry(row: ChangeRow): Task | TombstoneDto {
  if (row.deleted_at !== null) return { id: row.id, deleted: true, deleted_at: row.deleted_at };
  const task = {} as Record<string, unknown>;
  for (const column of TASK_COLUMNS) task[column] = row[column];
  return task as unknown as Task;
}
