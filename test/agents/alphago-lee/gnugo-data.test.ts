import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { genData, gnugoPath } from '../../../src/agents/alphago-lee/gen-data.ts';
import { loadExpertGames, splitByGame } from '../../../src/agents/alphago-lee/data.ts';
import { buildRolloutExamples } from '../../../src/agents/alphago-lee/rollout.ts';
import { loadSgf } from '../../../src/env/games/go/sgf.ts';
import { tmp } from './helpers.ts';

const REGRESSION = join(__dirname, '../../../../shared/data/go/gnugo_regression_9x9_games');

function hasGnugo(): boolean {
  try {
    execFileSync(gnugoPath(), ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('expert data from GNU Go', () => {
  it('gen-data plays GNU Go self-play games into SGF, and resumes', async () => {
    if (!hasGnugo()) {
      console.warn('skipping: GNU Go is not installed (apt-get install gnugo)');
      return;
    }
    const out = tmp('gnugo');
    const r = await genData({ games: 2, level: 0, out, seed: 3, log: () => undefined });
    expect(r.written).toBe(2);
    const files = readdirSync(out).sort();
    expect(files).toEqual(['game-00001.sgf', 'game-00002.sgf']);
    for (const f of files) {
      const text = readFileSync(join(out, f), 'utf8');
      expect(text).toMatch(/RE\[[BW]\+/);
      expect(loadSgf(text).history().length).toBeGreaterThan(10);
    }
    const again = await genData({ games: 2, level: 0, out, seed: 3, log: () => undefined });
    expect(again.written).toBe(0);
    expect(again.total).toBe(2);
  }, 60_000);

  it('the GNU Go regression 9x9 games load and give rollout examples', () => {
    if (!existsSync(REGRESSION)) {
      console.warn(`skipping: ${REGRESSION} is absent`);
      return;
    }
    const games = loadExpertGames([REGRESSION], { warn: () => undefined });
    expect(games.length).toBeGreaterThan(100);
    const { train, test } = splitByGame(games, 0.1, 1);
    expect(test.length + train.length).toBe(games.length);
    const ex = buildRolloutExamples(test);
    expect(ex.target.length).toBeGreaterThan(100);
  });
});
