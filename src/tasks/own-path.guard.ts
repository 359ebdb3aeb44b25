import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { AuthUser } from '../auth/auth-user.js';

export const NOT_OWN_PATH = 'The user_id in the path is not the authenticated user';

/** Under `/api/{user_id}/tasks…` the path's user must be the caller: anyone else is 403. */
@Injectable()
export class OwnPathGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request & { user: AuthUser }>();
    if (req.params.user_id !== req.user.sub) {
      throw new ForbiddenException(NOT_OWN_PATH);
    }
    return true;
  }
}
