import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';

const ROOT = join(import.meta.dirname, '..', '..');
/**
 * The scheme data lives in migrations; the demo loads one council's example lines as data (as
 * the benchmarks' generators and the tests do, outside the product's code).
 */
const DATA_FOLDERS = ['migrations', join('src', 'demo')];
const CODE_FOLDERS = ['src'];

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs|njk)$/.test(name) ? [path] : [];
  });
}

/**
 * No code names a category of one scheme: conditions are data an administrator enters, so
 * a new scheme (or next year's categories) needs no code change. Comments may mention one;
 * code may not quote one.
 */
describe('schemes are data', () => {
  let testApp: TestApp;
  let codes: string[];

  beforeAll(async () => {
    testApp = await startTestApp();
    const schemes = await testApp.app.inject({ method: 'GET', url: '/api/v1/schemes', headers: { authorization: `Bearer ${testApp.adminToken}` } });
    codes = schemes.json().items.flatMap((scheme: { versions: { categories: { code: string }[] }[] }) => scheme.versions.flatMap((v) => v.categories.map((c) => c.code)));
  });
  afterAll(() => testApp?.close());

  it('quotes no built-in category code in code outside the scheme data', () => {
    expect(codes).toContain('transformation');
    const quoted = new RegExp(`['"\`](${[...new Set(codes)].join('|')})['"\`]`);
    const offenders = CODE_FOLDERS.flatMap((folder) => sourceFiles(join(ROOT, folder)))
      .filter((file) => !DATA_FOLDERS.some((data) => relative(ROOT, file).startsWith(data)))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, index) => ({ line: line.trim(), where: `${relative(ROOT, file)}:${index + 1}` }))
          .filter(({ line }) => !line.startsWith('//') && !line.startsWith('*') && !line.startsWith('/*') && quoted.test(line))
          .map(({ where, line }) => `${where}: ${line}`),
      );
    expect(offenders).toEqual([]);
  });
});
