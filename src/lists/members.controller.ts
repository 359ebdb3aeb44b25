import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ETAG_HEADER } from '../docs/api-headers.js';
import {
  ApiProblems,
  LIST_NOT_FOUND,
  MEMBER_NOT_FOUND,
  OWNER_ONLY,
  OWNER_STAYS,
  TRANSFER_FORBIDDEN,
  TRANSFER_INVALID,
} from '../docs/api-problems.decorator.js';
import { withEtag } from '../tasks/etag.js';
import { ParseIdPipe } from '../tasks/parse-id.pipe.js';
import { ListDto } from './dto/list.dto.js';
import { MemberDto, TransferListDto, UpdateMemberDto } from './dto/member.dto.js';
import { ListProblemsFilter } from './list-problems.js';
import { MembersService } from './members.service.js';
import { ParseUserIdPipe } from './parse-user-id.pipe.js';

const LIST_ID = ApiParam({ name: 'id', description: "The list's id (a UUID; anything else is 400)" });
const USER_ID = ApiParam({ name: 'user_id', description: "The member's user id (their token's `sub`)" });

/**
 * A list's members. Anyone in the list sees them; the owner changes roles, removes members and
 * transfers the list; a member leaves by removing themselves. A list the caller is not a member of
 * is 404 on every route, exactly like an unknown id.
 */
@ApiTags('lists')
@ApiBearerAuth()
@UseFilters(ListProblemsFilter)
@Controller('api/lists')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  /**
   * The list's members
   * @remarks Any member may ask: the owner first, then by `joined_at`. `email` and `name` are what
   * each member's latest token said.
   */
  @Get(':id/members')
  @LIST_ID
  @ApiResponse({ status: 200, type: [MemberDto], description: 'The members' })
  @ApiProblems(400, 401, LIST_NOT_FOUND, 429, 503)
  all(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<MemberDto[]> {
    return this.members.all(user.sub, id);
  }

  /**
   * Change a member's role
   * @remarks The owner only. `editor` or `viewer`; the owner's own role changes only by a transfer
   * (`409`). Takes effect on the member's next request.
   */
  @Patch(':id/members/:user_id')
  @LIST_ID
  @USER_ID
  @ApiResponse({ status: 200, type: MemberDto, description: 'The member, with the new role' })
  @ApiProblems(400, 401, OWNER_ONLY, MEMBER_NOT_FOUND, OWNER_STAYS, 413, 415, 429, 503)
  setRole(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Param('user_id', ParseUserIdPipe) userId: string,
    @Body() dto: UpdateMemberDto,
  ): Promise<MemberDto> {
    return this.members.setRole(user.sub, id, userId, dto.role);
  }

  /**
   * Remove a member, or leave
   * @remarks The owner removes any other member; any member removes themselves (leaves). The owner
   * cannot leave: `409` "Transfer the list first". From the next request on, the member gets `404`
   * for the list and each of its tasks.
   */
  @Delete(':id/members/:user_id')
  @LIST_ID
  @USER_ID
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'Removed' })
  @ApiProblems(400, 401, OWNER_ONLY, MEMBER_NOT_FOUND, OWNER_STAYS, 429, 503)
  async remove(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Param('user_id', ParseUserIdPipe) userId: string,
  ): Promise<void> {
    await this.members.remove(user.sub, id, userId);
  }

  /**
   * Transfer the list
   * @remarks The owner only. A current member becomes the owner and you an editor; the list's tasks
   * (and their count against MAX_TASKS_PER_USER) go with it. The new owner must own fewer than
   * MAX_LISTS_PER_USER lists (else `403` "List limit reached") and stay within MAX_TASKS_PER_USER with
   * the list's tasks (else `403` "Task limit reached"); nothing changes then. The inbox cannot be
   * given away (`400`).
   */
  @Post(':id/transfer')
  @LIST_ID
  @HttpCode(200)
  @ApiResponse({
    status: 200,
    type: ListDto,
    description: 'The list, as you now see it',
    headers: ETAG_HEADER,
  })
  @ApiProblems(TRANSFER_INVALID, 401, TRANSFER_FORBIDDEN, LIST_NOT_FOUND, 413, 415, 429, 503)
  async transfer(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: TransferListDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ListDto> {
    return withEtag(res, await this.members.transfer(user.sub, id, dto.user_id));
  }
}
