import { All, Controller, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthenticatedRequest, AuthUser } from '../auth/auth-user.js';
import { Public } from '../auth/public.decorator.js';
import { ProblemException } from '../errors/problem.exception.js';
import { isTaskError, toProblem } from '../tasks/task-problems.filter.js';
import { ReminderLimitReachedError, ReminderNeedsDueDateError } from '../reminders/reminder.errors.js';
import { reminderProblem } from '../reminders/reminder-problems.js';
import { CaldavService, ResourceMissingError, type Resource } from './caldav.service.js';
import { InvalidCollectionTokenError } from './collection-tokens.js';
import { DavAuthGuard } from './dav-auth.guard.js';
import { ifMatchEtags } from './dav-etag.js';
import { matches } from './dav-filter.js';
import {
  DAV_ROOT,
  DAV_ROUTES,
  davTarget,
  resourceHref,
  WELL_KNOWN_CALDAV,
  type DavTarget,
} from './dav-paths.js';
import {
  answer,
  calendarProperties,
  homeProperties,
  ICS_TYPE,
  principalProperties,
  propRequest,
  resourceProperties,
  rootProperties,
  type Properties,
  type PropRequest,
} from './dav-properties.js';
import {
  child,
  childrenNamed,
  d,
  davError,
  DavXmlError,
  NS,
  parseXml,
  propResponse,
  statusLine,
  statusResponse,
  writeXml,
  x,
  type X,
  type XmlElement,
} from './dav-xml.js';
import { InvalidCalendarError } from './ical-mapping.js';

/** The root element a WebDAV method's body must have (DAV: namespace); none: any. */
interface Root {
  root?: string;
}

type Handler = (user: AuthUser, target: DavTarget, req: AuthenticatedRequest, res: Response) => Promise<void>;

/** What this server speaks (RFC 4918 class 1 and 3, RFC 4791 calendar-access), on OPTIONS. */
const DAV_CLASSES = '1, 3, calendar-access';
const ALLOW = 'OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT';
const XML_TYPES = ['application/xml', 'text/xml'];
const MULTISTATUS = 207;

const NOT_FOUND = 'Nothing here: /dav/ holds /dav/principal/ and /dav/calendars/{list_id}/{name}.ics';
const NOT_ALLOWED = 'Lists are made, renamed and deleted through the API (or the web app), not over CalDAV';

/**
 * CalDAV (RFC 4791) with WebDAV sync (RFC 6578) under `/dav`, for native task apps (docs/caldav.md).
 * Public to the bearer-token guards: DavAuthGuard signs in with HTTP Basic and an app password.
 * Every method lands here (Nest has no REPORT decorator) and is told apart by `req.method`; the
 * bodies are XML and iCalendar read by DavBodyMiddleware (never the JSON parser). Excluded from
 * the OpenAPI document: its routes are WebDAV methods on paths, not JSON operations.
 */
@Public()
@ApiExcludeController()
@UseGuards(DavAuthGuard)
@Controller()
export class CaldavController {
  constructor(private readonly dav: CaldavService) {}

  /** Each method's handler (HEAD is GET without the body, which Node leaves out). */
  private readonly handlers: Record<string, Handler | undefined> = {
    PROPFIND: (...a) => this.propfind(...a),
    REPORT: (...a) => this.report(...a),
    GET: (...a) => this.get(...a),
    HEAD: (...a) => this.get(...a),
    PUT: (...a) => this.put(...a),
    PROPPATCH: (...a) => this.proppatch(...a),
    DELETE: (...a) => this.delete(...a),
  };

  @All(DAV_ROUTES)
  async handle(@Req() req: AuthenticatedRequest, @Res() res: Response): Promise<void> {
    const target = davTarget(req.path);
    try {
      if (req.method === 'OPTIONS') return this.options(res);
      if (!target) throw new ProblemException(404, NOT_FOUND);
      if (['MKCALENDAR', 'MKCOL'].includes(req.method)) throw new ProblemException(403, NOT_ALLOWED);
      const handler = this.handlers[req.method];
      if (!handler) {
        res.setHeader('Allow', ALLOW);
        throw new ProblemException(405, `${req.method} is not supported here`);
      }
      await handler(req.user!, target, req, res);
    } catch (err) {
      this.fail(err, res);
    }
  }

  private options(res: Response): void {
    res.setHeader('DAV', DAV_CLASSES);
    res.setHeader('Allow', ALLOW);
    res.status(200).end();
  }

  /** Errors with a WebDAV precondition answer with its DAV:error body; the rest as problems. */
  private fail(err: unknown, res: Response): void {
    if (err instanceof InvalidCollectionTokenError)
      return this.xml(res, 403, davError(NS.DAV, 'valid-sync-token'));
    if (err instanceof InvalidCalendarError)
      return this.xml(
        res,
        err.precondition === 'valid-calendar-data' ? 400 : 403,
        davError(NS.CALDAV, err.precondition),
      );
    if (err instanceof ResourceMissingError)
      throw new ProblemException(412, 'No resource here to match If-Match');
    if (err instanceof DavXmlError)
      throw new ProblemException(400, `The request body is not valid XML: ${err.message}`);
    if (isTaskError(err)) throw toProblem(err);
    // A PUT's VALARMs beyond the reminders one user may set: answered as REST answers, nothing written.
    if (err instanceof ReminderLimitReachedError || err instanceof ReminderNeedsDueDateError)
      throw reminderProblem(err);
    throw err;
  }

  private xml(res: Response, status: number, body: string): void {
    res.status(status).type('application/xml; charset=utf-8').send(body);
  }

  private multistatus(res: Response, responses: X[], ...extra: X[]): void {
    this.xml(res, MULTISTATUS, writeXml(d('multistatus', ...responses, ...extra)));
  }

  /**
   * The XML body of a `method` request whose root must be DAV:`root` (any root without one): `400`
   * when it is not, or when there is no body unless `optional` (undefined then).
   */
  private expectRoot(
    req: AuthenticatedRequest,
    method: string,
    expected: Root & { optional: true },
  ): XmlElement | undefined;
  private expectRoot(req: AuthenticatedRequest, method: string, expected: Root): XmlElement;
  private expectRoot(
    req: AuthenticatedRequest,
    method: string,
    { root, optional = false }: Root & { optional?: boolean },
  ): XmlElement | undefined {
    const body = this.body(req);
    if (!body && optional) return undefined;
    if (body && (!root || (body.ns === NS.DAV && body.name === root))) return body;
    throw new ProblemException(
      400,
      root ? `A ${method} body is a DAV:${root} element` : `A ${method} needs a body`,
    );
  }

  /** The XML body of a PROPFIND or REPORT (undefined when there is none), 415 for another media type. */
  private body(req: AuthenticatedRequest): XmlElement | undefined {
    const raw = req.body as Buffer | undefined;
    if (!raw || raw.length === 0) return undefined;
    if (req.headers['content-type'] !== undefined && !req.is(XML_TYPES))
      throw new ProblemException(415, 'Send WebDAV request bodies as application/xml');
    return parseXml(raw.toString('utf8'));
  }

  private async propfind(
    user: AuthUser,
    target: DavTarget,
    req: AuthenticatedRequest,
    res: Response,
  ): Promise<void> {
    const body = this.expectRoot(req, 'PROPFIND', { root: 'propfind', optional: true });
    const request = propRequest(body);
    // Depth infinity (or none) is taken as 1: there is nothing deeper than a calendar's members.
    const depth = req.headers.depth === '0' ? 0 : 1;
    const found = await this.properties(user, target, depth);
    this.multistatus(
      res,
      found.map((p) => propResponse(answer(p, request))),
    );
  }

  /** The properties of `target` and, with depth 1, of its members. */
  private async properties(user: AuthUser, target: DavTarget, depth: 0 | 1): Promise<Properties[]> {
    const sub = user.sub;
    switch (target.kind) {
      case 'root':
        return depth ? [rootProperties(), principalProperties(user), homeProperties()] : [rootProperties()];
      case 'principal':
        return [principalProperties(user)];
      case 'home': {
        if (!depth) return [homeProperties()];
        const calendars = await this.dav.calendars(sub);
        const members = await Promise.all(
          calendars.map(async (c) => calendarProperties(c, await this.dav.syncToken(sub, c))),
        );
        return [homeProperties(), ...members];
      }
      case 'calendar': {
        const calendar = await this.dav.calendar(sub, target.list);
        if (!calendar) throw new ProblemException(404, NOT_FOUND);
        const own = calendarProperties(calendar, await this.dav.syncToken(sub, calendar));
        if (!depth) return [own];
        const members = await this.dav.members(sub, target.list);
        return [
          own,
          ...members.map((m) => resourceProperties(resourceHref(target.list, m.name), m.etag, m.updated_at)),
        ];
      }
      case 'resource': {
        const resource = await this.dav.resource(sub, target.list, target.name);
        if (!resource) throw new ProblemException(404, NOT_FOUND);
        return [this.resourceProps(target.list, resource)];
      }
    }
  }

  private resourceProps(list: string, resource: Resource): Properties {
    return resourceProperties(
      resourceHref(list, resource.name),
      resource.etag,
      resource.updatedAt,
      resource.ics,
    );
  }

  private async get(
    user: AuthUser,
    target: DavTarget,
    req: AuthenticatedRequest,
    res: Response,
  ): Promise<void> {
    if (target.kind !== 'resource') {
      res
        .status(200)
        .type('text/plain; charset=utf-8')
        .send(`CalDAV server: point your client at ${DAV_ROOT}\n`);
      return;
    }
    const resource = await this.dav.resource(user.sub, target.list, target.name);
    if (!resource) throw new ProblemException(404, NOT_FOUND);
    res.setHeader('ETag', resource.etag);
    if (req.headers['if-none-match'] === resource.etag) {
      res.status(304).end();
      return;
    }
    res.status(200).type(ICS_TYPE).send(resource.ics);
  }

  private async put(
    user: AuthUser,
    target: DavTarget,
    req: AuthenticatedRequest,
    res: Response,
  ): Promise<void> {
    if (target.kind !== 'resource') throw new ProblemException(403, NOT_ALLOWED);
    const raw = req.body as Buffer | undefined;
    if (!req.is('text/calendar'))
      throw new ProblemException(415, 'Send a resource as text/calendar (iCalendar)');
    await this.dav.writable(user.sub, target.list);
    const result = await this.dav.put(
      user.sub,
      target.list,
      target.name,
      (raw ?? Buffer.alloc(0)).toString('utf8'),
      {
        etags: ifMatchEtags(req.headers['if-match']),
        anyExisting: req.headers['if-match']?.trim() === '*',
        createOnly: req.headers['if-none-match']?.trim() === '*',
      },
    );
    // RFC 4791 5.3.4: an ETag only when the resource is byte for byte what the client sent.
    if (result.asSent) res.setHeader('ETag', result.etag);
    res.status(result.created ? 201 : 204).end();
  }

  private async delete(
    user: AuthUser,
    target: DavTarget,
    req: AuthenticatedRequest,
    res: Response,
  ): Promise<void> {
    if (target.kind !== 'resource') throw new ProblemException(403, NOT_ALLOWED);
    await this.dav.remove(user.sub, target.list, target.name, ifMatchEtags(req.headers['if-match']));
    res.status(204).end();
  }

  /**
   * No property is writable over CalDAV (a list's name and colour change through the API): each one a
   * PROPPATCH names is answered 403 in a multistatus (RFC 4918 9.2), which clients take per property.
   */
  private async proppatch(
    user: AuthUser,
    target: DavTarget,
    req: AuthenticatedRequest,
    res: Response,
  ): Promise<void> {
    const body = this.expectRoot(req, 'PROPPATCH', { root: 'propertyupdate' });
    const [found] = await this.properties(user, target, 0);
    const names = body.children
      .flatMap((op) => childrenNamed(op, NS.DAV, 'prop'))
      .flatMap((prop) => prop.children.map(({ ns, name }) => x(ns, name)));
    const status = d('status', statusLine(403, 'Forbidden'));
    this.multistatus(res, [d('response', d('href', found.href), d('propstat', d('prop', ...names), status))]);
  }

  private async report(
    user: AuthUser,
    target: DavTarget,
    req: AuthenticatedRequest,
    res: Response,
  ): Promise<void> {
    const body = this.expectRoot(req, 'REPORT', {});
    if (target.kind !== 'calendar') return this.xml(res, 403, davError(NS.DAV, 'supported-report'));
    const request = propRequest(body);
    const list = target.list;
    if (body.ns === NS.CALDAV && body.name === 'calendar-multiget') {
      const wanted = childrenNamed(body, NS.DAV, 'href').map((h) => h.text.trim());
      const targets = wanted.map((href) => davTarget(href));
      // Only the resources asked for are read and rendered, not the whole list.
      const names = targets.flatMap((t) => (t?.kind === 'resource' && t.list === list ? [t.name] : []));
      const resources = await this.byName(user.sub, list, names);
      if (!resources) throw new ProblemException(404, NOT_FOUND);
      const responses = wanted.map((href, i) => {
        const t = targets[i];
        const resource = t?.kind === 'resource' && t.list === list ? resources.get(t.name) : undefined;
        return resource
          ? propResponse(answer(this.resourceProps(list, resource), request))
          : statusResponse(href, 404, 'Not Found');
      });
      return this.multistatus(res, responses);
    }
    if (body.ns === NS.CALDAV && body.name === 'calendar-query') {
      const resources = await this.byName(user.sub, list);
      if (!resources) throw new ProblemException(404, NOT_FOUND);
      const filter = child(body, NS.CALDAV, 'filter');
      const responses = [...resources.values()]
        .filter((r) => matches(filter, r.ics))
        .map((r) => propResponse(answer(this.resourceProps(list, r), request)));
      return this.multistatus(res, responses);
    }
    if (body.ns === NS.DAV && body.name === 'sync-collection')
      return this.syncCollection(user, list, body, request, res);
    this.xml(res, 403, davError(NS.DAV, 'supported-report'));
  }

  /** The list's resources (with `names`, those named) by name, or null when the caller is not a member. */
  private async byName(
    userId: string,
    list: string,
    names?: string[],
  ): Promise<Map<string, Resource> | null> {
    if (!(await this.dav.calendar(userId, list))) return null;
    return new Map((await this.dav.resources(userId, list, names)).map((r) => [r.name, r]));
  }

  private async syncCollection(
    user: AuthUser,
    list: string,
    body: XmlElement,
    request: PropRequest,
    res: Response,
  ): Promise<void> {
    const token = child(body, NS.DAV, 'sync-token')?.text.trim() ?? '';
    const changes = await this.dav.changes(user.sub, list, token);
    if (!changes) throw new ProblemException(404, NOT_FOUND);
    const wantsData =
      request.kind === 'prop' && request.names.some((n) => n.ns === NS.CALDAV && n.name === 'calendar-data');
    // Only the changed resources are read and rendered, not the whole list.
    const changed = changes.changed.map((c) => c.name);
    const resources = wantsData ? await this.byName(user.sub, list, changed) : null;
    const responses: X[] = [];
    for (const { name, etag, updatedAt } of changes.changed) {
      const resource = resources?.get(name);
      const props = resource
        ? this.resourceProps(list, resource)
        : resourceProperties(resourceHref(list, name), etag, updatedAt);
      responses.push(propResponse(answer(props, request)));
    }
    for (const name of changes.gone)
      responses.push(statusResponse(resourceHref(list, name), 404, 'Not Found'));
    this.multistatus(res, responses, d('sync-token', changes.token));
  }
}

/** RFC 6764: `/.well-known/caldav` sends clients to the CalDAV root, whatever the method. */
@Public()
@ApiExcludeController()
@Controller()
export class WellKnownController {
  @All(WELL_KNOWN_CALDAV)
  redirect(@Res() res: Response): void {
    res.redirect(301, DAV_ROOT);
  }
}
