import { Injectable } from '@nestjs/common';
import { isUuid } from '../common/uuid.js';
import { Database, type Transaction } from '../database/database.js';
import { retrying } from '../database/retrying.js';
import { databaseUnavailable } from '../database/server-pool.js';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { ChangesService } from '../sync/changes.service.js';
import type { Task } from '../tasks/dto/task.dto.js';
import { BatchDependencyError, PlacementConflictError } from '../tasks/task.errors.js';
import { DEADLOCK, PLACEMENT_ATTEMPTS } from '../tasks/task-ordering.js';
import { TasksService } from '../tasks/tasks.service.js';
import type { BatchCommand } from './batch-commands.js';

/** What one command did: the task it created or changed, `deleted`, or its error. */
export type CommandOutcome = { created: Task } | { task: Task } | { deleted: true } | Error;

/** What a batch did: each command's outcome, the id each temp_id got, the sync token right after it. */
export interface BatchOutcome {
  outcomes: CommandOutcome[];
  tempIds: Record<string, string>;
  syncToken: string;
}

/**
 * How a batch's outcome becomes its answer (the caller's: it knows what errors mean in HTTP). It
 * runs inside the batch's transaction, before an Idempotency-Key stores the answer: an error that is
 * no command's fault is thrown from it, and the whole batch is undone.
 */
export type Answer<R> = (outcome: BatchOutcome) => R;

/** A command failed in PostgreSQL during the fast run: the batch is undone and runs again with savepoints. */
class CarefulRerun extends Error {}

/**
 * Runs a batch of commands in order, in one transaction; a command that fails (with the error its
 * single route would throw) undoes only itself. First without savepoints (a round trip costs more
 * than the statement here, and almost every failure is a rule the app checks before writing); when
 * PostgreSQL itself fails a command, the batch runs again with a savepoint per command, which undoes
 * that command alone. The batch commits as a whole: other readers see all of its changes at once,
 * and the change sequence takes one block for all of them. An error that is not the command's fault
 * (the database gone, a deadlock, a bug) undoes the whole batch and is thrown: nothing happened, and
 * a retry (under the same Idempotency-Key) is safe.
 */
@Injectable()
export class BatchService {
  constructor(
    private readonly db: Database,
    private readonly tasks: TasksService,
    private readonly idempotency: IdempotencyService,
    private readonly changeFeed: ChangesService,
  ) {}

  /**
   * Runs `commands` (each parsed, or the error that stops it from running) for `userId`, and
   * answers what `answer` makes of the outcome. With an `idempotencyKey` (and the request's
   * `fingerprint`) a retry replays the first answer whole.
   */
  async run<R>(
    userId: string,
    commands: (BatchCommand | Error)[],
    answer: Answer<R>,
    idempotent?: { key: string; fingerprint: string },
  ): Promise<{ value: R; replayed: boolean }> {
    const once = (careful: boolean) => {
      const work = async (tx: Transaction) => answer(await this.execute(tx, userId, commands, careful));
      return idempotent === undefined
        ? this.db.transaction(userId, work).then((value) => ({ value, replayed: false }))
        : this.idempotency.run(userId, idempotent.key, [idempotent.fingerprint], () =>
            this.db.transaction(userId, work),
          );
    };
    // Again when PostgreSQL undid it to break a deadlock: the whole batch was rolled back, so
    // running it again is safe. Locks taken up front make this rare (a respacing or a cascade can
    // still meet a concurrent write in the other order).
    const deadlocked = (err: unknown) => (err as { code?: unknown }).code === DEADLOCK;
    return retrying(PLACEMENT_ATTEMPTS, deadlocked, () =>
      once(false).catch((err: unknown) => {
        if (err instanceof CarefulRerun) return once(true);
        throw err;
      }),
    );
  }

  private async execute(
    tx: Transaction,
    userId: string,
    commands: (BatchCommand | Error)[],
    careful: boolean,
  ): Promise<BatchOutcome> {
    await this.lockUpFront(userId, commands);
    const created = new Map<string, string>();
    const outcomes: CommandOutcome[] = [];
    for (const command of commands) {
      if (command instanceof Error) {
        outcomes.push(command);
        continue;
      }
      const run = () => this.apply(userId, command, created);
      outcomes.push(careful ? await this.underSavepoint(tx, run) : await this.optimistically(tx, run));
    }
    return {
      outcomes,
      tempIds: Object.fromEntries(created),
      // The counter row this transaction holds (or, when nothing was written, the head it sees).
      syncToken: await this.changeFeed.headToken(userId),
    };
  }

  /**
   * The locks a batch would otherwise take in the middle, taken first and in the order single writes
   * take them: the ordering locks of the lists the commands write, in list order (moves and placed
   * creates take their list's before any row; a create without `list_id` writes the inbox, a move
   * with one writes that list too), then
   * every existing task the commands name and the subtasks of those it deletes, by id. A single
   * write locks its task's row before the user's counter row; a batch holds the counter row from its
   * first write to its commit, so without this, a PATCH of a task that a later command of the batch
   * changes deadlocks with it.
   */
  private async lockUpFront(userId: string, commands: (BatchCommand | Error)[]): Promise<void> {
    const ids = new Set<string>();
    const deleted = new Set<string>();
    const lists = new Set<string>();
    let inbox = false;
    for (const command of commands) {
      if (command instanceof Error) continue;
      if (command.op === 'create') {
        if (isUuid(command.dto.list_id)) lists.add(command.dto.list_id.toLowerCase());
        else inbox = true;
      }
      // A move into another list takes that list's ordering lock too.
      if (command.op === 'move' && isUuid(command.dto.list_id)) lists.add(command.dto.list_id.toLowerCase());
      const refs =
        command.op === 'create'
          ? [command.dto.parent_id, command.dto.after]
          : command.op === 'move'
            ? [command.task_id, command.dto.parent_id, command.dto.after]
            : [command.task_id];
      for (const ref of refs) if (isUuid(ref)) ids.add(ref.toLowerCase());
      // A completion of a recurring task resets its subtasks: lock them up front too.
      if ((command.op === 'delete' || command.op === 'complete') && isUuid(command.task_id))
        deleted.add(command.task_id.toLowerCase());
    }
    // The subtasks of deleted (and completed) tasks too: the cascade (the reset) would lock them after the counter row.
    await this.tasks.lockForBatch(userId, [...ids], [...deleted], [...lists], inbox);
  }

  /**
   * The fast way, one round trip per statement and no savepoints: a command's outcome, or its error
   * when the transaction is still good. The rules fail a command before it writes anything (ids,
   * versions, placements and bodies are checked first), so such an error leaves nothing behind. An
   * error from PostgreSQL aborts the transaction instead (a limit, a conflict, a deadlock): then the
   * whole batch runs again, carefully (CarefulRerun).
   */
  private async optimistically(tx: Transaction, run: () => Promise<CommandOutcome>): Promise<CommandOutcome> {
    try {
      return await run();
    } catch (err) {
      unavailable(err);
      if (await tx.aborted()) throw new CarefulRerun();
      return err as Error;
    }
  }

  /**
   * The careful way: the command under a savepoint, so a failure in PostgreSQL undoes only this
   * command; a placement conflict is tried again, like a single move. Its outcome or its error.
   */
  private async underSavepoint(tx: Transaction, run: () => Promise<CommandOutcome>): Promise<CommandOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await tx.savepoint(run);
      } catch (err) {
        unavailable(err);
        if (!(err instanceof PlacementConflictError) || attempt === PLACEMENT_ATTEMPTS) return err as Error;
      }
    }
  }

  /** What the command's single route does, in the batch's transaction. */
  private async apply(
    userId: string,
    command: BatchCommand,
    created: Map<string, string>,
  ): Promise<CommandOutcome> {
    const resolve = <T extends string | null | undefined>(reference: T): T | string => {
      if (typeof reference !== 'string') return reference;
      if (isUuid(reference)) return reference.toLowerCase();
      const id = created.get(reference);
      if (id === undefined) throw new BatchDependencyError(reference);
      return id;
    };
    if (command.op === 'create') {
      const dto = {
        ...command.dto,
        parent_id: resolve(command.dto.parent_id),
        after: resolve(command.dto.after),
      };
      const { task } = await this.tasks.create(userId, dto);
      if (command.temp_id !== undefined) created.set(command.temp_id, task.id);
      return { created: task };
    }
    const id = resolve(command.task_id);
    switch (command.op) {
      case 'update':
        return { task: await this.tasks.update(userId, id, command.dto, command.versions) };
      case 'complete':
        return {
          task: await this.tasks.setCompleted(
            userId,
            id,
            command.completed,
            command.versions,
            command.occurrence,
          ),
        };
      case 'move': {
        const dto = {
          ...command.dto,
          parent_id: resolve(command.dto.parent_id),
          after: resolve(command.dto.after),
        };
        return { task: await this.tasks.move(userId, id, dto, command.versions) };
      }
      case 'delete':
        await this.tasks.remove(userId, id, command.versions);
        return { deleted: true };
    }
  }
}

/**
 * Throws `err` at once when the database is not answering (a lost connection, a timeout, a deadlock): no
 * probe, rollback to a savepoint or careful rerun could help, and each would wait out another
 * timeout. The whole batch is undone (a deadlock is retried whole).
 */
function unavailable(err: unknown): void {
  if (databaseUnavailable(err)) throw err;
}
