import { Controller, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { OwnPathGuard } from './own-path.guard.js';
import { TasksController } from './tasks.controller.js';

/**
 * The same routes under `/api/{user_id}/tasks…`, the path shape of the FastAPI design this
 * service replaces. `user_id` must be the caller's own id (403 otherwise).
 */
@ApiTags('tasks (user-scoped paths)')
@UseGuards(OwnPathGuard)
@Controller('api/:user_id/tasks')
export class UserTasksController extends TasksController {}
