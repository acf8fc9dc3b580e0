/**
 * AlphaGo Lee's search as a Player (`tengen gtp --engine lee`), for a trained pipeline directory:
 *   <dir>/sl/       SL policy net (the search's priors; --raw plays its argmax without search)
 *   <dir>/rl/       RL policy net (optional; `policy: 'rl'` uses it instead)
 *   <dir>/value/    value net            <dir>/rollout/rollout.json  rollout policy
 * It passes when it has no sensible move, or after the opponent's pass when the Tromp-Taylor count
 * favours it, none of its chains is in atari, and most of `passCheckRollouts` playouts from here agree
 * (so that its own dead stones in the opponent's area, which Tromp-Taylor would count, do not fool
 * it into passing); it resigns
 * when the chosen move's Q is below `resignThreshold`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/errors.ts';
import { Rng } from '../util/rng.ts';
import type { State } from '../env/games/game.ts';
import type { GoState } from '../env/games/go/rules.ts';
import { leeFeatures, LEE_PLANES } from '../env/games/go/features.ts';
import { Board, NO_POINT } from '../env/games/go/board.ts';
import { LEE_POLICY_PLANES, LEE_VALUE_PLANES } from '../nets/lee-nets.ts';
import { ApvMcts, type ApvOptions } from '../agents/alphago-lee/apv-mcts.ts';
import { BOARD, FastNet, hasModel, loadCheckedModel } from '../agents/alphago-lee/nets.ts';
import { pickMove, shouldPass, SENSIBLE_PLANE } from '../agents/alphago-lee/play.ts';
import { RolloutPolicy } from '../agents/alphago-lee/rollout.ts';
import type { Analysis, MoveDecision, MoveRequest, Player } from './player.ts';

export interface LeePlayerOptions extends ApvOptions {
  /** Play the policy net's most likely sensible move, without search. */
  raw?: boolean;
  policy?: 'sl' | 'rl';
  /** Resign below this Q (null: never). Default -0.9. */
  resignThreshold?: number | null;
  /** Default simulations per move when GTP gives neither visits nor time. */
  visits?: number;
  /** Playouts that must mostly agree before passing after an opponent's pass (default 64). */
  passCheckRollouts?: number;
}

export class LeePlayer implements Player {
  readonly name: string;
  private readonly rng: Rng;
  private constructor(
    private readonly policy: FastNet,
    private readonly search: ApvMcts | null,
    private readonly rollout: RolloutPolicy | null,
    private readonly o: LeePlayerOptions,
  ) {
    this.rng = new Rng(o.seed ?? 0);
    this.name = search ? 'AlphaGo Lee APV-MCTS' : `AlphaGo Lee ${o.policy ?? 'sl'} policy (no search)`;
  }

  static async load(dir: string, o: LeePlayerOptions = {}): Promise<LeePlayer> {
    if (!existsSync(dir)) throw new UserError(`--model ${dir}: no such directory (expected an AlphaGo Lee run directory with sl/, value/, rollout/)`);
    const which = o.policy ?? 'sl';
    const pdir = join(dir, which);
    if (!hasModel(pdir)) throw new UserError(`--model ${dir}: no ${which.toUpperCase()} policy net in ${pdir} (run 'tengen lee ${which}' first)`);
    const policy = await FastNet.create(await loadCheckedModel(pdir, LEE_POLICY_PLANES, BOARD * BOARD, `${which} policy`));
    const rpath = join(dir, 'rollout');
    const rollout = existsSync(join(rpath, 'rollout.json')) ? RolloutPolicy.load(rpath).policy : null;
    if (o.raw) return new LeePlayer(policy, null, rollout, o);
    const lambda = o.lambda ?? 0.5;
    const value = lambda < 1 ? await FastNet.create(await loadCheckedModel(join(dir, 'value'), LEE_VALUE_PLANES, 1, 'value net')) : null;
    if (lambda > 0 && !rollout) RolloutPolicy.load(rpath); // throws the clear 'not found' error
    return new LeePlayer(policy, new ApvMcts({ policy, value, rollout: lambda > 0 ? rollout : null }, o), rollout, o);
  }

  /** Does the player to move have a chain in atari (likely dead if we passed now)? */
  private ownChainInAtari(state: GoState): boolean {
    const b = state.board;
    const me = state.nextColor() + 1;
    for (let a = 0; a < state.game.n * state.game.n; a++) {
      const p = b.fromAction(a);
      if (b.color[p] === me && b.inAtari(b.head[p]!)) return true;
    }
    return false;
  }

  /** Fraction of playouts from `state` won by the player to move (rollout policy, else uniform random). */
  private playoutWinRate(state: GoState, n: number): number {
    const me = state.nextColor() + 1;
    const h = state.history();
    const b = new Board(state.game.n);
    let wins = 0;
    for (let i = 0; i < n; i++) {
      b.copyFrom(state.board);
      const lastA = h.length ? h[h.length - 1]! : state.game.pass;
      const last = lastA === state.game.pass ? NO_POINT : b.fromAction(lastA);
      if (this.rollout) this.rollout.playout(b, me, last, state.komi, this.rng, 2 * state.game.n * state.game.n);
      else b.playout(me, this.rng, 2 * state.game.n * state.game.n);
      const score = b.score(state.komi);
      if ((me === 1 && score > 0) || (me === 2 && score < 0)) wins++;
    }
    return wins / n;
  }

  async chooseMove(position: State, req: MoveRequest = {}): Promise<MoveDecision> {
    const state = position as GoState;
    if (state.game.name !== 'go' || state.game.n !== BOARD) throw new UserError(`alphago-lee: the nets are for ${BOARD}x${BOARD} Go; this board is ${state.game.boardShape.join('x')} (send boardsize ${BOARD})`);
    const f = leeFeatures(state, state.nextColor());
    if (shouldPass(state, f)) {
      const h = state.history();
      const afterPass = h.length > 0 && h[h.length - 1] === state.game.pass;
      let sensible = false;
      for (let a = 0; a < BOARD * BOARD; a++) if (f[a * LEE_PLANES + SENSIBLE_PLANE] === 1) sensible = true;
      // Ahead by Tromp-Taylor after a pass: pass only when the playouts agree.
      if (!sensible || !afterPass || (!this.ownChainInAtari(state) && this.playoutWinRate(state, this.o.passCheckRollouts ?? 64) >= 0.7)) {
        return { action: state.game.pass, resign: false };
      }
    }
    if (!this.search) {
      const p = await this.policy.run(f, 1);
      const a = pickMove(p, 0, f, BOARD * BOARD, 0, this.rng);
      return { action: a < 0 ? state.game.pass : a, resign: false };
    }
    const b = req.budget ?? {};
    const r = await this.search.search(state, {
      visits: b.visits ?? (b.timeMs === undefined ? this.o.visits ?? 200 : undefined),
      timeMs: b.timeMs,
    });
    const analysis: Analysis = {
      candidates: r.rootChildren.slice(0, 10).map((c) => ({ action: c.action, visits: c.visits, q: c.q, prior: c.prior, pv: [c.action] })),
      rootValue: r.q,
      totalVisits: r.rootChildren.reduce((n, c) => n + c.visits, 0),
    };
    req.onAnalysis?.(analysis);
    const resign = this.o.resignThreshold === null ? -Infinity : this.o.resignThreshold ?? -0.9;
    return { action: r.action, resign: r.q < resign && state.history().length > 10, analysis };
  }
}
