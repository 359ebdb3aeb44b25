import { SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';

const IS_PUBLIC = 'auth:isPublic';

/** Opens a route or controller to callers without a token. Everything else is closed by default. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Whether the route handling `context` is @Public(). */
export const isPublic = (reflector: Reflector, context: ExecutionContext): boolean =>
  reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]) === true;
