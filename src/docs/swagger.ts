import { createHash } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Request, Response } from 'express';
import { dump } from 'js-yaml';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject, type ParameterObject } from '@nestjs/swagger';
import { FieldErrorDto, ProblemDto } from '../errors/problem.dto.js';

export const DOCS_PATH = 'docs';

// Case-insensitive, as Express routes (and mounts Swagger's assets): `/DOCS-json` is the docs too.
const DOCS = new RegExp(`^/${DOCS_PATH}(?:$|[/?-])`, 'i');

/**
 * Whether a request path (or a URL, its query included) is the docs': the explorer's pages and
 * assets and the OpenAPI document.
 */
export const isDocsPath = (path: string): boolean => DOCS.test(path);

const DESCRIPTION = `The REST API behind the to-do app. Users sign in with Better Auth in the Next.js
frontend; every \`/api/*\` call carries that session's JWT as \`Authorization: Bearer <token>\`, and
the token's \`sub\` is the user whose tasks are read and written.

**Try it here:** get a development token with \`npm run token -- --sub alice\` (signed with the
server's \`BETTER_AUTH_SECRET\`), press **Authorize**, paste it. The token stays across reloads.

Every error is \`application/problem+json\` (RFC 9457) with a \`request_id\` that also appears in the
\`X-Request-Id\` header and the server log. Single-task responses carry the task's \`version\` as a
strong \`ETag\` (\`"3"\`).`;

/** The OpenAPI document, built from the controllers and DTOs (JSDoc via the Swagger CLI plugin). */
/**
 * The controllers of the features under /api/tasks (sync, events, batch) name their operations as
 * the tasks routes do (`Tasks_changes`, `UserTasks_batch`), as they were named when TasksController
 * served them: operation ids stay stable for generated clients.
 */
const TASKS_FEATURES = /^(User)?(Sync|Events|Batch)Controller$/;
const operationGroup = (controller: string): string =>
  controller.replace(TASKS_FEATURES, '$1Tasks').replace(/Controller$/, '');

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Tasks API')
    .setDescription(DESCRIPTION)
    .setVersion('1.0.0')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'A Better Auth JWT, or for development one from `npm run token -- --sub <user-id>`',
    })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDto, FieldErrorDto],
    // Stable ids named after the controller methods: Tasks_list, UserTasks_list, Me_me, …
    operationIdFactory: (controller, method) => `${operationGroup(controller)}_${method}`,
  });
  // The user-scoped routes inherit TasksController's methods, whose documentation cannot see the
  // subclass's path parameter (nor its tag): declare both on every operation under /api/{user_id}/.
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.includes('{user_id}')) continue;
    for (const op of Object.values(item) as { parameters?: ParameterObject[]; tags?: string[] }[]) {
      op.parameters = [USER_ID_PARAMETER, ...(op.parameters ?? []).filter((p) => p.name !== 'user_id')];
      op.tags = [USER_SCOPED_TAG];
    }
  }
  return document;
}

export const USER_SCOPED_TAG = 'tasks (user-scoped paths)';

const USER_ID_PARAMETER: ParameterObject = {
  name: 'user_id',
  in: 'path',
  required: true,
  // No example: "Try it out" would send it, and anyone else's id is 403.
  description: "The caller's own user id (the token's `sub`); any other is 403",
  schema: { type: 'string' },
};

/** The document as served: rendered once (JSON and YAML), with an ETag of its bytes. */
interface Rendered {
  body: string;
  etag: string;
}

function rendered(text: string): Rendered {
  return { body: text, etag: `"${createHash('sha1').update(text).digest('base64url')}"` };
}

/**
 * Swagger UI at /docs, the OpenAPI document at /docs-json and /docs-yaml (all public). The document
 * is built and rendered once, on first use: @nestjs/swagger's own raw routes would turn the whole
 * document into YAML again on every request (a flood of them would starve the event loop).
 */
export function setupSwagger(app: INestApplication): void {
  let document: OpenAPIObject | undefined;
  const built = () => (document ??= buildOpenApiDocument(app));
  SwaggerModule.setup(DOCS_PATH, app, built, {
    customSiteTitle: 'Tasks API — Swagger',
    raw: false,
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
  let json: Rendered | undefined;
  let yaml: Rendered | undefined;
  const serve = (type: string, render: () => Rendered) => (req: Request, res: Response) => {
    const { body, etag } = render();
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'public, max-age=60');
    if (req.headers['if-none-match'] === etag) return void res.status(304).end();
    res.type(type).send(body);
  };
  const http = app.getHttpAdapter();
  http.get(
    `/${DOCS_PATH}-json`,
    serve('application/json', () => (json ??= rendered(JSON.stringify(built())))),
  );
  http.get(
    `/${DOCS_PATH}-yaml`,
    serve('text/yaml', () => (yaml ??= rendered(dump(built(), { skipInvalid: true, noRefs: true })))),
  );
}
