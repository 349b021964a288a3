// `npm run build`: compiles src/ and migrations/ to JavaScript in dist/ with esbuild, and copies
// what the server reads by path at run time. No type checking here: that is `tsc --noEmit`, in
// `npm run typecheck` and CI, and takes a minute where this takes a second.
//
// One bundle per entry point, split into shared chunks, all directly in dist/: every module's
// import.meta.url is then a file in dist/, so the views, static files and parsing workers are
// copied there (see RUNTIME_FILES), and a module imported on first use (docx, the charts, the
// report writers) becomes a chunk loaded on first use. Packages stay in node_modules, except
// the few made of hundreds of small ES modules: bundled, they cost the idle server far less
// memory (measured in bench/memory.ts and bench/README.md).
import { cp, readdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(ROOT, 'dist');

/** Bundled into dist/ rather than loaded file by file from node_modules (see above). */
const BUNDLED_PACKAGES = /^(kysely|zod|fastify-type-provider-zod)(\/|$)/;

/** Read by path at run time: source (under src/) → destination (under dist/). */
const RUNTIME_FILES = {
  'web/views': 'views',
  'web/public': 'public',
  'imports/read/xlsx-worker.mjs': 'xlsx-worker.mjs',
  'imports/read/csv-worker.mjs': 'csv-worker.mjs',
  'imports/read/cell-text.mjs': 'cell-text.mjs',
};

const ENTRY_POINTS = ['server', 'migrate-cli', 'demo-cli'];
/** Started as worker threads by path (src/imports/commit-thread.ts): name in dist/ → source under src/. */
const WORKER_ENTRY_POINTS = { 'commit-worker': 'imports/commit-worker.ts' };

const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => (BUNDLED_PACKAGES.test(args.path) ? undefined : { path: args.path, external: true }));
  },
};

async function migrationEntries() {
  const files = (await readdir(join(ROOT, 'migrations'))).filter((name) => /^\d{4}_[a-z0-9_]+\.ts$/.test(name));
  // Entries of the same build, so they share the app's copy of kysely.
  return Object.fromEntries(files.map((name) => [`migrations/${name.replace(/\.ts$/, '')}`, join(ROOT, 'migrations', name)]));
}

export async function build() {
  const started = performance.now();
  await rm(DIST, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: {
      ...Object.fromEntries(ENTRY_POINTS.map((name) => [name, join(ROOT, 'src', `${name}.ts`)])),
      ...Object.fromEntries(Object.entries(WORKER_ENTRY_POINTS).map(([name, source]) => [name, join(ROOT, 'src', source)])),
      ...(await migrationEntries()),
    },
    outdir: DIST,
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    plugins: [externalPackages],
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  for (const [source, destination] of Object.entries(RUNTIME_FILES)) {
    await cp(join(ROOT, 'src', source), join(DIST, destination), { recursive: true });
  }
  // dist/ is ESM like the sources, whatever package.json someone puts above it.
  await writeFile(join(DIST, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);
  process.stdout.write(`Built ${relative(process.cwd(), DIST) || DIST} in ${Math.round(performance.now() - started)} ms\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await build();
