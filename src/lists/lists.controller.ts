import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ETAG_HEADER, IF_MATCH_HEADER } from '../docs/api-headers.js';
import {
  ApiProblems,
  INBOX_UNDELETABLE,
  LIST_CREATE_FORBIDDEN,
  LIST_NOT_FOUND,
  OWNER_ONLY,
  STALE_LIST,
} from '../docs/api-problems.decorator.js';
import { answerGet, parseIfMatch, withEtag } from '../tasks/etag.js';
import { ParseIdPipe } from '../tasks/parse-id.pipe.js';
import { CreateListDto, UpdateListDto } from './dto/create-list.dto.js';
import { ListDto } from './dto/list.dto.js';
import { ListProblemsFilter } from './list-problems.js';
import { ListsService } from './lists.service.js';

// No example on the id: Swagger's "Try it out" would send it, and a made-up id is 404.
const LIST_ID = ApiParam({ name: 'id', description: "The list's id (a UUID; anything else is 400)" });

/**
 * The caller's lists. A list the caller is not a member of is 404 on every route, exactly like an
 * unknown id; a member without the role for a write gets 403.
 */
@ApiTags('lists')
@ApiBearerAuth()
@UseFilters(ListProblemsFilter)
@Controller('api/lists')
export class ListsController {
  constructor(private readonly lists: ListsService) {}

  /**
   * Your lists
   * @remarks Every list you are a member of, with your role: your inbox first (made on your first
   * request if you have none), then by `created_at`.
   */
  @Get()
  @ApiResponse({ status: 200, type: [ListDto], description: 'Your lists' })
  @ApiProblems(401, 429, 503)
  all(@CurrentUser() user: AuthUser): Promise<ListDto[]> {
    return this.lists.all(user.sub);
  }

  /**
   * Create a list
   * @remarks You become its owner. At most MAX_LISTS_PER_USER owned lists (default 200, the inbox
   * included): beyond, `403` "List limit reached".
   */
  @Post()
  @HttpCode(201)
  @ApiResponse({
    status: 201,
    type: ListDto,
    description: 'Created',
    headers: { ...ETAG_HEADER, Location: { description: 'URL of the new list', schema: { type: 'string' } } },
  })
  @ApiProblems(400, 401, LIST_CREATE_FORBIDDEN, 413, 415, 429, 503)
  async create(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateListDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ListDto> {
    const list = await this.lists.create(user.sub, dto);
    res.setHeader('Location', `${req.path.replace(/\/$/, '')}/${list.id}`);
    return withEtag(res, list);
  }

  /** One list */
  @Get(':id')
  @LIST_ID
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'A previously received `ETag`' })
  @ApiResponse({ status: 200, type: ListDto, description: 'The list', headers: ETAG_HEADER })
  @ApiProblems(304, 400, 401, LIST_NOT_FOUND, 429, 503)
  async get(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ListDto | undefined> {
    const list = await this.lists.get(user.sub, id);
    return answerGet(res, ifNoneMatch, list);
  }

  /**
   * Rename or recolour a list
   * @remarks The owner only (another member: `403` "Only the owner can do this"). The inbox can be
   * renamed too. Honours `If-Match`.
   */
  @Patch(':id')
  @LIST_ID
  @ApiHeader(IF_MATCH_HEADER)
  @ApiResponse({ status: 200, type: ListDto, description: 'The updated list', headers: ETAG_HEADER })
  @ApiProblems(400, 401, OWNER_ONLY, LIST_NOT_FOUND, STALE_LIST, 413, 415, 429, 503)
  async update(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateListDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ListDto> {
    return withEtag(res, await this.lists.update(user.sub, id, dto, parseIfMatch(ifMatch)));
  }

  /**
   * Delete a list
   * @remarks The owner only; deletes all its tasks too (each reaches incremental sync as a
   * deletion). The inbox cannot be deleted (`400`). Honours `If-Match`.
   */
  @Delete(':id')
  @LIST_ID
  @HttpCode(204)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiResponse({ status: 204, description: 'Deleted, with its tasks' })
  @ApiProblems(INBOX_UNDELETABLE, 401, OWNER_ONLY, LIST_NOT_FOUND, STALE_LIST, 429, 503)
  async remove(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<void> {
    await this.lists.remove(user.sub, id, parseIfMatch(ifMatch));
  }
}
