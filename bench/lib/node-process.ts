import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface StartedNode {
  readonly child: ChildProcess;
  /** The address the server printed once listening, e.g. http://127.0.0.1:41234. */
  readonly address: string;
}

/** Starts `node <script>` (a path from the repository's root) and waits for the address it prints once listening. */
export function startNode(script: string, env: Record<string, string>, flags: readonly string[] = []): Promise<StartedNode> {
  const child = spawn(process.execPath, [...flags, script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let printed = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${script} exited early (${code}): ${printed}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      const address = /listening on (http:\/\/[\d.:]+)/.exec(printed)?.[1];
      if (address) resolve({ child, address });
    });
  });
}

/** Stops a started node as a process manager would (SIGTERM), and waits for it to exit. */
export async function stopNode(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
