/**
 * Where the package's own files are (models/, bin/), whether this code runs from its TypeScript
 * sources (src/util/paths.ts) or compiled (dist/src/util/paths.js, one folder deeper).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** True when this module runs as compiled JavaScript (dist/), false when run from its .ts source. */
export const RUNNING_COMPILED = import.meta.url.endsWith('.js');

/** The package's root folder (the one holding package.json, models/ and bin/). */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), ...(RUNNING_COMPILED ? ['..', '..', '..'] : ['..', '..']));

/** A path inside the package's root folder. */
export function packagePath(...parts: string[]): string {
  return join(PACKAGE_ROOT, ...parts);
}
