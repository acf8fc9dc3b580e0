/**
 * Registers 'go' with the board-game registry. Kept apart from go/index.ts so that the registry
 * (src/env/games/index.ts) can import it without pulling in GTP, SGF and the match runner.
 */
import { registerGame } from '../index.ts';
import { GoGame } from './rules.ts';

registerGame('go', (p) => new GoGame(p), 'Go (Baduk/Weiqi), sizes 5..19: size, komi, superko, suicide, encoding (az|lee), handicap', true);
