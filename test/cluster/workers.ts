/** Test helper: `tengen worker` processes (the CLI, src/cli.ts under tsx) on the cpu backend. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const repo = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

export interface WorkerProc {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function spawnWorker(url: string, id: string, extra: string[] = []): WorkerProc {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src', 'cli.ts'), '--backend', 'cpu', 'worker', '--cluster', url, '--inference', 'tfjs', '--id', id, '--lock-seconds', '2', ...extra], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

/** Resolve when `pred(output)` holds (reject after timeoutMs, with the output). */
export async function waitFor(w: WorkerProc, pred: (out: string) => boolean, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!pred(w.output())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting on worker output:\n${w.output()}`);
    if (w.proc.exitCode !== null) throw new Error(`worker exited (${w.proc.exitCode}):\n${w.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function stopWorker(w: WorkerProc): Promise<number | null> {
  if (w.proc.exitCode !== null || w.proc.signalCode !== null) return w.proc.exitCode;
  w.proc.kill('SIGTERM');
  const timer = setTimeout(() => w.proc.kill('SIGKILL'), 15_000);
  const code = await w.exited;
  clearTimeout(timer);
  return code;
}
