import { Injectable, NotFoundException } from '@nestjs/common';
import type { CreateTaskDto } from './dto/create-task.dto.js';
import type { ListTasksQueryDto, Order, SortKey } from './dto/list-tasks-query.dto.js';
import type { UpdateTaskDto } from './dto/update-task.dto.js';
import { parseDateTime } from './dto/validators.js';
import type { Task } from './entities/task.entity.js';
import { TasksRepository, type TaskChanges, type TaskStats } from './tasks.repository.js';

export const DEFAULT_LIMIT = 50;
const DEFAULT_ORDER: Record<SortKey, Order> = {
  created_at: 'desc',
  updated_at: 'desc',
  priority: 'desc',
  title: 'asc',
  due_date: 'asc',
};

const toDate = (value: string | null | undefined) =>
  value === undefined ? undefined : value === null ? null : parseDateTime(value);

/** Only the fields present in the input, normalised for storage. */
function changesFrom(dto: UpdateTaskDto): TaskChanges {
  const changes: TaskChanges = {
    title: dto.title,
    description: dto.description,
    completed: dto.completed,
    priority: dto.priority,
    due_date: toDate(dto.due_date),
    tags: dto.tags,
  };
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
}

/** Every writable field, absent ones at their defaults (create and full replacement). */
function fullTask(dto: CreateTaskDto): Required<TaskChanges> {
  return {
    title: dto.title,
    description: dto.description ?? null,
    completed: dto.completed ?? false,
    priority: dto.priority ?? 'medium',
    due_date: toDate(dto.due_date) ?? null,
    tags: dto.tags ?? [],
  };
}

/** The rules of tasks: defaults, ownership (a foreign task is "not found"), listing defaults. */
@Injectable()
export class TasksService {
  constructor(private readonly repo: TasksRepository) {}

  list(userId: string, query: ListTasksQueryDto): Promise<{ items: Task[]; total: number }> {
    const sort = query.sort ?? 'created_at';
    return this.repo.list(userId, {
      status: query.status ?? 'all',
      sort,
      order: query.order ?? DEFAULT_ORDER[sort],
      limit: query.limit ?? DEFAULT_LIMIT,
    });
  }

  async get(userId: string, id: string): Promise<Task> {
    return found(await this.repo.findOne(userId, id));
  }

  create(userId: string, dto: CreateTaskDto): Promise<Task> {
    return this.repo.insert(userId, fullTask(dto));
  }

  async replace(userId: string, id: string, dto: CreateTaskDto): Promise<Task> {
    return found(await this.repo.update(userId, id, fullTask(dto)));
  }

  async update(userId: string, id: string, dto: UpdateTaskDto): Promise<Task> {
    const changes = changesFrom(dto);
    if (Object.keys(changes).length === 0) return this.get(userId, id);
    return found(await this.repo.update(userId, id, changes));
  }

  async setCompleted(userId: string, id: string, completed?: boolean): Promise<Task> {
    return found(await this.repo.setCompleted(userId, id, completed));
  }

  async remove(userId: string, id: string): Promise<void> {
    if (!(await this.repo.delete(userId, id))) throw notFound();
  }

  stats(userId: string): Promise<TaskStats> {
    return this.repo.stats(userId);
  }
}

const notFound = () => new NotFoundException('No task with this id');

function found(task: Task | null): Task {
  if (!task) throw notFound();
  return task;
}
