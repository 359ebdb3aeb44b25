import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { DAV_ROUTES, WELL_KNOWN_CALDAV } from '../caldav/dav-paths.js';
import { JsonBodyMiddleware } from './json-body.middleware.js';

/**
 * Request-body handling shared by every route: JSON, except under `/dav` (CalDAV's XML and
 * iCalendar, read by the CalDAV module itself) and `/.well-known/caldav` (a redirect).
 */
@Module({})
export class HttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(JsonBodyMiddleware)
      .exclude(...[...DAV_ROUTES, WELL_KNOWN_CALDAV].map((path) => ({ path, method: RequestMethod.ALL })))
      .forRoutes('*');
  }
}
