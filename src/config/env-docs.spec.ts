import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { Env } from './env.js';

/**
 * The variables the configuration accepts: the properties of `Env` that carry validation metadata,
 * which is exactly what `validateEnv`'s `whitelist` keeps (every other variable is dropped).
 */
const accepted = (): string[] => [
  ...new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(Env, '', false, false)
      .map((m) => m.propertyName),
  ),
];

/** The first cell of every row of the tables in a markdown file; each must name one variable. */
function tableVariables(markdown: string): { names: string[]; badRows: string[] } {
  const names: string[] = [];
  const badRows: string[] = [];
  for (const row of markdown.split('\n').filter((line) => line.startsWith('|'))) {
    const first = row.split('|')[1].trim();
    if (first === 'variable' || /^:?-+:?$/.test(first)) continue;
    const name = /^`([A-Z][A-Z0-9_]*)`$/.exec(first)?.[1];
    if (name) names.push(name);
    else badRows.push(row);
  }
  return { names, badRows };
}

/** `NAME=…` lines of a dotenv file, commented out or not. */
const dotenvVariables = (text: string): string[] =>
  [...text.matchAll(/^#?[ \t]*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);

const duplicates = (names: string[]): string[] => names.filter((n, i) => names.indexOf(n) !== i);
const sorted = (names: Iterable<string>): string[] => [...new Set(names)].sort();

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) yield path;
  }
}

/** Variables the code reads straight from `process.env` (`process.env.X`, `process.env['X']`). */
const processEnvReads = (text: string): string[] =>
  [...text.matchAll(/process\.env(?:\.([A-Z][A-Z0-9_]*)|\[\s*['"`]([A-Z][A-Z0-9_]*)['"`]\s*\])/g)].map(
    (m) => m[1] ?? m[2],
  );

describe('the configuration reference', () => {
  const variables = accepted();
  const docs = readFileSync('docs/configuration.md', 'utf8');
  const example = readFileSync('.env.example', 'utf8');

  it('reads the accepted variables from Env', () => {
    expect(variables.length).toBeGreaterThan(30);
    expect(variables).toEqual(expect.arrayContaining(['NODE_ENV', 'DATABASE_URL', 'BETTER_AUTH_SECRET']));
  });

  it('docs/configuration.md has one table row for each variable Env accepts, and no other', () => {
    const { names, badRows } = tableVariables(docs);
    expect(badRows).toEqual([]);
    expect(duplicates(names)).toEqual([]);
    expect(sorted(names)).toEqual(sorted(variables));
  });

  it('.env.example lists each variable Env accepts once, and no other', () => {
    const names = dotenvVariables(example);
    expect(duplicates(names)).toEqual([]);
    expect(sorted(names)).toEqual(sorted(variables));
  });

  it('nothing in src/ or scripts/ reads a variable from process.env that Env does not accept', () => {
    const files = [...sources('src'), ...sources('scripts')];
    expect(files.length).toBeGreaterThan(20);
    const read = files.flatMap((f) => processEnvReads(readFileSync(f, 'utf8')).map((name) => ({ f, name })));
    expect(read.length).toBeGreaterThan(0);
    expect(read.filter(({ name }) => !variables.includes(name))).toEqual([]);
  });
});
