import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.js';
import { sweepEvery, sweepInBatches } from '../database/sweep.js';
import type { Task } from '../tasks/dto/task.dto.js';
import { TASK_COLUMNS } from '../tasks/task.schema.js';
import { ChangesRepository, TOMBSTONE_SWEEP_BATCH, type ChangeRow } from './changes.repository.js';
import type { ChangesDto, DeletedListDto, TombstoneDto } from './dto/changes.dto.js';
import type { ListDto } from '../lists/dto/list.dto.js';
import { LIST_COLUMNS } from '../lists/list.schema.js';
import { streamKey, type StreamPosition, type SyncPosition } from './sync-token.js';
import { SyncTokens } from './sync-tokens.js';
import { InvalidSyncTokenError, SyncTokenExpiredError } from './sync.errors.js';

export { TOMBSTONE_SWEEP_BATCH } from './changes.repository.js';
const SWEEP_EVERY_MS = 60 * 60 * 1000;

/** One change of a page: a task's (its state or a tombstone) or a list's (its state, or gone). */
export type PageEntry =
  | { kind: 'task'; entry: Task | TombstoneDto; token: string }
  | { kind: 'list'; entry: ListDto | DeletedListDto; token: string };

/** A page of changes, each with the token right after it: the lists' first, then the tasks'. */
export interface ChangePage {
  changes: PageEntry[];
  /** After the page (or, when `more` is false, after every change so far). */
  token: string;
  more: boolean;
}

/** A stream of the page: an owner whose lists the reader can see, with its counter row. */
interface StreamRow {
  ord: number;
  key: string;
  head: number;
  pruned: number;
}

/**
 * Incremental sync over the change sequences (migrations ChangeSequence, Lists, SharedSync; the SQL
 * is ChangesRepository's): one statement reads, in one snapshot, the reader's memberships, the
 * sequence of each owner whose lists it can see after the token's position for it (filtered to
 * those lists), and its own list feed. The database assigns every sequence so that a snapshot always
 * holds a prefix of each (one owner's writers number and commit in turn), and each page takes a
 * prefix of each sequence, which is what makes following tokens gap-free.
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
   * The changes after `since` (a sync token; absent: a full sync of the live tasks and the lists),
   * at most `limit` of the tasks and at most `limit` of the lists. Each task and list appears once,
   * in its current state.
   */
  async changes(userId: string, since: string | undefined, limit: number): Promise<ChangesDto> {
    const page = await this.page(userId, since, limit);
    const changes: (Task | TombstoneDto)[] = [];
    const lists: (ListDto | DeletedListDto)[] = [];
    for (const c of page.changes) {
      if (c.kind === 'task') changes.push(c.entry);
      else lists.push(c.entry);
    }
    return { changes, lists, sync_token: page.token, has_more: page.more };
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
    const at: SyncPosition | undefined =
      since === undefined ? { lists: 0, streams: new Map() } : tokens.decode(since);
    if (at === undefined) throw new InvalidSyncTokenError();
    const keys = [...at.streams.keys()];
    const rows = await this.repo.page(
      userId,
      {
        keys,
        seqs: keys.map((k) => at.streams.get(k)!.seq),
        lists: at.lists,
        limit: limit + 1,
        incremental: since !== undefined,
      },
      primary,
    );
    const streams: StreamRow[] = [];
    const tasks: { ord: number; seq: number; row: ChangeRow }[] = [];
    const lists: { seq: number; row: ChangeRow }[] = [];
    let listHead = 0;
    for (const row of rows) {
      if (row.kind === 'stream')
        streams.push({
          ord: Number(row.ord),
          key: streamKey(row.stream!),
          head: Number(row.head),
          pruned: Number(row.pruned),
        });
      else if (row.kind === 'lists') listHead = Number(row.head);
      else if (row.kind === 'task') tasks.push({ ord: Number(row.ord), seq: Number(row.change_seq), row });
      else lists.push({ seq: Number(row.change_seq), row });
    }
    for (const s of streams) {
      const given = at.streams.get(s.key);
      if (given !== undefined && given.floor < s.pruned) throw new SyncTokenExpiredError(this.retentionDays);
    }
    // In order (sorted here: an ORDER BY over the union would make PostgreSQL sort the page again).
    streams.sort((a, b) => a.ord - b.ord);
    tasks.sort((a, b) => a.ord - b.ord || a.seq - b.seq);
    lists.sort((a, b) => a.seq - b.seq);
    const taken = tasks.slice(0, limit);
    const listsTaken = lists.slice(0, limit);
    const tasksMore = tasks.length > limit;
    const listsMore = lists.length > limit;
    // The streams before the first task not taken were read to their end; that one up to what was taken.
    const cut = tasksMore ? tasks[limit].ord : Infinity;
    const lastTaken = new Map<number, number>();
    for (const t of taken) lastTaken.set(t.ord, t.seq);

    /** Where stream `s` stands once the page is taken up to (`upto`, a stream ord, and `seq` in it). */
    const streamAt = (s: StreamRow, upto: { ord: number; seq: number }): StreamPosition => {
      const given = at.streams.get(s.key);
      const pos = given?.seq ?? 0;
      const seq =
        s.ord < upto.ord ? Math.max(pos, s.head) : s.ord === upto.ord ? Math.max(pos, upto.seq) : pos;
      // A full sync, and a stream new to the token, begin at the head: deletions before it were never the client's.
      const floor = since === undefined || given === undefined ? s.head : given.floor;
      return { seq, floor: Math.max(seq, floor) };
    };
    const tokenAt = (listsAt: number, upto: { ord: number; seq: number } | undefined) =>
      tokens.encode({
        lists: listsAt,
        streams: upto
          ? new Map(streams.map((s) => [s.key, streamAt(s, upto)]))
          : new Map([...at.streams].filter(([key]) => streams.some((s) => s.key === key))),
      });
    const listsEnd = listsMore ? listsTaken.at(-1)!.seq : Math.max(listHead, at.lists);
    const end = cut === Infinity ? { ord: Infinity, seq: 0 } : { ord: cut, seq: lastTaken.get(cut) ?? 0 };
    // Never backwards: a replica a little behind the token answers no changes and the same positions.
    const token = tokenAt(listsEnd, end);
    // Each change's token is made when read (an HMAC each): `changes()` reads none of them. The
    // last one's is the page's.
    const made: { kind: 'list' | 'task'; entry: PageEntry['entry']; at: () => string }[] = [];
    listsTaken.forEach(({ seq, row }, i) =>
      made.push({
        kind: 'list',
        entry: listEntry(row),
        at: () => tokenAt(i === listsTaken.length - 1 ? listsEnd : seq, undefined),
      }),
    );
    // A task that moved from one list of the reader's to another may have its tombstone (the old
    // list's) and its new state in one page, in any order: the new state wins.
    const present = new Set(taken.filter((x) => x.row.deleted_at === null).map((x) => x.row.id));
    for (const { ord, seq, row } of taken) {
      if (row.deleted_at !== null && (row.hidden === true || present.has(row.id))) continue;
      made.push({ kind: 'task', entry: taskEntry(row), at: () => tokenAt(listsEnd, { ord, seq }) });
    }
    const entries = made.map(
      ({ kind, entry, at: tokenAfter }, i) =>
        ({
          kind,
          entry,
          get token() {
            return i === made.length - 1 ? token : tokenAfter();
          },
        }) as PageEntry,
    );
    return { changes: entries, token, more: tasksMore || listsMore };
  }

  /**
   * The token of every sequence the user follows as it stands on the primary ("from now on"), or as
   * the current transaction sees it: the counter rows a writing transaction holds, so right after
   * its changes.
   */
  async headToken(userId: string): Promise<string> {
    const tokens = await this.tokens.of(userId);
    const rows = await this.repo.page(
      userId,
      { keys: [], seqs: [], lists: 0, limit: 0, incremental: false },
      true,
    );
    const streams = new Map<string, StreamPosition>();
    let lists = 0;
    for (const row of rows) {
      if (row.kind === 'lists') lists = Number(row.head);
      if (row.kind !== 'stream') continue;
      const head = Number(row.head);
      streams.set(streamKey(row.stream!), { seq: head, floor: head });
    }
    return tokens.encode({ lists, streams });
  }

  /**
   * The users whose writes may change what `userId` sees: themselves and everyone who shares a list
   * with them (a live stream listens for their announcements).
   */
  watched(userId: string): Promise<string[]> {
    return this.repo.coMembers(userId);
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

/** The change a task row holds: the task (its columns only, in the API's order), or a tombstone. */
function taskEntry(row: ChangeRow): Task | TombstoneDto {
  if (row.deleted_at !== null) return { id: row.id, deleted: true, deleted_at: row.deleted_at };
  const task: Partial<Record<keyof Task, unknown>> = {};
  for (const column of TASK_COLUMNS) task[column] = row[column];
  return task as Task;
}

/** The change a list-feed row holds: the list as the reader sees it, or gone (no membership any more). */
function listEntry(row: ChangeRow): ListDto | DeletedListDto {
  if (row.l_id === null) return { id: row.feed_list!, deleted: true };
  const list: Partial<Record<keyof ListDto, unknown>> = {};
  for (const column of LIST_COLUMNS) list[column] = row[`l_${column}`];
  return list as ListDto;
}
