import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

export const PRIORITIES = ['low', 'medium', 'high'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** A to-do item. Field names are the API's (snake_case), so rows serialise as they are. */
@Entity({ name: 'tasks' })
@Index('ix_tasks_user_created_id', ['user_id', 'created_at', 'id'])
// Listing indexes made by the ListingIndexes migration (expressions, GIN): schema diffs leave them alone.
@Index('ix_tasks_user_updated_id', { synchronize: false })
@Index('ix_tasks_user_title_id', { synchronize: false })
@Index('ix_tasks_user_due_asc_id', { synchronize: false })
@Index('ix_tasks_user_due_desc_id', { synchronize: false })
@Index('ix_tasks_user_priority_id', { synchronize: false })
@Index('ix_tasks_title_trgm', { synchronize: false })
@Index('ix_tasks_description_trgm', { synchronize: false })
@Index('ix_tasks_user_tags', { synchronize: false })
@Index('ix_tasks_user_overdue', { synchronize: false })
@Check('ck_tasks_priority', `"priority" IN ('low', 'medium', 'high')`)
@Check('ck_tasks_title_length', `char_length("title") BETWEEN 1 AND 200`)
export class Task {
  /**
   * Server-generated id.
   * @example "3f8e2c1a-5b7d-4e9f-a1c2-0d3b4e5f6a7b"
   */
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_tasks' })
  id: string;

  /**
   * The owner: the `sub` of the token that created the task. Never taken from input.
   * @example "user_2x9k3h"
   */
  @Column({ type: 'varchar', length: 255 })
  user_id: string;

  /**
   * Trimmed, 1–200 characters.
   * @example "Buy groceries"
   */
  @Column({ type: 'varchar', length: 200 })
  title: string;

  /**
   * Free text, at most 1000 characters.
   * @example "Milk, eggs, bread"
   */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  description: string | null;

  /** Whether the task is done. */
  @Column({ type: 'boolean', default: false })
  completed: boolean;

  /**
   * @example "medium"
   */
  @Column({ type: 'varchar', length: 10, default: 'medium' })
  priority: Priority;

  /**
   * When the task is due, in UTC.
   * @example "2026-12-01T17:00:00.000Z"
   */
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  due_date: Date | null;

  /**
   * Lower-cased, trimmed, de-duplicated; at most 10 of 1–32 characters each.
   * @example ["home", "errand"]
   */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  /**
   * Set by the server when the task is created.
   * @example "2026-11-26T17:49:08.123Z"
   */
  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  created_at: Date;

  /**
   * Set by the server on every change.
   * @example "2026-11-26T17:49:08.123Z"
   */
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updated_at: Date;

  /**
   * Starts at 1 and grows by one on every change; the task's `ETag` is `"<version>"`.
   * @example 1
   */
  @VersionColumn({ type: 'integer', default: 1 })
  version: number;
}

/**
 * A task as the API sends it: the entity with its timestamps already in the JSON form
 * (`Date#toISOString()`), as the repository reads them (see timestamps.ts).
 */
export type TaskRecord = Omit<Task, 'due_date' | 'created_at' | 'updated_at'> & {
  due_date: string | null;
  created_at: string;
  updated_at: string;
};
