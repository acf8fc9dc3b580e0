/**
 * Go for tengen: the fast board, rules (Game/State), features, SGF, GTP engine and match runner.
 * Importing this module registers the game 'go' with the games registry (makeGame('go', { size: 9 })).
 *
 * @module tengen/go
 */
import './register.ts';

export { Board, BLACK, WHITE, EMPTY, NO_POINT } from './board.ts';
export { GoGame, GoState, parseGoParams, fixedHandicap, actionName, parseVertex, formatScore, type GoParams } from './rules.ts';
export { leeFeatures, LEE_PLANES } from './features.ts';
export { estimateTerritory, type TerritoryEstimate } from './estimate.ts';
export { parseSgf, replaySgf, loadSgf, writeSgf, checkSgfSyntax, type SgfGame } from './sgf.ts';
export { GtpEngine, runGtp, type GtpOptions } from './gtp.ts';
export { runMatch, GtpClient, type MatchOptions, type MatchSummary } from './match.ts';
