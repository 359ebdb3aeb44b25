import { Injectable, type Type } from '@nestjs/common';
import { fingerprint } from '../../common/fingerprint.js';
import { isUuid } from '../../common/uuid.js';
import { Database, sql, type Tx } from '../../database/database.js';
import { connectionLost } from '../../database/server-pool.js';
import { problemBody, problemOf } from '../../errors/problem.filter.js';
import { validationPipe } from '../../errors/validation.js';
import { IdempotencyService } from '../../idempotency/idempotency.service.js';
import { RateLimiter } from '../../rate-limit/rate-limiter.js';
import { ChangesService } from '../../sync/changes.service.js';
import { CreateTaskDto } from '../dto/create-task.dto.js';
import { MoveTaskDto } from '../dto/move-task.dto.js';
import { SetCompletedDto } from '../dto/set-completed.dto.js';
import { UpdateTaskDto } from '../dto/update-task.dto.js';
import { parseIfMatch } from '../etag.js';
import { isTaskError, toProblem } from '../task-problems.filter.js';
import { BatchDependencyError, PlacementConflictError } from '../task.errors.js';
import { DEADLOCK, PLACEMENT_ATTEMPTS, retrying, TaskOrdering } from '../task-ordering.js';
import { TasksRepository } from '../tasks.repository.js';
import { TasksService } from '../tasks.service.js';
import { checkBatch, REFERENCES } from './batch-plan.js';
import type { BatchCommandDto, BatchDto, BatchResponseDto, BatchResultDto } from './batch.dto.js';

/** Where the batch request was made: what each command's problem object names. */
export interface BatchRequest {
  instance: string;
  requestId: string;
}

const SAVEPOINT = sql('SAVEPOINT batch_command', []);
const RELEASE = sql('RELEASE SAVEPOINT batch_command', []);
const ROLLBACK = sql('ROLLBACK TO SAVEPOINT batch_command', []);
const PROBE = sql('SELECT 1', []);
const IN_FAILED_TRANSACTION = '25P02';

/** A command failed in PostgreSQL during the fast run: the batch is undone and runs again with savepoints. */
class CarefulRerun extends Error {}

/**
 * `POST /api/tasks/batch`: commands in order, in one transaction; a command that fails (with the
 * problem its single route would give) undoes only itself. First without savepoints (a round trip
 * costs more than the statement here, and almost every failure is a rule the app checks before
 * writing); when PostgreSQL itself fails a command, the batch runs again with a savepoint per
 * command, which undoes that command alone. The batch commits as a whole: other readers see all of its changes at once, and the change sequence
 * takes one block for all of them. An error that is not the command's fault (the database gone, a
 * deadlock, a bug) undoes the whole batch, which then answers that error: nothing happened, and
 * a retry (under the same Idempotency-Key) is safe.
 */
@Injectable()
export class BatchService {
  constructor(
    private readonly db: Database,
    private readonly tasks: TasksService,
    private readonly repo: TasksRepository,
    private readonly idempotency: IdempotencyService,
    private readonly ordering: TaskOrdering,
    private readonly limiter: RateLimiter,
    private readonly changeFeed: ChangesService,
  ) {}

  async run(
    userId: string,
    batch: BatchDto,
    request: BatchRequest,
    idempotencyKey?: string,
  ): Promise<{ response: BatchResponseDto; replayed: boolean }> {
    checkBatch(batch.commands);
    // Each command counts against the user's rate limit like a request (the request itself counted one).
    await this.limiter.consumeUser(userId, batch.commands.length - 1);
    const once = (careful: boolean) => {
      const work = (tx: Tx) => this.execute(tx, userId, batch.commands, request, careful);
      return idempotencyKey === undefined
        ? this.db.transaction(work).then((value) => ({ value, replayed: false }))
        : this.idempotency.run(userId, idempotencyKey, fingerprint({ batch: batch.commands }), work);
    };
    // Again when PostgreSQL undid it to break a deadlock: the whole batch was rolled back, so
    // running it again is safe. Locks taken up front make this rare (a respacing or a cascade can
    // still meet a concurrent write in the other order).
    const deadlocked = (err: unknown) => (err as { code?: unknown }).code === DEADLOCK;
    const { value, replayed } = await retrying(PLACEMENT_ATTEMPTS, deadlocked, () =>
      once(false).catch((err: unknown) => {
        if (err instanceof CarefulRerun) return once(true);
        throw err;
      }),
    );
    if (!replayed && value.results.some((r) => r.status < 300)) await this.repo.markWritten(userId);
    return { response: value, replayed };
  }

  private async execute(
    tx: Tx,
    userId: string,
    commands: BatchCommandDto[],
    request: BatchRequest,
    careful: boolean,
  ): Promise<BatchResponseDto> {
    await this.lockUpFront(tx, userId, commands);
    const created = new Map<string, string>();
    const results: BatchResultDto[] = [];
    for (const command of commands) {
      const run = () => this.apply(tx, userId, command, created);
      const outcome = careful ? await this.underSavepoint(tx, run) : await this.optimistically(tx, run);
      results.push(outcome instanceof Error ? failure(outcome, request) : outcome);
    }
    return {
      results,
      temp_id_mapping: Object.fromEntries(created),
      // The counter row this transaction holds (or, when nothing was written, the head it sees).
      sync_token: await this.changeFeed.headToken(userId, tx),
    };
  }

  /**
   * The locks a batch would otherwise take in the middle, taken first and in the order single writes
   * take them: the user's ordering lock (moves and placed creates take it before any row), then
   * every existing task the commands name and the subtasks of those it deletes, by id. A single write locks its task's row before the
   * user's counter row; a batch holds the counter row from its first write to its commit, so
   * without this, a PATCH of a task that a later command of the batch changes deadlocks with it.
   */
  private async lockUpFront(tx: Tx, userId: string, commands: BatchCommandDto[]): Promise<void> {
    const ids = new Set<string>();
    const deleted = new Set<string>();
    for (const command of commands) {
      for (const ref of [command.task_id, ...REFERENCES.map((field) => command.data?.[field])])
        if (isUuid(ref)) ids.add(ref.toLowerCase());
      if (command.op === 'delete' && isUuid(command.task_id)) deleted.add(command.task_id.toLowerCase());
    }
    await this.ordering.lock(tx, userId);
    // The subtasks of deleted tasks too: the cascade would lock them after the counter row.
    if (ids.size)
      await this.db.execute(
        sql(
          `SELECT 1 FROM tasks WHERE user_id = $1 AND (id = ANY($2::uuid[]) OR parent_id = ANY($3::uuid[]))
            ORDER BY id FOR UPDATE`,
          [userId, [...ids], [...deleted]],
        ),
        tx,
      );
  }

  /**
   * The fast way, one round trip per statement and no savepoints: a command's result, or its error
   * when the transaction is still good. The rules fail a command before it writes anything (ids,
   * versions, placements and bodies are checked first), so such an error leaves nothing behind. An
   * error from PostgreSQL aborts the transaction instead (a limit, a conflict, a deadlock): then the
   * whole batch runs again, carefully (CarefulRerun).
   */
  private async optimistically(tx: Tx, run: () => Promise<BatchResultDto>): Promise<BatchResultDto | Error> {
    try {
      return await run();
    } catch (err) {
      unavailable(err);
      if (await this.aborted(tx)) throw new CarefulRerun();
      return err as Error;
    }
  }

  /** Whether an error aborted `tx` (PostgreSQL then refuses every statement until the rollback). */
  private async aborted(tx: Tx): Promise<boolean> {
    try {
      await this.db.execute(PROBE, tx);
      return false;
    } catch (err) {
      if ((err as { code?: unknown }).code === IN_FAILED_TRANSACTION) return true;
      throw err;
    }
  }

  /**
   * The careful way: the command under a savepoint, so a failure in PostgreSQL undoes only this
   * command; a placement conflict is tried again, like a single move. Its result or its error.
   */
  private async underSavepoint(tx: Tx, run: () => Promise<BatchResultDto>): Promise<BatchResultDto | Error> {
    for (let attempt = 1; ; attempt++) {
      await this.db.execute(SAVEPOINT, tx);
      try {
        const result = await run();
        await this.db.execute(RELEASE, tx);
        return result;
      } catch (err) {
        unavailable(err);
        await this.db.execute(ROLLBACK, tx);
        await this.db.execute(RELEASE, tx);
        if (!(err instanceof PlacementConflictError) || attempt === PLACEMENT_ATTEMPTS) return err as Error;
      }
    }
  }

  /** What the command's single route does, on `tx`. */
  private async apply(
    tx: Tx,
    userId: string,
    command: BatchCommandDto,
    created: Map<string, string>,
  ): Promise<BatchResultDto> {
    const resolve = (reference: string): string => {
      if (isUuid(reference)) return reference.toLowerCase();
      const id = created.get(reference);
      if (id === undefined) throw new BatchDependencyError(reference);
      return id;
    };
    const data: Record<string, unknown> = { ...command.data };
    if (command.op === 'create' || command.op === 'move')
      for (const field of REFERENCES) if (typeof data[field] === 'string') data[field] = resolve(data[field]);
    if (command.op === 'create') {
      const task = await this.tasks.createIn(tx, userId, await body(CreateTaskDto, data));
      if (command.temp_id !== undefined) created.set(command.temp_id, task.id);
      return { status: 201, task };
    }
    // checkBatch made sure every other op names its task.
    const id = resolve(command.task_id!);
    const versions = parseIfMatch(command.if_match);
    switch (command.op) {
      case 'update':
        return {
          status: 200,
          task: await this.tasks.update(userId, id, await body(UpdateTaskDto, data), versions, tx),
        };
      case 'complete': {
        const { completed } = await body(SetCompletedDto, data);
        return { status: 200, task: await this.tasks.setCompleted(userId, id, completed, versions, tx) };
      }
      case 'move':
        return {
          status: 200,
          task: await this.tasks.move(userId, id, await body(MoveTaskDto, data), versions, tx),
        };
      case 'delete':
        await this.tasks.remove(userId, id, versions, tx);
        return { status: 204 };
    }
  }
}

/** `data` validated and transformed exactly as the single route's body (its 400 otherwise). */
const body = <T extends object>(dto: Type<T>, data: Record<string, unknown>): Promise<T> =>
  validationPipe.transform(data, { type: 'body', metatype: dto }) as Promise<T>;

/**
 * Throws `err` at once when the database is not answering (a lost connection, a timeout, a deadlock:
 * its problem is a 503): no probe, rollback to a savepoint or careful rerun could help, and each
 * would wait out another timeout. The whole batch is undone (a deadlock is retried whole).
 */
function unavailable(err: unknown): void {
  if (connectionLost(err) || problemOf(err)?.status === 503) throw err;
}

/**
 * A failed command's result: the problem its single route would answer. An error that is not the
 * command's fault (no problem for it, or a 5xx) is thrown instead, undoing the whole batch.
 */
function failure(err: Error, request: BatchRequest): BatchResultDto {
  const problem = problemOf(isTaskError(err) ? toProblem(err) : err);
  if (!problem || problem.status >= 500) throw err;
  return { status: problem.status, error: problemBody(problem, request.instance, request.requestId) };
}
