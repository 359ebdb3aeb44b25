// npm run openapi: writes openapi.json (sorted keys) from the app's own document, without a
// database (Nest's preview mode instantiates nothing). Run from dist/ so the Swagger CLI plugin's
// metadata is there.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';

process.env.NODE_ENV = 'test';
process.env.DATABASE_URL ??= 'postgresql://localhost/unused';
process.env.BETTER_AUTH_SECRET ??= 'unused-unused-unused-unused-unused-unused';

/** The value with every object's keys sorted, so the file diffs cleanly. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

const { AppModule } = await import('../app.module.js');
const { buildOpenApiDocument } = await import('./swagger.js');
const app = await NestFactory.create(AppModule, { preview: true, logger: false });
const file = process.argv[2] ?? 'openapi.json';
writeFileSync(file, `${JSON.stringify(sortKeys(buildOpenApiDocument(app)), null, 2)}\n`);
await app.close();
console.log(`wrote ${file}`);
