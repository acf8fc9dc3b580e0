/**
 * `tengen worker --cluster redis://host:6379/0`: play self-play jobs for whatever run the cluster's
 * trainer (`tengen selfplay --cluster ...`) enqueues. Ctrl-C (or SIGTERM) finishes the running
 * jobs and exits; a second Ctrl-C hands them back to the queue at once.
 */
import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../util/errors.ts';
import { initBackend } from '../nets/backend.ts';

export interface WorkerFlags {
  cluster?: string;
  concurrency?: string;
  threads?: string;
  inference?: string;
  id?: string;
  lockSeconds?: string;
  netDir?: string;
  backend?: string;
}

function int(name: string, raw: string | undefined, def: number, min: number, max: number): number {
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(n) || n < min || n > max) throw new UserError(`--${name} ${raw}: expected a whole number from ${min} to ${max}`);
  return n;
}

/** Check the flags (UserError on anything bad) and return the worker's options. */
export async function resolveWorkerFlags(f: WorkerFlags): Promise<import('../cluster/worker.ts').ClusterWorkerOptions> {
  if (!f.cluster) throw new UserError('worker: --cluster <redis-url> is required, e.g. --cluster redis://10.0.0.5:6379/0');
  const { parseRedisUrl } = await import('../cluster/redis-url.ts');
  const target = parseRedisUrl(f.cluster);
  const inference = f.inference ?? 'auto';
  if (!['auto', 'onnxruntime', 'tfjs'].includes(inference)) throw new UserError(`--inference ${inference}: expected auto, onnxruntime or tfjs`);
  if (f.id !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(f.id)) throw new UserError(`--id ${f.id}: use letters, digits, '.', '_' or '-' (at most 64)`);
  return {
    target, concurrency: int('concurrency', f.concurrency, 1, 1, 64), threads: int('threads', f.threads, 0, 0, 256), inference: inference as 'auto' | 'onnxruntime' | 'tfjs',
    ...(f.id ? { id: f.id } : {}),
    ...(f.netDir !== undefined ? { netDir: checkDir('--net-dir', f.netDir) } : {}),
    ...(f.lockSeconds !== undefined ? { lockDurationMs: int('lock-seconds', f.lockSeconds, 30, 1, 3600) * 1000, stalledIntervalMs: int('lock-seconds', f.lockSeconds, 30, 1, 3600) * 500 } : {}),
  };
}

function checkDir(flag: string, dir: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${flag} ${dir}: not a directory (it must be the directory the trainer publishes nets to)`);
  return dir;
}

export async function runWorker(f: WorkerFlags, out: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<void> {
  const opts = await resolveWorkerFlags(f);
  const backend = await initBackend({ backend: f.backend, quiet: true });
  const { ClusterWorker } = await import('../cluster/worker.ts');
  const { redactUrl } = await import('../cluster/redis-url.ts');
  let w;
  try {
    w = await ClusterWorker.start({ ...opts, backend, log: (m) => out(m) });
  } catch (e) {
    throw new UserError(`worker: cannot join the cluster at ${redactUrl(opts.target)}: ${(e as Error).message.replace(/^Connection closed: /, '')}`);
  }
  out(`tengen worker ${w.id}: cluster ${redactUrl(opts.target)}, ${opts.concurrency} job(s) at once, ${opts.threads} thread(s) per job, backend ${backend}; Ctrl-C finishes the running jobs, twice hands them back`);
  let signals = 0;
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (): void => {
      signals++;
      out(signals === 1 ? 'stopping after the running jobs (Ctrl-C again to hand them back now)' : 'handing the running jobs back to the queue');
      void w.stop(signals > 1).then(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await stopped;
  out(`worker ${w.id} stopped: ${w.counts.completed} jobs done, ${w.counts.handedBack} handed back, ${w.counts.rejected} rejected`);
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('play self-play jobs for a cluster run (tengen selfplay --cluster) from Redis')
    .option('--cluster <redis-url>', 'the cluster: redis://[:password@]host[:6379][/db]')
    .option('--concurrency <n>', 'jobs played at once (default 1)')
    .option('--threads <t>', 'worker threads per job (0: in the main thread; default 0)')
    .option('--inference <kind>', 'auto, onnxruntime or tfjs (default auto)')
    .option('--lock-seconds <s>', "a job's lock: a dead worker's job is given to another after about this long (default 30)")
    .option('--net-dir <dir>', "read nets from this directory shared with the trainer (its --net-dir), else from Redis")
    .option('--id <name>', 'worker name in `tengen watch` (default host-pid-random)')
    .action(async (opts: WorkerFlags, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as { backend?: string };
      await runWorker({ ...opts, backend: globals.backend });
    });
}
