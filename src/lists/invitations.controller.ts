import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ETAG_HEADER } from '../docs/api-headers.js';
import {
  ApiProblems,
  INBOX_UNSHARED,
  INVITATION_FORBIDDEN,
  INVITATION_ID_NOT_FOUND,
  INVITATION_NOT_FOUND,
  LIST_FULL,
  LIST_NOT_FOUND,
  OWNER_ONLY,
} from '../docs/api-problems.decorator.js';
import { withEtag } from '../tasks/etag.js';
import { ParseIdPipe } from '../tasks/parse-id.pipe.js';
import {
  CreateInvitationDto,
  CreatedInvitationDto,
  InvitationDto,
  InvitationPreviewDto,
} from './dto/invitation.dto.js';
import { ListDto } from './dto/list.dto.js';
import { InvitationsService } from './invitations.service.js';
import { ListProblemsFilter } from './list-problems.js';

const LIST_ID = ApiParam({ name: 'id', description: "The list's id (a UUID; anything else is 400)" });
const TOKEN = ApiParam({ name: 'token', description: 'The token the invitation was created with' });

/** Invitations into a list: the owner's routes under the list, the invitee's under `/api/invitations`. */
@ApiTags('lists')
@ApiBearerAuth()
@UseFilters(ListProblemsFilter)
@Controller('api')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  /**
   * Invite into a list
   * @remarks The owner only; not into the inbox (`400`). The answer carries the token, this once
   * (only its hash is kept): hand it to the invitee. It can be accepted once, until `expires_at`
   * (INVITATION_TTL_HOURS after now, default 168), and with `email` only by a user whose token's
   * `email` claim equals it.
   */
  @Post('lists/:id/invitations')
  @LIST_ID
  @HttpCode(201)
  @ApiResponse({ status: 201, type: CreatedInvitationDto, description: 'Created, with its token' })
  @ApiProblems(INBOX_UNSHARED, 401, OWNER_ONLY, LIST_NOT_FOUND, 413, 415, 429, 503)
  create(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: CreateInvitationDto,
  ): Promise<CreatedInvitationDto> {
    return this.invitations.create(user.sub, id, dto);
  }

  /**
   * The list's open invitations
   * @remarks The owner only; oldest first, without their tokens. Used, revoked and expired ones are
   * not listed.
   */
  @Get('lists/:id/invitations')
  @LIST_ID
  @ApiResponse({ status: 200, type: [InvitationDto], description: 'The open invitations' })
  @ApiProblems(400, 401, OWNER_ONLY, LIST_NOT_FOUND, 429, 503)
  open(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<InvitationDto[]> {
    return this.invitations.open(user.sub, id);
  }

  /**
   * Revoke an invitation
   * @remarks The owner only; its token is `404` from now on.
   */
  @Delete('lists/:id/invitations/:invitation_id')
  @LIST_ID
  @ApiParam({ name: 'invitation_id', description: "The invitation's id (a UUID)" })
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'Revoked' })
  @ApiProblems(400, 401, OWNER_ONLY, INVITATION_ID_NOT_FOUND, 429, 503)
  async revoke(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Param('invitation_id', ParseIdPipe) invitationId: string,
  ): Promise<void> {
    await this.invitations.revoke(user.sub, id, invitationId);
  }

  /**
   * What an invitation offers
   * @remarks Anyone signed in who holds the token: the list's id and name, who invites, the role
   * and when it expires. An unknown, used, revoked or expired token is `404`, all alike.
   */
  @Get('invitations/:token')
  @TOKEN
  @ApiResponse({ status: 200, type: InvitationPreviewDto, description: 'The invitation' })
  @ApiProblems(401, INVITATION_NOT_FOUND, 429, 503)
  preview(@CurrentUser() user: AuthUser, @Param('token') token: string): Promise<InvitationPreviewDto> {
    return this.invitations.preview(user, token);
  }

  /**
   * Accept an invitation
   * @remarks You join the list with the invitation's role and the token is used up. Already a
   * member: used up, nothing else changes (`200`). Bound to another email: `403`; the list has
   * MAX_MEMBERS_PER_LIST members: `409` "List is full"; both leave the invitation open.
   */
  @Post('invitations/:token/accept')
  @TOKEN
  @HttpCode(200)
  @ApiResponse({ status: 200, type: ListDto, description: 'The list you joined', headers: ETAG_HEADER })
  @ApiProblems(401, INVITATION_FORBIDDEN, INVITATION_NOT_FOUND, LIST_FULL, 429, 503)
  async accept(
    @CurrentUser() user: AuthUser,
    @Param('token') token: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ListDto> {
    return withEtag(res, await this.invitations.accept(user, token));
  }
}
