/**
 * One Player for whatever variant of a game it is asked about (GTP's `boardsize` changes the board
 * mid-session): a player is made for the variant of the first position it sees, and made anew when
 * a position of another variant comes (a net made for 9x9 cannot play 19x19, a search tree cannot
 * follow a new board).
 */
import type { Game, State } from '../env/games/game.ts';
import type { MoveDecision, MoveRequest, Player } from './player.ts';

export function perVariantPlayer(name: string, make: (game: Game) => Player | Promise<Player>): Player {
  let key = '';
  let current: Promise<Player> | null = null;
  return {
    name,
    async chooseMove(state: State, req?: MoveRequest): Promise<MoveDecision> {
      const k = `${state.game.name}:${JSON.stringify(state.game.params)}`;
      if (current === null || k !== key) {
        const old = current;
        key = k;
        current = Promise.resolve().then(() => make(state.game));
        // A failed make (a net for another board size) is said now, and tried again next time.
        current.catch(() => {
          if (key === k) current = null;
        });
        if (old) void old.then((p) => p.close?.(), () => undefined);
      }
      return (await current).chooseMove(state, req);
    },
    observe(action: number): void {
      void current?.then((p) => p.observe?.(action), () => undefined);
    },
    reset(): void {
      void current?.then((p) => p.reset?.(), () => undefined);
    },
    async close(): Promise<void> {
      const p = await current?.catch(() => null);
      current = null;
      await p?.close?.();
    },
  };
}
