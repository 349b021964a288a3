import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import ExcelJS from 'exceljs';
import { hashApiToken } from '../src/auth/tokens.ts';
import { createMigratedDatabase, pounds, seededRandom, withClient } from './lib/database.ts';
import { type Figure, figure, printFigures, saveFigures } from './lib/results.ts';
import { type ServerProcess, startServerProcess } from './lib/server-process.ts';

/**
 * npm run bench:imports — a 20,000-row ledger export (.xlsx) previewed and committed over
 * HTTP through the whole app (multipart upload, zip guard, worker-thread parse, matching,
 * duplicate check, then every payment through recordSpend with its lock, cap check and audit
 * record), against exceljs merely loading the same file, in the same run. Each exceljs load
 * runs in a fresh process, so its peak memory is its own, as the server's is.
 */
const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 20_000);
const PREVIEW_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LINES = 20;
const MB = 1024 * 1024;

interface Memory {
  readonly rss: number;
  readonly sampledPeak: number;
  readonly maxRss: number;
}

/** The export: dates across the year, amounts in pence, one of 20 cost centres per row. */
async function ledgerExport(): Promise<Buffer> {
  const random = seededRandom(20_25);
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('AP transactions');
  sheet.addRow(['GL Date', 'Transaction Number', 'Supplier Name', 'Cost Centre', 'Description', 'Net Amount']);
  for (let i = 0; i < ROWS; i++) {
    const day = new Date(Date.UTC(2025, 3, 1 + Math.floor(random() * 365)));
    const pence = 1_000 + Math.floor(random() * 49_000);
    // A number cell with pence, as a ledger writes it; the import reads it back exactly.
    sheet.addRow([day, `AP-${String(i + 1).padStart(6, '0')}`, `Supplier ${i % 400}`, `CC${String(i % LINES).padStart(3, '0')}`, `Payment ${i + 1}`, Number(pounds(pence))]);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A council, its finance officer's token and an empty 2025-26 grant, written straight through pg. */
async function seedCouncil(url: string): Promise<{ token: string; organisationId: string }> {
  const token = `rf_bench_${randomBytes(24).toString('base64url')}`;
  return withClient(url, async (client) => {
    const suffix = randomBytes(3).toString('hex');
    const user = await client.query<{ id: string }>(`INSERT INTO users (email, name) VALUES ($1, 'Bench finance') RETURNING id`, [`finance.${suffix}@bench.example`]);
    const code = `E0${String(Math.floor(1_000_000 + Math.random() * 8_999_999))}`;
    const organisation = await client.query<{ id: string }>(`INSERT INTO organisations (name, code) VALUES ('Bench council', $1) RETURNING id`, [code]);
    await client.query(`INSERT INTO memberships (organisation_id, user_id, role) VALUES ($1, $2, 'finance')`, [organisation.rows[0]!.id, user.rows[0]!.id]);
    await client.query(`INSERT INTO api_tokens (user_id, name, token_hash, organisation_id) VALUES ($1, 'bench', $2, $3)`, [
      user.rows[0]!.id,
      hashApiToken(token),
      organisation.rows[0]!.id,
    ]);
    return { token, organisationId: organisation.rows[0]!.id };
  });
}

async function api(port: number, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body instanceof FormData ? {} : { 'content-type': 'application/json' }) },
    body: body instanceof FormData ? body : body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(answer).slice(0, 500)}`);
  return answer;
}

/** A grant with 20 lines, each mapped from one cost centre, large enough that no payment breaks a cap. */
async function seedGrant(port: number, url: string): Promise<{ token: string; grantId: string }> {
  const { token, organisationId } = await seedCouncil(url);
  const grant = await api(port, token, 'POST', `/organisations/${organisationId}/grants`, {
    scheme: 'csc-prevention',
    financialYear: '2025-26',
    tranches: [{ amount: '30000000.00', description: 'Bench allocation', status: 'confirmed' }],
  });
  const categories = ['transformation', 'family_help_delivery', 'practice_workforce_ict', 'family_voice'];
  for (let i = 0; i < LINES; i++) {
    const line = await api(port, token, 'POST', `/grants/${grant.id}/commitments`, { title: `Line ${i + 1}`, category: categories[i % 4], amount: '1000000.00' });
    await api(port, token, 'POST', `/grants/${grant.id}/cost-centres`, { code: `CC${String(i).padStart(3, '0')}`, commitmentId: line.id });
  }
  return { token, grantId: grant.id };
}

function ask<T>(server: ServerProcess, kind: string): Promise<T> {
  return new Promise((resolve) => {
    server.child.once('message', (message: T) => resolve(message));
    server.child.send({ kind });
  });
}

async function measured<T>(server: ServerProcess, work: () => Promise<T>): Promise<{ result: T; ms: number; peakGrowth: number }> {
  await ask(server, 'reset-sample');
  const before = await ask<Memory>(server, 'memory');
  const start = performance.now();
  const result = await work();
  const ms = performance.now() - start;
  const after = await ask<Memory>(server, 'memory');
  return { result, ms, peakGrowth: after.sampledPeak - before.rss };
}

/** exceljs loading the file in a process of its own: its time, and how far its RSS rose. */
function exceljsAlone(file: string): Promise<{ ms: number; peakGrowth: number }> {
  const child = fork(new URL(import.meta.url), ['--exceljs-alone', file], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { ms: number; peakGrowth: number }) => resolve(message));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`exceljs baseline exited with ${code}`))));
  });
}

async function runExceljsAlone(file: string): Promise<void> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const start = performance.now();
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  const ms = performance.now() - start;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  process.send!({ ms, peakGrowth: peak - before, rows: workbook.worksheets[0]!.rowCount });
  process.exit(0);
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  process.stdout.write(`Building a ${ROWS.toLocaleString('en-GB')}-row ledger export…\n`);
  const bytes = await ledgerExport();
  const file = join(tmpdir(), `ringfence-bench-imports-${process.pid}.xlsx`);
  writeFileSync(file, bytes);
  process.stdout.write(`  ${(bytes.length / MB).toFixed(2)} MB\n`);
  const database = await createMigratedDatabase('imports');
  const server = await startServerProcess(new URL('./server.ts', import.meta.url), { DATABASE_URL: database.url });
  try {
    const upload = (token: string, grantId: string) => {
      const form = new FormData();
      form.append('kind', 'spend');
      form.append('file', new Blob([new Uint8Array(bytes)]), 'ap-transactions.xlsx');
      return api(server.port, token, 'POST', `/grants/${grantId}/imports`, form);
    };
    const previews: { ms: number; peakGrowth: number }[] = [];
    const baselines: { ms: number; peakGrowth: number }[] = [];
    let last: { token: string; grantId: string; importId: string } | null = null;
    for (let round = 0; round < PREVIEW_ROUNDS; round++) {
      const { token, grantId } = await seedGrant(server.port, database.url);
      const preview = await measured(server, () => upload(token, grantId));
      if (preview.result.willCreate.count !== ROWS)
        throw new Error(`preview would create ${preview.result.willCreate.count}: ${JSON.stringify(preview.result.problems.slice(0, 3))}`);
      previews.push(preview);
      baselines.push(await exceljsAlone(file));
      last = { token, grantId, importId: preview.result.id };
      process.stdout.write(`  preview round ${round + 1}: ${preview.ms.toFixed(0)} ms; exceljs alone ${baselines.at(-1)!.ms.toFixed(0)} ms\n`);
    }
    process.stdout.write(`Committing ${ROWS.toLocaleString('en-GB')} payments through recordSpend…\n`);
    const commit = await measured(server, () => api(server.port, last!.token, 'POST', `/imports/${last!.importId}/commit`));
    if (commit.result.created.count !== ROWS) throw new Error(`commit created ${commit.result.created.count}`);
    const again = await measured(server, () => upload(last!.token, last!.grantId));
    if (again.result.duplicates.length !== ROWS) throw new Error(`re-import found ${again.result.duplicates.length} duplicates`);

    const parse = median(baselines.map((b) => b.ms));
    const parsePeak = median(baselines.map((b) => b.peakGrowth)) / MB;
    const rows = `${ROWS.toLocaleString('en-GB')} rows`;
    const figures: Figure[] = [
      figure({
        section: 'imports',
        name: `preview, ${rows}, over HTTP`,
        value: median(previews.map((p) => p.ms)),
        unit: 'ms',
        baselineName: 'exceljs load alone',
        baseline: parse,
        target: '',
      }),
      figure({
        section: 'imports',
        name: 'server RSS growth, preview',
        value: median(previews.map((p) => p.peakGrowth)) / MB,
        unit: 'MB',
        baselineName: 'exceljs load alone',
        baseline: parsePeak,
        target: '',
      }),
      figure({
        section: 'imports',
        name: `commit, ${rows}, one transaction`,
        value: commit.ms,
        unit: 'ms',
        baselineName: 'exceljs load alone',
        baseline: parse,
        target: '',
        note: `${((ROWS / commit.ms) * 1000).toFixed(0)} payments/s through recordSpend`,
      }),
      figure({
        section: 'imports',
        name: 'server RSS growth, commit',
        value: commit.peakGrowth / MB,
        unit: 'MB',
        baselineName: 'exceljs load alone',
        baseline: parsePeak,
        target: '',
      }),
      figure({
        section: 'imports',
        name: `re-import preview, all ${rows} duplicates`,
        value: again.ms,
        unit: 'ms',
        baselineName: 'exceljs load alone',
        baseline: parse,
        target: '',
      }),
    ];
    printFigures(figures);
    process.stdout.write(`\nResults written to ${saveFigures('imports', figures)}\n`);
  } finally {
    await server.stop();
    await database.drop();
  }
}

if (process.argv[2] === '--exceljs-alone') {
  await runExceljsAlone(process.argv[3]!);
} else {
  await main().catch((error: unknown) => {
    process.stderr.write(`bench:imports failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
