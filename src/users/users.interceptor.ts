import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { from, switchMap, type Observable } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/auth-user.js';
import { UsersService } from './users.service.js';

/** Every authenticated request tells the users directory who its caller is (a no-op when nothing changed). */
@Injectable()
export class UsersInterceptor implements NestInterceptor {
  constructor(private readonly users: UsersService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (!user) return next.handle();
    return from(this.users.seen(user)).pipe(switchMap(() => next.handle()));
  }
}
