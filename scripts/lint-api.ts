import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Lints the OpenAPI document under Redocly's recommended rules (redocly.yaml) and Spectral's
 * spectral:oas (.spectral.yaml), failing on any finding, warnings included: Redocly's exit code
 * counts only errors, so its JSON report is read instead.
 */
const folder = mkdtempSync(join(tmpdir(), 'ringfence-openapi-'));
const document = join(folder, 'openapi.json');
const environment = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
const bin = (name: string) => join('node_modules', '.bin', name);

function run(command: string, args: string[]) {
  return spawnSync(command, args, { encoding: 'utf8', env: environment, maxBuffer: 64 * 1024 * 1024 });
}

try {
  const dump = run(bin('tsx'), ['scripts/openapi.ts', document]);
  if (dump.status !== 0) throw new Error(`could not write the OpenAPI document:\n${dump.stderr}`);

  const redocly = run(bin('redocly'), ['lint', document, '--config', 'redocly.yaml', '--format', 'json']);
  const report = JSON.parse(redocly.stdout.slice(redocly.stdout.indexOf('{'))) as {
    totals: { errors: number; warnings: number; ignored: number };
    problems: { ruleId: string; severity: string; message: string; location: { pointer?: string }[] }[];
  };
  for (const problem of report.problems) console.log(`redocly ${problem.severity} ${problem.ruleId}: ${problem.message} (${problem.location[0]?.pointer ?? ''})`);
  console.log(`redocly (recommended): ${report.totals.errors} errors, ${report.totals.warnings} warnings`);

  const spectral = run(bin('spectral'), ['lint', document, '--ruleset', '.spectral.yaml', '--fail-severity', 'hint', '--format', 'json', '--quiet']);
  const findings = JSON.parse(spectral.stdout.trim() || '[]') as { code: string; severity: number; message: string; path: string[] }[];
  for (const finding of findings) console.log(`spectral ${finding.code}: ${finding.message} (${finding.path.join('.')})`);
  console.log(`spectral (spectral:oas): ${findings.length} findings`);

  if (report.totals.errors + report.totals.warnings > 0 || findings.length > 0 || spectral.status !== 0) {
    if (spectral.status !== 0 && findings.length === 0) console.error(spectral.stderr);
    process.exitCode = 1;
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
