import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A used `Idempotency-Key`: the request it came with and the result it got, for 24 hours. */
@Entity({ name: 'idempotency_keys' })
@Index('ix_idempotency_keys_expires_at', ['expires_at'])
export class IdempotencyKey {
  @PrimaryColumn({ type: 'varchar', length: 255, primaryKeyConstraintName: 'pk_idempotency_keys' })
  user_id: string;

  @PrimaryColumn({ type: 'varchar', length: 255, primaryKeyConstraintName: 'pk_idempotency_keys' })
  key: string;

  /** SHA-256 of the normalised request body. */
  @Column({ type: 'char', length: 64 })
  request_hash: string;

  /** The result to replay (for a create: the task as it was created). */
  @Column({ type: 'jsonb' })
  body: unknown;

  /** Unused since migration IdempotencyResultOnly (kept for the previous release; drop later). */
  @Column({ type: 'smallint', default: 201 })
  status: number;

  /** Unused since migration IdempotencyResultOnly (kept for the previous release; drop later). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  headers: Record<string, string>;

  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' })
  created_at: Date;

  @Column({ type: 'timestamptz', precision: 3 })
  expires_at: Date;
}
