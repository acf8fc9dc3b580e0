import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';

/**
 * Write a file atomically: the bytes go to a temporary file in the same directory, which is
 * flushed to disk and then renamed over the target. A run killed at any moment leaves either
 * the old file or the new one, never a torn mix.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/** Write JSON atomically (pretty-printed). */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** The temporary files writeFileAtomic makes: .<name>.<pid>.<time>.<random>.tmp */
const ATOMIC_TMP = /^\..+\.(\d+)\.\d+\.[a-z0-9]*\.tmp$/;

/** Whether a process with this id is running (on this machine). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove what writes killed in `dir` left behind: writeFileAtomic's temporary files and directories
 * named `<prefix>-<pid>` for each of `dirPrefixes` (checkpoint.tmp-4242), when the process that
 * made them is gone. Returns the names removed.
 */
export function removeStaleTemporaries(dir: string, dirPrefixes: readonly string[] = []): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const tmp = ATOMIC_TMP.exec(name);
    const pidText = tmp ? tmp[1] : dirPrefixes.map((p) => new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`).exec(name)?.[1]).find((x) => x !== undefined);
    if (pidText === undefined || alive(Number(pidText))) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** `<parent>/<prefix>-<YYYYMMDD>-<HHMMSS>` (UTC): a fresh run directory's default name. */
export function stampedDir(parent: string, prefix = '', now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return join(parent, prefix ? `${prefix}-${stamp}` : stamp);
}
