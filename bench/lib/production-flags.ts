import { readFileSync } from 'node:fs';

/**
 * The flags `npm start` gives node (a young generation of 4 MB semi-spaces: the workbook's
 * short-lived garbage is collected before it swells the resident size; and an old generation
 * that grows to at most twice what survived the last full collection before the next, where V8
 * would let it reach four times: see bench/README.md, issue 12), read from package.json so a
 * bench measures the server exactly as it is started.
 */
export function productionNodeFlags(): string[] {
  const start = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }).scripts.start;
  return start.split(/\s+/).filter((part) => part.startsWith('--'));
}
