import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { requestIdOf } from './request-id.js';

const SENSITIVE_QUERY = /token|secret|password|key|code|session/i;

/** The request's path and query, with the values of anything credential-like replaced. */
export function safeUrl(url = ''): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const name of [...params.keys()]) {
    if (SENSITIVE_QUERY.test(name)) params.set(name, '[redacted]');
  }
  return `${url.slice(0, q)}?${params.toString()}`;
}

type LoggedRequest = IncomingMessage & { id?: string; originalUrl?: string; user?: { sub?: string } };
type LoggedResponse = ServerResponse<LoggedRequest> & { [STARTED]?: number };

const STARTED = Symbol('requestStartedAt');

/**
 * The first middleware of the app: gives the request its id (`X-Request-Id`, see request-id.ts)
 * and writes one line when the response is done: method, url (credential-like query values
 * redacted), status, duration, user and request id. 5xx are `error`, 4xx `warn`; a response the
 * client abandoned is "request aborted". Health probes are not logged. Headers, bodies and tokens
 * never are.
 *
 * One module-level listener per response and one plain object per line: it costs a few
 * microseconds per request, where pino-http's child loggers and serializers cost tens.
 */
export function requestLog(logger: Logger) {
  function onClose(this: LoggedResponse): void {
    const req = this.req;
    const status = this.headersSent ? this.statusCode : null;
    const finished = this.writableFinished;
    const level = !finished ? 'info' : status! >= 500 ? 'error' : status! >= 400 ? 'warn' : 'info';
    if (!logger.isLevelEnabled(level)) return;
    const url = safeUrl(req.originalUrl ?? req.url);
    logger[level](
      {
        request_id: req.id,
        req: { id: req.id, method: req.method, url },
        user_id: req.user?.sub,
        res: { status },
        duration_ms: Math.round((performance.now() - this[STARTED]!) * 10) / 10,
      },
      finished ? 'request completed' : 'request aborted',
    );
  }

  return (req: LoggedRequest, res: LoggedResponse, next: () => void): void => {
    requestIdOf(req, res);
    if (!req.url?.startsWith('/health/')) {
      res[STARTED] = performance.now();
      res.once('close', onClose);
    }
    next();
  };
}
