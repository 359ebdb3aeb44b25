import { Injectable } from '@nestjs/common';
import { Database, sql } from '../database/database.js';
import type { InvitationDto, InvitationPreviewDto } from './dto/invitation.dto.js';
import { memberSql, type MemberRole } from './roles.js';

/** An open invitation (`i`): INVITATION_COLUMNS, in order. */
const SELECT_INVITATION = `SELECT i.id, i.list_id, i.role, i.email, i.expires_at, i.created_at`;
/** Invitations that can still be accepted (used and revoked ones have no row). */
const OPEN = `i.expires_at > now()`;

/** How many expired invitations one statement of the sweep deletes at most. */
export const INVITATION_SWEEP_BATCH = 1000;

/** SQL: whether `$caller` owns list `$list`. */
const ownerSql = (list: string, caller: string) => memberSql(list, caller, ['owner']);

/** An open invitation as accepting it needs it. */
export interface OpenInvitation {
  id: string;
  list_id: string;
  role: MemberRole;
  email: string | null;
}

/**
 * The SQL of invitations (migration Invitations): each is found by the SHA-256 of its token (the
 * token itself is never stored), and leaves with its row when it is used or revoked. The owner's
 * statements carry the caller's role in their own WHERE, read at the moment they run.
 */
@Injectable()
export class InvitationsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Stores an invitation into the list, when the caller owns it and it is not an inbox, expiring
   * `ttlHours` from now. The invitation (without its token), or null when nothing matched.
   */
  async create(
    callerId: string,
    listId: string,
    tokenHash: Buffer,
    role: MemberRole,
    email: string | null,
    ttlHours: number,
  ): Promise<InvitationDto | null> {
    const { rows } = await this.db.write<InvitationDto>(
      callerId,
      sql(
        `WITH i AS (
           INSERT INTO list_invitations (list_id, token_hash, role, email, inviter_id, expires_at)
           SELECT l.id, $3::bytea, $4::varchar, $5::varchar, $2::varchar, now() + make_interval(hours => $6::int)
             FROM lists l WHERE l.id = $1 AND NOT l.is_inbox AND ${ownerSql('l.id', '$2')}
           RETURNING *)
         ${SELECT_INVITATION} FROM i`,
        [listId, callerId, tokenHash, role, email, ttlHours],
      ),
    );
    return rows[0] ?? null;
  }

  /** The list's open invitations, oldest first, when the caller owns it (empty otherwise). */
  open(callerId: string, listId: string): Promise<InvitationDto[]> {
    return this.db.rows<InvitationDto>(
      sql(
        `${SELECT_INVITATION} FROM list_invitations i
          WHERE i.list_id = $1 AND ${OPEN} AND ${ownerSql('$1', '$2')} ORDER BY i.created_at, i.id`,
        [listId, callerId],
      ),
      callerId,
    );
  }

  /** Deletes the list's open invitation `id` when the caller owns the list. Whether it went. */
  async revoke(callerId: string, listId: string, id: string): Promise<boolean> {
    const { count } = await this.db.write(
      callerId,
      sql(
        `DELETE FROM list_invitations i WHERE i.id = $3 AND i.list_id = $1 AND ${OPEN} AND ${ownerSql('$1', '$2')}`,
        [listId, callerId, id],
      ),
    );
    return count > 0;
  }

  /** What the open invitation with this token hash offers, or null. */
  async preview(tokenHash: Buffer, callerId: string): Promise<InvitationPreviewDto | null> {
    const [row] = await this.db.rows<InvitationPreviewDto>(
      sql(
        `SELECT json_build_object('id', l.id, 'name', l.name) AS list,
                json_build_object('email', u.email, 'name', u.name) AS inviter,
                i.role, i.expires_at
           FROM list_invitations i JOIN lists l ON l.id = i.list_id LEFT JOIN users u ON u.id = i.inviter_id
          WHERE i.token_hash = $1 AND ${OPEN}`,
        [tokenHash],
      ),
      callerId,
    );
    return row ?? null;
  }

  /**
   * The open invitation with this token hash, or null; with `lock`, its row is locked until the
   * current transaction ends (a concurrent accept of the same token waits, then finds it gone).
   */
  async find(tokenHash: Buffer, callerId: string, { lock = false } = {}): Promise<OpenInvitation | null> {
    const [row] = await this.db.rows<OpenInvitation>(
      sql(
        `SELECT i.id, i.list_id, i.role, i.email FROM list_invitations i
          WHERE i.token_hash = $1 AND ${OPEN}${lock ? ' FOR UPDATE' : ''}`,
        [tokenHash],
      ),
      callerId,
    );
    return row ?? null;
  }

  /** Uses the invitation up (its row goes), in the accepting user's transaction. */
  async use(callerId: string, id: string): Promise<void> {
    await this.db.write(callerId, sql('DELETE FROM list_invitations WHERE id = $1', [id]));
  }

  /**
   * Deletes up to INVITATION_SWEEP_BATCH expired invitations (no user's visible data: never
   * announced); instances sweeping at once share the work (SKIP LOCKED). How many it deleted.
   */
  async sweepBatch(): Promise<number> {
    const { count } = await this.db.housekeeping(
      sql(
        `DELETE FROM list_invitations WHERE id IN (
           SELECT id FROM list_invitations WHERE expires_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED)`,
        [INVITATION_SWEEP_BATCH],
      ),
    );
    return count;
  }
}
