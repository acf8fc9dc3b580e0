/**
 * An external GTP engine as an arena agent (Go): `tengen arena --a gtp:"gnugo --mode gtp --level 1"`.
 * Each game starts its own engine process (boardsize, clear_board, komi), tells it every move the
 * other side played before asking `genmove`, and stops it when the game ends. A 'resign' answer
 * resigns the game; an answer that is not a legal vertex is a clear error naming the engine.
 * Games are scored as the arena scores Go, by Tromp-Taylor at two passes (dead stones count as
 * alive); `tengen match --referee B` lets GNU Go's final_score decide instead.
 */
import type { Game } from '../../env/games/game.ts';
import { GtpClient } from '../../env/games/go/match.ts';
import { GoGame, parseVertex, type GoState } from '../../env/games/go/rules.ts';
import { UserError } from '../../util/errors.ts';
import { RESIGN, type AgentFactory } from './agents.ts';

export function gtpAgent(game: Game, command: string): AgentFactory {
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
    const start = async (): Promise<void> => {
      await client.send(`boardsize ${n}`);
      await client.send('clear_board');
      await client.send(`komi ${game.params.komi}`);
    };
    return {
      pick: async (s) => {
        await (started ??= start());
        for (const cmd of untold.splice(0)) await client.send(cmd);
        const st = s as GoState;
        const reply = (await client.send(`genmove ${st.nextColor() === 0 ? 'black' : 'white'}`)).trim().toLowerCase();
        if (reply === 'resign') return RESIGN;
        let a: number;
        try {
          a = parseVertex(n, reply);
        } catch {
          throw new UserError(`GTP engine '${command}' answered genmove with '${reply}', not a vertex of the ${n}x${n} board`);
        }
        if (!st.isLegal(a)) throw new UserError(`GTP engine '${command}' played ${reply}, which is ${st.whyIllegal(a)}`);
        generated = true;
        return a;
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
