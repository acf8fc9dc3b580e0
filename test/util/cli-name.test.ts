/** "resume with: ..." names a command that works where the user is: tengen on PATH, else the npm way. */
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tengenCommand } from '../../src/util/cli-name.ts';

describe('tengenCommand', () => {
  it('is tengen when on PATH, npm run tengen -- under npm run, else npx tengen (a clone)', () => {
    const bin = mkdtempSync(join(tmpdir(), 'tengen-path-'));
    writeFileSync(join(bin, 'tengen'), '#!/bin/sh\n');
    chmodSync(join(bin, 'tengen'), 0o755);
    expect(tengenCommand({ PATH: `/nonexistent:${bin}` })).toBe('tengen');
    expect(tengenCommand({ PATH: '/nonexistent', npm_lifecycle_event: 'tengen' })).toBe('npm run tengen --');
    expect(tengenCommand({ PATH: '/nonexistent' })).toBe('npx tengen');
  });
});
