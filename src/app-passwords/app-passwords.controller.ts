import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ApiProblems, limitReachedDoc, notFoundDoc } from '../docs/api-problems.decorator.js';
import { AppPasswordProblemsFilter } from './app-password-problems.js';
import { AppPasswordLimitReachedError, AppPasswordNotFoundError } from './app-password.errors.js';
import { APP_PASSWORD_LIMITS } from './app-password.schema.js';
import { AppPasswordsService } from './app-passwords.service.js';
import { AppPasswordDto, CreatedAppPasswordDto } from './dto/app-password.dto.js';
import { CreateAppPasswordDto } from './dto/create-app-password.dto.js';
import { ParseIdPipe } from '../tasks/parse-id.pipe.js';

const LIMIT_REACHED = limitReachedDoc(
  AppPasswordLimitReachedError,
  APP_PASSWORD_LIMITS.perUser,
  `you have ${APP_PASSWORD_LIMITS.perUser} app passwords already and nothing was created`,
);
const NOT_FOUND = notFoundDoc(AppPasswordNotFoundError, 'No such app password of yours');

/**
 * App passwords (contract "Native clients (CalDAV)"): CalDAV clients (Apple Reminders, Thunderbird,
 * DAVx⁵) cannot sign in through Better Auth, so a signed-in user makes one password per client here
 * and the client signs in to `/dav/` with HTTP Basic: the user's id or email, and that password
 * (docs/caldav.md).
 */
@ApiTags('app passwords')
@ApiBearerAuth()
@UseFilters(AppPasswordProblemsFilter)
@Controller('api/app-passwords')
export class AppPasswordsController {
  constructor(private readonly passwords: AppPasswordsService) {}

  /**
   * Make an app password
   * @remarks The answer is the only time the password is shown: only a slow hash (scrypt) is kept.
   * At most 20 per user (`403` "App password limit reached" beyond).
   */
  @Post()
  @HttpCode(201)
  @ApiResponse({
    status: 201,
    type: CreatedAppPasswordDto,
    description: 'Created; the password is in this answer only',
  })
  @ApiProblems(400, 401, LIMIT_REACHED, 413, 415, 429, 503)
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateAppPasswordDto): Promise<CreatedAppPasswordDto> {
    return this.passwords.create(user.sub, dto.name);
  }

  /**
   * Your app passwords
   * @remarks Newest first, without the passwords; `last_used_at` says when a client last signed in with each.
   */
  @Get()
  @ApiResponse({ status: 200, type: [AppPasswordDto], description: 'Your app passwords' })
  @ApiProblems(401, 429, 503)
  list(@CurrentUser() user: AuthUser): Promise<AppPasswordDto[]> {
    return this.passwords.all(user.sub);
  }

  /**
   * Delete an app password
   * @remarks The next request a client makes with it is refused (`401`), on every instance.
   */
  @Delete(':id')
  @HttpCode(204)
  @ApiParam({ name: 'id', description: "The app password's id (a UUID; anything else is 400)" })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblems(400, 401, NOT_FOUND, 429, 503)
  async remove(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<void> {
    await this.passwords.remove(user.sub, id);
  }
}
