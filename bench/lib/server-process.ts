import { type ChildProcess, fork } from 'node:child_process';

export interface ServerProcess {
  readonly port: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a module that forks like bench/server.ts: it answers { kind: 'ready', port } over IPC. */
export async function startServerProcess(module: URL, env: Record<string, string>, nodeFlags: readonly string[] = []): Promise<ServerProcess> {
  // BENCH_SERVER_NODE_ARGS passes flags to the server's node alone, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to see where its time goes.
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = fork(module, [], { execArgv: ['--import', 'tsx', ...nodeFlags, ...extra], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // A server that dies mid-run says how, rather than leaving only the clients' refused connections.
  child.on('exit', (code, signal) => {
    if (code !== 0) process.stderr.write(`bench server exited (code ${code}, signal ${signal})\n`);
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
    child.on('message', (message: { kind: string; port?: number }) => {
      if (message.kind === 'ready' && message.port) resolve(message.port);
    });
  });
  return {
    port,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ kind: 'stop' });
      await exited;
    },
  };
}
