import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from './auth-user.js';
import { CurrentUser } from './current-user.decorator.js';
import { MeDto } from './me.dto.js';
import { ApiProblems } from '../docs/api-problems.decorator.js';

@ApiTags('me')
@ApiBearerAuth()
@Controller('api/me')
export class MeController {
  /**
   * Who am I
   * @remarks The caller as the server sees it: the token's `sub`, `email` and `name`.
   */
  @Get()
  @ApiProblems(401, 429)
  me(@CurrentUser() user: AuthUser): MeDto {
    return { id: user.sub, email: user.email, name: user.name };
  }
}
