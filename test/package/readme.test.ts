/** The README's library example is examples/quickstart.mjs, byte for byte (the package test runs every example). */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('README', () => {
  it('prints examples/quickstart.mjs as its library example, byte for byte', () => {
    const readme = readFileSync(join(repo, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## As a library\n'));
    const block = /\n```js\n([\s\S]*?)```\n/.exec(section);
    expect(block, 'a ```js block under "## As a library"').not.toBeNull();
    expect(block![1]).toBe(readFileSync(join(repo, 'examples', 'quickstart.mjs'), 'utf8'));
  });
});
