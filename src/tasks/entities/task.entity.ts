import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { POSITION_MAX_LENGTH } from '../positions.js';
import { LIMITS, PRIORITIES, type Priority } from '../task.schema.js';

/**
 * The tasks table, for TypeORM (schema diffs for `npm run migration:generate`). The app reads and
 * writes it through TasksRepository's SQL; what the API returns is the `Task` DTO.
 */
@Entity({ name: 'tasks' })
@Index('ix_tasks_list_created_id', ['list_id', 'created_at', 'id'])
// Listing indexes made by the ListingIndexes migration (expressions, GIN): schema diffs leave them alone.
@Index('ix_tasks_list_updated_id', { synchronize: false })
@Index('ix_tasks_list_title_id', { synchronize: false })
@Index('ix_tasks_list_due_asc_id', { synchronize: false })
@Index('ix_tasks_list_due_desc_id', { synchronize: false })
@Index('ix_tasks_list_priority_id', { synchronize: false })
@Index('ix_tasks_list_title_trgm', { synchronize: false })
@Index('ix_tasks_list_description_trgm', { synchronize: false })
@Index('ix_tasks_list_tags', { synchronize: false })
@Index('ix_tasks_list_overdue', { synchronize: false })
// Order and subtasks (migration OrderAndSubtasks): partial unique indexes, made there.
@Index('ux_tasks_top_position', { synchronize: false })
@Index('ux_tasks_sub_position', { synchronize: false })
@Index('ix_tasks_list_position_id', { synchronize: false })
@Index('ux_tasks_owner_seq', { synchronize: false })
// The listing's assignee filter within a list, and the clearing of a departed member's tasks (migration Assignee).
@Index('ix_tasks_list_assignee', ['list_id', 'assignee_id'])
// The key of the parent reference below (migration Lists): a parent is in its subtask's list.
@Unique('uq_tasks_list_id', ['list_id', 'id'])
@Check('ck_tasks_priority', `"priority" IN (${PRIORITIES.map((p) => `'${p}'`).join(', ')})`)
@Check('ck_tasks_title_length', `char_length("title") BETWEEN 1 AND ${LIMITS.title}`)
// Recurring tasks (migration Recurrence): a series needs a due date, and has a start exactly when it has a rule.
@Check('ck_tasks_recurrence_due', `"recurrence" IS NULL OR "due_date" IS NOT NULL`)
@Check('ck_tasks_recurrence_start', `("recurrence" IS NULL) = ("series_start" IS NULL)`)
export class TaskEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_tasks' })
  id: string;

  /** The creator. */
  @Column({ type: 'varchar', length: 255 })
  user_id: string;

  /** The task's list (migration Lists; `fk_tasks_list`, with `owner_id`, references `lists`). */
  @Column({ type: 'uuid' })
  list_id: string;

  /** The owner of the task's list, kept equal to it by `fk_tasks_list` (ON UPDATE CASCADE). */
  @Column({ type: 'varchar', length: 255 })
  owner_id: string;

  @Column({ type: 'varchar', length: LIMITS.title })
  title: string;

  @Column({ type: 'varchar', length: LIMITS.description, nullable: true })
  description: string | null;

  @Column({ type: 'boolean', default: false })
  completed: boolean;

  @Column({ type: 'varchar', length: 10, default: 'medium' })
  priority: Priority;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  due_date: Date | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  created_at: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updated_at: Date;

  @VersionColumn({ type: 'integer', default: 1 })
  version: number;

  @ManyToOne(() => TaskEntity, { onDelete: 'CASCADE', nullable: true })
  @JoinColumn([
    { name: 'list_id', referencedColumnName: 'list_id', foreignKeyConstraintName: 'fk_tasks_parent' },
    { name: 'parent_id', referencedColumnName: 'id', foreignKeyConstraintName: 'fk_tasks_parent' },
  ])
  parent?: TaskEntity | null;

  @Column({ type: 'uuid', nullable: true })
  parent_id: string | null;

  @Column({ type: 'varchar', length: POSITION_MAX_LENGTH, collation: 'C' })
  position: string;

  /** The number of the task's latest change (set by the task_change trigger; migration ChangeSequence). */
  @Column({ type: 'bigint' })
  seq: string;

  /** The IANA zone a recurring task's occurrences are computed in (null: UTC). */
  @Column({ type: 'text', nullable: true })
  time_zone: string | null;

  /** `{ rule, from }`: how the task repeats, or null. */
  @Column({ type: 'jsonb', nullable: true })
  recurrence: { rule: string; from: string } | null;

  /** The series' DTSTART: the `due_date` the rule was set with; stays while `due_date` advances. */
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  series_start: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  last_completed_at: Date | null;

  /** A member of the task's list it is assigned to, or null (migration Assignee). */
  @Column({ type: 'varchar', length: LIMITS.userId, nullable: true })
  assignee_id: string | null;

  /**
   * What a write of the task must tell (migration NotifyFlags): bit 1, a webhook watches its list;
   * bit 2, it has had a reminder. Kept by triggers; the triggers of webhooks and reminders on tasks
   * run only when their bit is set.
   */
  @Column({ type: 'smallint', default: 0 })
  notify: number;
}

/** One completed occurrence of a recurring task (migration Recurrence); deleted with its task. */
@Entity({ name: 'task_completions' })
@Index('ix_task_completions_task_newest', ['task_id', 'completed_at', 'occurrence'])
export class TaskCompletionEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_task_completions' })
  task_id: string;

  @PrimaryColumn({ type: 'timestamptz', precision: 3, primaryKeyConstraintName: 'pk_task_completions' })
  occurrence: Date;

  @ManyToOne(() => TaskEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'fk_task_completions_task' })
  task?: TaskEntity;

  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' })
  completed_at: Date;

  @Column({ type: 'varchar', length: 255 })
  completed_by: string;
}
