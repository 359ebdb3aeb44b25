import { Body, Controller, Headers, HttpCode, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { fingerprint } from '../common/fingerprint.js';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from '../docs/api-headers.js';
import { ApiProblems } from '../docs/api-problems.decorator.js';
import { problemBody, problemOf } from '../errors/problem.filter.js';
import { idempotencyKeyHeader } from '../idempotency/idempotency-key.js';
import { requestIdOf } from '../logging/request-id.js';
import { RateLimitCost } from '../rate-limit/rate-limit-cost.decorator.js';
import { OwnPathGuard } from '../tasks/own-path.guard.js';
import { isTaskError, TaskProblemsFilter, toProblem } from '../tasks/task-problems.filter.js';
import { parseCommands } from './batch-commands.js';
import { checkBatch } from './batch-plan.js';
import { BATCH_MAX_COMMANDS, BatchDto, BatchResponseDto, type BatchResultDto } from './batch.dto.js';
import { BatchService, type BatchOutcome, type CommandOutcome } from './batch.service.js';

/** Several task commands in one request and one transaction: `POST /api/tasks/batch`. */
@ApiTags('tasks')
@ApiBearerAuth()
@UseFilters(TaskProblemsFilter)
@Controller('api/tasks')
export class BatchController {
  constructor(private readonly batches: BatchService) {}

  /**
   * Run a batch of commands
   * @remarks 1–100 commands (`create`, `update`, `complete`, `move`, `delete`) run in order, each
   * with exactly the rules of its single route: `results[i]` is what `commands[i]` did (its status,
   * the task, or the problem the single route would answer). One failing command does not undo the
   * others. A `create` may carry a `temp_id` that later commands use as `task_id`, `data.parent_id`
   * or `data.after`; `temp_id_mapping` gives the ids. The whole batch commits at once (readers see all
   * of it or none), and `sync_token` is the token right after it. Before anything runs: more than 100
   * commands is `413`; a malformed envelope (not an array, no commands, an unknown `op` or field, a
   * field the op does not use, a `temp_id` used twice or referenced before its create) is `400`. An
   * error that is no command's fault (the database unavailable) undoes the whole batch and answers
   * `503`. With an `Idempotency-Key` a retry replays the first answer whole. Each command counts as a
   * request against your rate limit (`429` before anything runs when the batch does not fit).
   */
  @Post('batch')
  // Each command counts against the user's rate limit as a request, at the guard, before anything runs.
  @RateLimitCost({ perItemOf: 'commands', max: BATCH_MAX_COMMANDS })
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @ApiResponse({
    status: 200,
    type: BatchResponseDto,
    description: 'What each command did (or, for a repeated Idempotency-Key, the original answer)',
    headers: {
      ...IDEMPOTENT_REPLAYED_HEADER,
    },
  })
  @ApiProblems(400, 401, 403, 409, 413, 415, 422, 429, 503)
  async batch(
    @CurrentUser() user: AuthUser,
    @Body() dto: BatchDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BatchResponseDto> {
    checkBatch(dto.commands);
    const key = idempotencyKeyHeader(idempotencyKey);
    const instance = req.originalUrl.split('?')[0];
    const requestId = requestIdOf(req, res);
    const { value, replayed } = await this.batches.run(
      user.sub,
      await parseCommands(dto.commands),
      (outcome) => answer(outcome, instance, requestId),
      key === undefined ? undefined : { key, fingerprint: fingerprint({ batch: dto.commands }) },
    );
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    return value;
  }
}

/** The same route under `/api/{user_id}/tasks` (the FastAPI design's path shape; OwnPathGuard). */
@ApiTags('tasks (user-scoped paths)')
@UseGuards(OwnPathGuard)
@Controller('api/:user_id/tasks')
export class UserBatchController extends BatchController {}

/**
 * The answer to a batch: each command's status and task, or the problem its single route would
 * answer (`instance` and `requestId` name this request). An error that is no command's fault (no
 * problem for it, or a 5xx) is thrown instead, undoing the whole batch.
 */
function answer(outcome: BatchOutcome, instance: string, requestId: string): BatchResponseDto {
  return {
    results: outcome.outcomes.map((o) => result(o, instance, requestId)),
    temp_id_mapping: outcome.tempIds,
    sync_token: outcome.syncToken,
  };
}

function result(outcome: CommandOutcome, instance: string, requestId: string): BatchResultDto {
  if ('created' in outcome) return { status: 201, task: outcome.created };
  if ('task' in outcome) return { status: 200, task: outcome.task };
  if ('deleted' in outcome) return { status: 204 };
  const problem = problemOf(isTaskError(outcome) ? toProblem(outcome) : outcome);
  if (!problem || problem.status >= 500) throw outcome;
  return { status: problem.status, error: problemBody(problem, instance, requestId) };
}
