import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `dir` (recursively) whose name ends with `.ts`. */
const tsFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
const importsOf = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/g)].map(
    (m) => m[1] ?? m[2],
  );

/**
 * A migration runs once, as it was written: nothing it reads may change later. So a migration
 * imports only libraries (no runtime constant of the app, no other migration's), and the app's
 * code never imports from a migration (editing a migration must not change the app, nor the app a
 * migration's SQL).
 */
describe('migrations are frozen', () => {
  it('import nothing of the app and nothing of each other (only packages, and index.ts the migrations)', () => {
    const found = tsFiles('migrations').flatMap((file) =>
      importsOf(file)
        .filter(
          (spec) => spec.startsWith('.') && !(file.endsWith('index.ts') && /^\.\/\d+-\w+\.js$/.test(spec)),
        )
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(found).toEqual([]);
  });

  it('are imported by no code of the app but the list of migrations', () => {
    const found = tsFiles('src').flatMap((file) =>
      importsOf(file)
        .filter((spec) => /(^|\/)migrations\//.test(spec) && !/migrations\/index\.js$/.test(spec))
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(found).toEqual([]);
  });
});
