/**
 * Registers 'go' with the board-game registry, and its record format (SGF). Kept apart from
 * go/index.ts so that the registry (src/env/games/index.ts) can import it without pulling in GTP,
 * SGF and the match runner (the SGF writer loads when a record is first written).
 */
import { registerGame } from '../index.ts';
import { registerRecordFormat } from '../records.ts';
import { GoGame } from './rules.ts';

registerGame('go', (p) => new GoGame(p), 'Go (Baduk/Weiqi), sizes 5..19: size, komi, superko, suicide, encoding (az|lee), handicap', true);
registerRecordFormat('go', async () => (await import('./sgf.ts')).sgfRecordFormat);
