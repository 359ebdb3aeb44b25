import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.js';
import type { CreateListDto, UpdateListDto } from './dto/create-list.dto.js';
import type { ListDto } from './dto/list.dto.js';
import {
  InboxError,
  ListLimitReachedError,
  ListNotFoundError,
  OwnerOnlyError,
  StaleListError,
} from './list.errors.js';
import { ListsRepository } from './lists.repository.js';
import { MembershipChanges } from './membership-changes.js';

/**
 * The rules of lists: the inbox made when first needed, the owner's rights, the limit of owned
 * lists, conditional writes. Answers with lists or throws the errors of list.errors.ts.
 */
@Injectable()
export class ListsService {
  private readonly maxLists: number;

  constructor(
    private readonly repo: ListsRepository,
    private readonly changes: MembershipChanges,
    config: ConfigService<Env, true>,
  ) {
    this.maxLists = config.get('MAX_LISTS_PER_USER', { infer: true });
  }

  /** The caller's lists, inbox first; the inbox is made on the first call that finds none. */
  async all(userId: string): Promise<ListDto[]> {
    const lists = await this.repo.all(userId);
    if (lists.some((l) => l.is_inbox && l.owner_id === userId)) return lists;
    await this.repo.ensureInbox(userId);
    return this.repo.all(userId, { primary: true });
  }

  async get(userId: string, id: string): Promise<ListDto> {
    const list = await this.repo.findOne(userId, id);
    if (!list) throw new ListNotFoundError();
    return list;
  }

  async create(userId: string, dto: CreateListDto): Promise<ListDto> {
    const list = await this.repo.create(userId, dto.name, dto.color ?? null, this.maxLists);
    if (!list) throw new ListLimitReachedError(this.maxLists);
    return list;
  }

  /**
   * `versions`: the `If-Match` condition; undefined means unconditional. Every member's view of the
   * list changed: each is announced as a writer (MembershipChanges.announcing) once the write committed.
   */
  async update(userId: string, id: string, dto: UpdateListDto, versions?: number[]): Promise<ListDto> {
    const list = await this.changes.announcing(userId, async (announce) => {
      const updated = await this.repo.update(userId, id, { name: dto.name, color: dto.color }, versions);
      if (updated) announce(await this.repo.memberIds(id));
      return updated;
    });
    if (!list) throw await this.whyNot(userId, id, versions);
    return list;
  }

  /** Like `update`: every member the list had is announced once it is gone. */
  async remove(userId: string, id: string, versions?: number[]): Promise<void> {
    const members = await this.changes.announcing(userId, async (announce) => {
      const gone = await this.repo.delete(userId, id, versions);
      if (gone) announce(gone);
      return gone;
    });
    if (!members) throw await this.whyNot(userId, id, versions, { deleting: true });
  }

  /** Why an owner's write of list `id` matched nothing: not a member, not the owner, the inbox, or stale. */
  private async whyNot(
    userId: string,
    id: string,
    versions: number[] | undefined,
    { deleting = false } = {},
  ): Promise<Error> {
    const access = await this.repo.access(userId, id);
    if (!access) return new ListNotFoundError();
    if (access.role !== 'owner') return new OwnerOnlyError();
    if (deleting && access.is_inbox) return new InboxError(InboxError.deleted);
    if (versions && !versions.includes(access.version)) return new StaleListError(access.version);
    // Gone between the write and this read.
    return new ListNotFoundError();
  }
}
