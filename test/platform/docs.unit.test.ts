import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SOURCE_FOLDERS = ['src', 'test', 'bench', 'migrations', 'scripts'];
const SOURCE_FILE = /\.(ts|mts|cts|mjs|cjs|js)$/;
/** A cited document: a path ending in .md, such as README.md or docs/domain.md. */
const CITED_MARKDOWN = /[\w./-]*[\w-]\.md\b/g;

function filesUnder(folder: string, accept: RegExp): string[] {
  const absolute = join(ROOT, folder);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { recursive: true, encoding: 'utf8' })
    .map((name) => join(absolute, name))
    .filter((path) => accept.test(path) && !path.includes(`${sep}node_modules${sep}`) && statSync(path).isFile());
}

/** Every comment in a source file, found by TypeScript's own parser (so strings and regexes are not mistaken for comments). */
const commentCache = new Map<string, { line: number; text: string }[]>();

function commentsOf(path: string): { line: number; text: string }[] {
  const cached = commentCache.get(path);
  if (cached) return cached;
  const text = readFileSync(path, 'utf8');
  // Only a file that mentions a .md file anywhere can cite one in a comment; parsing the rest is wasted.
  if (!/\.md\b/.test(text)) return [];
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, path.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const seen = new Map<number, string>();
  const collect = (ranges: readonly ts.CommentRange[] | undefined) => {
    for (const range of ranges ?? []) seen.set(range.pos, text.slice(range.pos, range.end));
  };
  const visit = (node: ts.Node) => {
    collect(ts.getLeadingCommentRanges(text, node.getFullStart()));
    collect(ts.getTrailingCommentRanges(text, node.getEnd()));
    node.forEachChild(visit);
  };
  visit(source);
  collect(ts.getLeadingCommentRanges(text, source.endOfFileToken.getFullStart()));
  const comments = [...seen].map(([pos, comment]) => ({ line: source.getLineAndCharacterOfPosition(pos).line + 1, text: comment }));
  commentCache.set(path, comments);
  return comments;
}

/** `#` comments of the shell and container files. */
function hashCommentsOf(path: string): { line: number; text: string }[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line, index) => ({ line: index + 1, text: line.slice(line.indexOf('#')) }))
    .filter((entry, index, all) => all[index]!.text.startsWith('#') && !entry.text.startsWith('#!'));
}

/** A citation is good when it names a file inside the repository, from its root or from the citing file's folder. */
function resolvesInRepository(citingFile: string, cited: string): boolean {
  return [join(ROOT, cited), join(dirname(citingFile), cited)].some((candidate) => {
    const inside = !relative(ROOT, candidate).startsWith('..');
    return inside && existsSync(candidate) && statSync(candidate).isFile();
  });
}

function missingCitations(files: readonly string[], comments: (path: string) => { line: number; text: string }[]): string[] {
  const missing: string[] = [];
  for (const file of files) {
    for (const comment of comments(file)) {
      for (const cited of comment.text.match(CITED_MARKDOWN) ?? []) {
        if (!resolvesInRepository(file, cited)) missing.push(`${relative(ROOT, file)}:${comment.line} cites ${cited}`);
      }
    }
  }
  return missing;
}

describe('documents the code cites', () => {
  const sources = SOURCE_FOLDERS.flatMap((folder) => filesUnder(folder, SOURCE_FILE)).concat(
    readdirSync(ROOT)
      .filter((name) => SOURCE_FILE.test(name))
      .map((name) => join(ROOT, name)),
  );

  it('finds the source files and their comments', () => {
    // Guards the guard: a scan that found nothing would pass whatever the comments said.
    expect(sources.length).toBeGreaterThan(200);
    const cited = sources.flatMap((file) => commentsOf(file).flatMap((comment) => comment.text.match(CITED_MARKDOWN) ?? []));
    expect(cited).toContain('docs/domain.md');
  });

  it('tells a comment citing a file outside the repository from one citing a file in it', () => {
    const here = join(ROOT, 'src', 'app.ts');
    expect(resolvesInRepository(here, 'docs/grant-conditions.md')).toBe(true);
    expect(resolvesInRepository(here, '../docs/grant-conditions.md')).toBe(true);
    expect(resolvesInRepository(here, '../../outside-the-repository/NOTES.md')).toBe(false);
    expect(resolvesInRepository(here, 'NOWHERE.md')).toBe(false);
  });

  /**
   * Migrations that have landed are frozen, comments included (a migration is never edited once
   * applied anywhere); the two that cite the steering documents by name are listed here, and
   * no other may join them.
   */
  const FROZEN_CITATIONS = [
    'migrations/0001_ledger.ts:202 cites API.md',
    'migrations/0003_governance.ts:206 cites EXPECTATIONS.md',
    'migrations/0003_governance.ts:293 cites EXPECTATIONS.md',
  ];

  it('cites in every source comment only .md files that exist in the repository', () => {
    expect(missingCitations(sources, commentsOf)).toEqual(FROZEN_CITATIONS);
  });

  it('cites in the CI script and container files only .md files that exist in the repository', () => {
    const files = ['.ci/run', 'Dockerfile', 'docker-compose.yml'].map((name) => join(ROOT, name)).filter((path) => existsSync(path));
    expect(missingCitations(files, hashCommentsOf)).toEqual([]);
  });

  it('links, in the README and docs/, only to files that exist in the repository', () => {
    const pages = [join(ROOT, 'README.md'), ...filesUnder('docs', /\.md$/)];
    const broken: string[] = [];
    for (const page of pages) {
      for (const [, target] of readFileSync(page, 'utf8').matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/i.test(target!)) continue;
        const path = join(dirname(page), target!);
        if (relative(ROOT, path).startsWith('..') || !existsSync(path)) broken.push(`${relative(ROOT, page)} links to ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
