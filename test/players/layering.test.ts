/**
 * The import rules of DESIGN.md that keep the layers apart: games know no search (the GTP engine
 * takes a Player), the generic self-play pipeline knows no particular game, and library code never
 * imports the CLI's commands (commands start workers, not the other way round).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

/** Module paths a file imports (static and dynamic), resolved against the repository root. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from\s+|import\(\s*)'(\.[^']+)'/g)) out.push(relative(root, join(file, '..', m[1]!)));
  return out;
}

function offenders(dir: string, forbidden: RegExp): string[] {
  return sources(join(root, dir)).flatMap((f) => importsOf(f).filter((i) => forbidden.test(i)).map((i) => `${relative(root, f)} imports ${i}`));
}

describe('layering', () => {
  it('games (src/env) import no search, players, agents or commands', () => {
    expect(offenders('src/env', /^src\/(mcts|go-engine|agents|commands|cluster)\//)).toEqual([]);
    // Type-only imports of the Player contract are the one way in from players.
    expect(offenders('src/env', /^src\/players\/(?!player\.ts$)/)).toEqual([]);
  });

  it('library code imports no command, and the self-play pipeline no particular game', () => {
    for (const dir of ['src/cluster', 'src/agents', 'src/players', 'src/mcts', 'src/nets', 'src/env']) expect(offenders(dir, /^src\/commands\//)).toEqual([]);
    expect(importsOf(join(root, 'src/agents/alphazero/pipeline.ts')).filter((i) => /games\/(go|connect4|tictactoe|othello|gomoku)/.test(i))).toEqual([]);
  });
});
