import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { FieldErrorDto, ProblemDto } from '../errors/problem.dto.js';

export const DOCS_PATH = 'docs';

const DESCRIPTION = `The REST API behind the to-do app. Users sign in with Better Auth in the Next.js
frontend; every \`/api/*\` call carries that session's JWT as \`Authorization: Bearer <token>\`, and
the token's \`sub\` is the user whose tasks are read and written.

**Try it here:** get a development token with \`npm run token -- --sub alice\` (signed with the
server's \`BETTER_AUTH_SECRET\`), press **Authorize**, paste it. The token stays across reloads.

Every error is \`application/problem+json\` (RFC 9457) with a \`request_id\` that also appears in the
\`X-Request-Id\` header and the server log. Single-task responses carry the task's \`version\` as a
strong \`ETag\` (\`"3"\`).`;

/** The OpenAPI document, built from the controllers and DTOs (JSDoc via the Swagger CLI plugin). */
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
  return SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDto, FieldErrorDto],
    // Stable ids named after the controller methods: Tasks_list, UserTasks_list, Me_me, …
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
}

/** Swagger UI at /docs and the OpenAPI JSON at /docs-json (both public). */
export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app), {
    customSiteTitle: 'Tasks API — Swagger',
    jsonDocumentUrl: `${DOCS_PATH}-json`,
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
}
