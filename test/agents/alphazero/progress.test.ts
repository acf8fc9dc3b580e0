import { describe, expect, it } from 'vitest';
import { PipelineEvents, attachProgressPrinter } from '../../../src/agents/alphazero/events.ts';

describe('progress lines (off a TTY)', () => {
  it("counts this generation's games apart from the next generation's early ones (overlapped self-play)", async () => {
    const events = new PipelineEvents();
    const lines: string[] = [];
    const off = attachProgressPrinter(events, (l) => lines.push(l), 0.2);
    const end = (generation: number, gameIndex: number, length: number): void =>
      events.emit('game:end', { generation, gameIndex, worker: 0, moves: [], returns: [1, -1], resigned: false, resignDisabled: false, length });
    events.emit('generation:start', { generation: 1, bestGeneration: 0 });
    end(1, 0, 10);
    end(1, 1, 12);
    end(2, 2, 7);
    await new Promise((r) => setTimeout(r, 260));
    off();
    const tick = lines.filter((l) => l.startsWith('['));
    expect(tick.at(-1)).toMatch(/gen 1 self-play: 2 games, 22 moves this generation \(next generation: 1 games\)$/);
  });
});
