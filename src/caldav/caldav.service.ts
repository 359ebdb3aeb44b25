import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.js';
import { Database } from '../database/database.js';
import { sweepEvery, sweepInBatches } from '../database/sweep.js';
import { validationPipe } from '../errors/validation.js';
import { ListsService } from '../lists/lists.service.js';
import { canWrite } from '../lists/roles.js';
import { ReadOnlyListError } from '../lists/list.errors.js';
import type { Task } from '../tasks/dto/task.dto.js';
import { CreateTaskDto } from '../tasks/dto/create-task.dto.js';
import { UpdateTaskDto } from '../tasks/dto/update-task.dto.js';
import { InvalidPlacementError, StaleTaskError, TaskNotFoundError } from '../tasks/task.errors.js';
import {
  PLACEMENT_ATTEMPTS,
  placementConflict,
  rethrowConflict,
  TaskOrdering,
} from '../tasks/task-ordering.js';
import { TasksService } from '../tasks/tasks.service.js';
import { RemindersService } from '../reminders/reminders.service.js';
import {
  CaldavRepository,
  DAV_SWEEP_BATCH,
  type CalendarRow,
  type MemberRow,
  type ResourceRow,
} from './caldav.repository.js';
import { davEtag, versionsAt, type DavEtag } from './dav-etag.js';
import { takeAlarms, withAlarms, type AlarmReminder } from './ical-alarms.js';
import { CollectionTokens, InvalidCollectionTokenError } from './collection-tokens.js';
import { defaultName } from './dav-paths.js';
import { fieldsOf, parseTodo, render, InvalidCalendarError, type TodoFields } from './ical-mapping.js';
import { placeBy, sortOrderIn, sortOrderLine, sortOrderOf } from './sort-order.js';

/** A resource as it is served to one reader: its name, its ETag (davEtag) and its iCalendar text, with their VALARMs. */
export interface Resource {
  name: string;
  etag: string;
  updatedAt: string;
  ics: string;
}

/** What a PUT did: created or changed, the task's version, and whether the stored text is the client's own. */
export interface PutResult {
  created: boolean;
  etag: string;
  /** The resource is what the client sent (so its ETag may be given: RFC 4791 5.3.4). */
  asSent: boolean;
}

/** A collection's changes after a sync token: members changed (with their version), members gone, the new token. */
export interface CollectionChanges {
  changed: { name: string; etag: string; updatedAt: string }[];
  gone: string[];
  token: string;
}

/** A PUT's conditions: `If-Match` ETags (undefined: none), `If-Match: *` and `If-None-Match: *`. */
export interface PutConditions {
  etags?: DavEtag[];
  anyExisting: boolean;
  createOnly: boolean;
}

/** A conditional write on a resource that does not exist (`If-Match` on a new name): 412. */
export class ResourceMissingError extends Error {}

const SWEEP_EVERY_MS = 60 * 60 * 1000;

/** The name of a task's resource: its client's, or `{id}.ics`. */
const nameOf = (row: { id: string; dav_name: string | null }): string => row.dav_name ?? defaultName(row.id);

/** The fields a VTODO writes, as REST would send them (validated by the same pipe). */
function bodyOf(fields: TodoFields, current?: Task): Record<string, unknown> {
  return {
    title: fields.title,
    description: fields.description,
    completed: fields.completed,
    priority: fields.priority,
    due_date: fields.due_date,
    time_zone: fields.time_zone,
    tags: fields.tags,
    recurrence: fields.rule === null ? null : { rule: fields.rule, from: current?.recurrence?.from ?? 'due' },
  };
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Whether a PUT's X-APPLE-SORT-ORDER `order` asks for another place than `current` has: it is
 * neither the number rendered from its position nor the one in its stored text (what a client
 * wrote before the number was ours, or was given at an older version: a client behind does not
 * undo a move it has not seen).
 */
function reordered(current: ResourceRow, order: bigint): boolean {
  if (order === sortOrderOf(current.position)) return false;
  return current.ics === null || sortOrderIn(parseTodo(current.ics).todo) !== order;
}

/** `shared` with the reader's VALARMs, parsed only when there are some to put in or take out. */
function ownAlarms(shared: string, reminders: AlarmReminder[], kept: string[] | null): string {
  if (!reminders.length && !kept?.length && !shared.includes('BEGIN:VALARM')) return shared;
  return withAlarms(shared, reminders, kept);
}

/**
 * CalDAV's rules (contract "Native clients (CalDAV)"; docs/caldav.md): the caller's lists as
 * calendars, their tasks as VTODO resources. Every write goes through TasksService, as a REST write
 * would (versions, the change sequence, events, reminders follow), in one transaction with what the
 * client stored of the task.
 */
@Injectable()
export class CaldavService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CaldavService.name);
  private readonly retentionDays: number;
  private stopSweeping?: () => void;

  constructor(
    private readonly repo: CaldavRepository,
    private readonly tasks: TasksService,
    private readonly lists: ListsService,
    private readonly tokens: CollectionTokens,
    private readonly reminders: RemindersService,
    private readonly db: Database,
    private readonly ordering: TaskOrdering,
    config: ConfigService<Env, true>,
  ) {
    this.retentionDays = config.get('SYNC_RETENTION_DAYS', { infer: true });
  }

  /** Forgets the names of tasks deleted longer ago than SYNC_RETENTION_DAYS, hourly. */
  onModuleInit(): void {
    this.stopSweeping = sweepEvery(
      SWEEP_EVERY_MS,
      () => sweepInBatches(DAV_SWEEP_BATCH, () => this.repo.sweepBatch(this.retentionDays)),
      this.logger,
      'CalDAV resource',
    );
  }

  onModuleDestroy(): void {
    this.stopSweeping?.();
  }

  /** The caller's lists as calendars (the inbox made if they have none yet). */
  async calendars(userId: string): Promise<CalendarRow[]> {
    await this.lists.all(userId);
    return this.repo.calendars(userId);
  }

  async calendar(userId: string, list: string): Promise<CalendarRow | null> {
    const [row] = await this.repo.calendars(userId, list);
    return row ?? null;
  }

  /** The collection's sync token as it stands (DAV:sync-token). */
  syncToken(userId: string, calendar: CalendarRow): Promise<string> {
    return this.tokens.encode(userId, calendar.id, calendar.owner_id, Number(calendar.seq));
  }

  members(userId: string, list: string): Promise<(MemberRow & { name: string; etag: string })[]> {
    return this.repo
      .members(userId, list)
      .then((rows) => rows.map((r) => ({ ...r, name: nameOf(r), etag: davEtag(r.version, r.alarm_seq) })));
  }

  /** The resource `name` of list `list`, rendered for the caller, or null. */
  async resource(userId: string, list: string, name: string): Promise<Resource | null> {
    const row = await this.repo.resource(userId, list, name);
    if (!row) return null;
    return this.rendered(row, await this.reminders.ofTasks(userId, [row.id]));
  }

  /** Every resource of list `list` (with `names`, those named), rendered for the caller (for reports). */
  async resources(userId: string, list: string, names?: string[]): Promise<Resource[]> {
    const rows = await this.repo.resources(userId, list, names);
    const reminders = await this.reminders.ofTasks(
      userId,
      rows.filter((r) => r.alarm_seq !== null).map((r) => r.id),
    );
    return rows.map((row) =>
      this.rendered(
        row,
        reminders.filter((r) => r.task_id === row.id),
      ),
    );
  }

  /** `row` as the caller sees it: the shared text with their reminders (and their client's VALARMs). */
  private rendered(row: ResourceRow, reminders: AlarmReminder[]): Resource {
    // A text stored before X-APPLE-SORT-ORDER was ours (a client's own value in it) is rendered again.
    const shared =
      row.ics !== null &&
      row.dav_version === row.version &&
      row.ics.includes(sortOrderLine(sortOrderOf(row.position)))
        ? row.ics
        : render(row, row.ics, {
            uid: row.dav_uid ?? row.id,
            parentUid: row.parent_uid,
            storedVersion: row.dav_version,
          });
    const ics = ownAlarms(shared, reminders, row.kept_alarms);
    return { name: nameOf(row), etag: davEtag(row.version, row.alarm_seq), updatedAt: row.updated_at, ics };
  }

  /**
   * Creates or changes the task at `name` in list `list` from a client's iCalendar text: a new task
   * (create) or the fields that differ (update, as PATCH; a completion of a recurring task's
   * occurrence advances it, like REST's), a new parent (move), and the text with what the API does
   * not model stored beside it.
   */
  async put(
    userId: string,
    list: string,
    name: string,
    text: string,
    conditions: PutConditions,
  ): Promise<PutResult> {
    const sent = parseTodo(text);
    const sentText = sent.calendar.toString();
    // The VALARMs are the writer's reminders, never part of the shared text (ical-alarms.ts).
    const alarms = takeAlarms(sent.todo, sent.calendar);
    const fields = fieldsOf(sent);
    const order = sortOrderIn(sent.todo);
    return this.db
      .transaction(
        userId,
        async () => {
          await this.repo.lockName(userId, list, name);
          const current = await this.repo.resource(userId, list, name);
          if (current && conditions.createOnly) throw new StaleTaskError(current.version);
          if (!current && (conditions.etags || conditions.anyExisting)) throw new ResourceMissingError();
          // The caller's reminders on the task stay as they are until this commits: the ETag's alarm part holds.
          if (current) await this.reminders.lock(userId, current.id);
          const reorder = order !== null && (!current || reordered(current, order));
          // Its list's ordering lock before the task's row (update), in the order a REST move takes them.
          if (current && reorder) await this.ordering.locked(userId, { task: current.id }, async () => {});
          const versions =
            current && conditions.etags
              ? versionsAt(conditions.etags, await this.repo.alarmSeq(userId, current.id))
              : undefined;
          if (current && (current.dav_uid ?? current.id) !== sent.uid)
            throw new InvalidCalendarError('the UID of a resource cannot change', 'no-uid-conflict');
          if (!current && (await this.repo.byUid(userId, list, sent.uid)))
            throw new InvalidCalendarError(
              'another resource of this calendar has this UID',
              'no-uid-conflict',
            );
          const parent = await this.parentOf(userId, list, fields.parent_uid, current?.id);
          let task = current
            ? await this.change(userId, current, fields, parent, versions)
            : await this.create(userId, list, fields, parent);
          if (order !== null && reorder) task = await this.placeAt(userId, task, order);
          if (!current && task.parent_id === null) await this.adopt(userId, list, sent.uid, task.id);
          const ics = render(task, sent.calendar.toString(), {
            uid: sent.uid,
            parentUid: fields.parent_uid,
            storedVersion: task.version,
          });
          await this.repo.store(userId, task.id, {
            name,
            uid: sent.uid,
            parentUid: fields.parent_uid,
            ics,
            version: task.version,
          });
          const kept = alarms.map((a) => a.text);
          await this.reminders.replace(
            userId,
            task.id,
            alarms.flatMap((a) => (a.kind ? [a.kind] : [])),
          );
          await this.repo.storeAlarms(userId, task.id, kept);
          const mine = ownAlarms(ics, await this.reminders.ofTasks(userId, [task.id]), kept);
          return {
            created: !current,
            etag: davEtag(task.version, await this.repo.alarmSeq(userId, task.id)),
            asSent: mine === sentText,
          };
        },
        { attempts: PLACEMENT_ATTEMPTS, retryable: placementConflict },
      )
      .catch(rethrowConflict);
  }

  /**
   * The task a RELATED-TO names as parent in this list, when it may be one (a top-level task other
   * than this one: subtasks have no subtasks); null otherwise (the link stays in the stored text).
   */
  private async parentOf(
    userId: string,
    list: string,
    uid: string | null,
    self?: string,
  ): Promise<string | null> {
    if (uid === null) return null;
    const parent = await this.repo.byUid(userId, list, uid);
    return parent && parent.parent_id === null && parent.id !== self ? parent.id : null;
  }

  /**
   * Moves `task` among its siblings to where X-APPLE-SORT-ORDER `order` puts it among their numbers
   * (sort-order.ts), as a REST move would (its lock, rules and change); unmoved when it is there already.
   */
  private placeAt(userId: string, task: Task, order: bigint): Promise<Task> {
    return this.ordering.locked(userId, { task: task.id }, async (list) => {
      const siblings = await this.repo.siblings(userId, list, task.parent_id);
      const at = siblings.findIndex((s) => s.id === task.id);
      const after = placeBy(
        siblings.filter((s) => s.id !== task.id),
        order,
      );
      if ((after?.id ?? null) === (at > 0 ? siblings[at - 1].id : null)) return task;
      return this.tasks.move(userId, task.id, { after: after?.id ?? null });
    });
  }

  /**
   * Subtasks written before their parent (DAVx⁵ uploads in any order) go under it once it exists:
   * each a move, as REST's. One that has subtasks of its own stays where it is (one level).
   */
  private async adopt(userId: string, list: string, uid: string, parent: string): Promise<void> {
    for (const orphan of await this.repo.orphans(userId, list, uid)) {
      try {
        await this.tasks.move(userId, orphan, { parent_id: parent });
      } catch (err) {
        if (!(err instanceof InvalidPlacementError)) throw err;
      }
    }
  }

  private async create(
    userId: string,
    list: string,
    fields: TodoFields,
    parent: string | null,
  ): Promise<Task> {
    const dto = (await validationPipe.transform(
      { ...bodyOf(fields), list_id: list, parent_id: parent },
      { type: 'body', metatype: CreateTaskDto },
    )) as CreateTaskDto;
    return (await this.tasks.create(userId, dto)).task;
  }

  private async change(
    userId: string,
    current: ResourceRow,
    fields: TodoFields,
    parent: string | null,
    versions: number[] | undefined,
  ): Promise<Task> {
    const wanted = bodyOf(fields, current);
    const changes: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(wanted)) {
      const now = key === 'recurrence' ? current.recurrence : current[key as keyof Task];
      if (!same(value, now)) changes[key] = value;
    }
    // Completing a repeating task's occurrence: the one the client saw, its DUE (a retry, or a client
    // behind, completes nothing more: that occurrence is done already).
    if (changes.completed === true && current.recurrence && current.due_date) {
      changes.occurrence = fields.due_date ?? current.due_date;
      delete changes.due_date;
    }
    // A write with no change of a modelled field is still a change (of the client's own data): version + 1.
    if (Object.keys(changes).length === 0) changes.title = current.title;
    const dto = (await validationPipe.transform(changes, {
      type: 'body',
      metatype: UpdateTaskDto,
    })) as UpdateTaskDto;
    let task = await this.tasks.update(userId, current.id, dto, versions);
    if (parent !== current.parent_id && (parent !== null || fields.parent_uid === null))
      task = await this.tasks.move(userId, current.id, { parent_id: parent });
    return task;
  }

  /** Deletes the task at `name` (with `If-Match`: only at those ETags). */
  async remove(userId: string, list: string, name: string, etags?: DavEtag[]): Promise<void> {
    const current = await this.repo.resource(userId, list, name);
    if (!current) throw new TaskNotFoundError();
    await this.tasks.remove(userId, current.id, etags && versionsAt(etags, current.alarm_seq));
  }

  /** Whether the caller may write list `list`'s tasks (403 otherwise; 404 when not a member). */
  async writable(userId: string, list: string): Promise<void> {
    const calendar = await this.calendar(userId, list);
    if (!calendar) throw new TaskNotFoundError();
    if (!canWrite(calendar.role)) throw new ReadOnlyListError();
  }

  /**
   * The changes of list `list` after sync token `token` (empty: every member), and the token after
   * them; null when the caller is not a member. InvalidCollectionTokenError when the token is not
   * this collection's, or older than the tombstones kept (the client starts over).
   */
  async changes(userId: string, list: string, token: string): Promise<CollectionChanges | null> {
    const calendar = await this.calendar(userId, list);
    if (!calendar) return null;
    const at = token === '' ? null : await this.tokens.decode(userId, list, calendar.owner_id, token);
    const rows = await this.repo.changes(userId, list, at?.seq ?? 0, at === null);
    const head = rows.find((r) => r.kind === 'head');
    if (!head) return null;
    if (at && at.floor < Number(head.pruned)) throw new InvalidCollectionTokenError();
    const changed: CollectionChanges['changed'] = [];
    const gone: string[] = [];
    for (const row of rows) {
      const name = nameOf({ id: row.id!, dav_name: row.dav_name });
      if (row.kind === 'task')
        changed.push({ name, etag: davEtag(row.version!, row.alarm_seq), updatedAt: row.updated_at! });
      if (row.kind === 'gone') gone.push(name);
    }
    return {
      changed,
      gone,
      token: await this.tokens.encode(userId, list, head.owner_id!, Number(head.head)),
    };
  }
}
