// Runs before `npm start`, `npm run migrate` and `npm run demo`: builds dist/ when it is missing
// or older than anything it is built from, so `npm install && npm start` works on a fresh clone
// and an edited source never runs stale. When dist/ is current it costs a directory walk.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = ['src', 'migrations', 'scripts/build.mjs', 'package.json', 'package-lock.json', 'tsconfig.json'];

async function newestChange(path) {
  const info = await stat(path).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  let newest = info.mtimeMs;
  for (const entry of entries) {
    const entryInfo = await stat(join(entry.parentPath, entry.name));
    newest = Math.max(newest, entryInfo.mtimeMs);
  }
  return newest;
}

const built = await stat(join(ROOT, 'dist', 'server.js')).catch(() => null);
const sources = Math.max(...(await Promise.all(SOURCES.map((path) => newestChange(join(ROOT, path))))));
if (!built || built.mtimeMs < sources) {
  // Imported only when needed: a production image has dist/ and no esbuild.
  const { build } = await import('./build.mjs');
  await build();
}
