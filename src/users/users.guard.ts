import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from '../auth/auth-user.js';
import { UsersService } from './users.service.js';

/**
 * Every authenticated request tells the users directory who its caller is: a global guard, last of
 * them (the caller is known and let in), that lets everything through. Synchronous when the caller's
 * claims are the ones already recorded (nearly always); it waits only for the write when they are
 * new. A guard rather than an interceptor: the first interceptor would put Nest's rxjs pipeline
 * around every handler (bench/README.md: it cost `GET /api/tasks/{id}` a tenth of its CPU).
 */
@Injectable()
export class UsersGuard implements CanActivate {
  constructor(private readonly users: UsersService) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    const writing = user && this.users.seen(user);
    return writing ? writing.then(() => true) : true;
  }
}
