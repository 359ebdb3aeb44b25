import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.js';
import { sweepEvery, sweepInBatches } from '../database/sweep.js';
import type { Task } from '../tasks/dto/task.dto.js';
import { TASK_COLUMNS } from '../tasks/task.schema.js';
import { ChangesRepository, TOMBSTONE_SWEEP_BATCH, type ChangeRow } from './changes.repository.js';
import type { ChangesDto, TombstoneDto } from './dto/changes.dto.js';
import { SyncTokens } from './sync-tokens.js';
import { InvalidSyncTokenError, SyncTokenExpiredError } from './sync.errors.js';

export { TOMBSTONE_SWEEP_BATCH } from './changes.repository.js';
const SWEEP_EVERY_MS = 60 * 60 * 1000;

/** A page of changes, each with the token right after it. */
export interface ChangePage {
  changes: { entry: Task | TombstoneDto; token: string }[];
  /** After the page (or, when `more` is false, after every change so far). */
  token: string;
  more: boolean;
}

/**
 * Incremental sync over the per-user change sequence (migration ChangeSequence; the SQL is
 * ChangesRepository's): one statement reads the user's counter row, the tasks changed after the token and the tombstones after it, in
 * one snapshot. The database assigns the sequence so that a snapshot always holds a prefix of it
 * (one user's writers number and commit in turn), which is what makes following tokens gap-free.
 */
@Injectable()
export class ChangesService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ChangesService.name);
  private readonly retentionDays: number;
  private stopSweeping?: () => void;

  constructor(
    private readonly repo: ChangesRepository,
    private readonly tokens: SyncTokens,
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
    const tokens = await this.tokens.of(userId);
    const at = since === undefined ? { seq: 0, floor: 0 } : tokens.decode(since);
    if (at === undefined) throw new InvalidSyncTokenError();
    const rows = await this.repo.page(userId, at.seq, limit + 1, since !== undefined, primary);
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
    const tokenAt = (seq: number) => tokens.encode({ seq, floor: Math.max(seq, floorFrom) });
    // Never backwards: a replica a little behind the token answers no changes and the same token.
    const token = tokenAt(more ? page.at(-1)!.seq : Math.max(head, at.seq));
    return {
      // Each change's token is made when read (an HMAC each): `changes()` reads none of them.
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
   * The token of the user's change sequence as it stands on the primary ("from now on"), or as the
   * current transaction sees it: the counter row a writing transaction holds, so right after its changes.
   */
  async headToken(userId: string): Promise<string> {
    const [seq, tokens] = await Promise.all([this.repo.head(userId), this.tokens.of(userId)]);
    return tokens.encode({ seq, floor: seq });
  }

  /** Whether `token` is a sync token issued to `userId` (expired or not). */
  async isToken(userId: string, token: string): Promise<boolean> {
    return (await this.tokens.of(userId)).decode(token) !== undefined;
  }

  /**
   * Deletes tombstones older than SYNC_RETENTION_DAYS in batches of TOMBSTONE_SWEEP_BATCH, raising
   * each user's `pruned_seq` past them: a token from before is then 410. How many it deleted.
   */
  sweep(): Promise<number> {
    return sweepInBatches(TOMBSTONE_SWEEP_BATCH, () => this.repo.sweepBatch(this.retentionDays));
  }

  onModuleInit(): void {
    this.stopSweeping = sweepEvery(SWEEP_EVERY_MS, () => this.sweep(), this.logger, 'Tombstone');
  }

  onModuleDestroy(): void {
    this.stopSweeping?.();
  }
}

/** The change a row holds: the task (its columns only, in the API's order), or a tombstone. */
function entry(row: ChangeRow): Task | TombstoneDto {
  if (row.deleted_at !== null) return { id: row.id, deleted: true, deleted_at: row.deleted_at };
  const task: Partial<Record<keyof Task, unknown>> = {};
  for (const column of TASK_COLUMNS) task[column] = row[column];
  return task as Task;
}
