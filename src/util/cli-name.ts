/**
 * How a person runs tengen from where they are, for messages that say what to type next ("resume
 * with: ..."): `tengen` when it is on PATH (installed globally or linked), `npm run tengen --` when
 * this process was started that way, else `npx tengen` (which runs a clone's own bin).
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export function tengenCommand(env: NodeJS.ProcessEnv = process.env): string {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, 'tengen'), constants.X_OK);
      return 'tengen';
    } catch {
      // not in this directory
    }
  }
  if (env['npm_lifecycle_event'] === 'tengen') return 'npm run tengen --';
  return 'npx tengen';
}
