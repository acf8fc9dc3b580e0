/**
 * An external GTP engine as a Player (Go): `tengen arena --a gtp:"gnugo --mode gtp --level 1"`.
 * Each game starts its own engine process (boardsize, clear_board, komi), tells it every move the
 * other side played before asking `genmove`, and stops it when the game ends. A 'resign' answer
 * resigns the game; an answer that is not a legal vertex is a clear error naming the engine.
 * Games are scored as the arena scores Go, by Tromp-Taylor at two passes (dead stones count as
 * alive); `tengen match --referee B` lets GNU Go's final_score decide instead.
 */
import type { Game } from '../env/games/game.ts';
import { GtpClient, gtpGenmove, gtpNewGame } from '../env/games/go/match.ts';
import { GoGame, type GoState } from '../env/games/go/rules.ts';
import { UserError } from '../util/errors.ts';
import type { MoveDecision, PlayerFactory } from './player.ts';

export function gtpEnginePlayer(game: Game, command: string): PlayerFactory {
  if (!(game instanceof GoGame)) throw new UserError(`gtp agents play Go only; '${game.name}' has no GTP engines`);
  if (!command.trim()) throw new UserError("agent 'gtp:': expected gtp:COMMAND, e.g. gtp:\"gnugo --mode gtp --level 1\"");
  if (game.params.handicap > 0) throw new UserError('gtp agents: handicap games are not supported');
  const n = game.n;
  return () => {
    const client = new GtpClient('gtp', command);
    const mirror = game.newInitialState();
    const untold: string[] = [];
    let generated = false;
    let started: Promise<void> | null = null;
    return {
      name: `gtp:${command}`,
      chooseMove: async (s): Promise<MoveDecision> => {
        await (started ??= gtpNewGame(client, n, game.params.komi));
        for (const cmd of untold.splice(0)) await client.send(cmd);
        const answer = await gtpGenmove(client, s as GoState);
        if (answer.kind === 'resign') return { action: game.pass, resign: true };
        if (answer.kind === 'invalid') throw new UserError(`GTP engine '${command}' ${answer.why}`);
        generated = true;
        return { action: answer.action, resign: false };
      },
      observe: (a) => {
        // The engine knows the moves it generated; the others it is told before its next genmove.
        if (generated) generated = false;
        else untold.push(`play ${mirror.nextColor() === 0 ? 'black' : 'white'} ${mirror.actionToString(a)}`);
        mirror.applyAction(a);
      },
      close: () => client.close(),
    };
  };
}
