/**
 * Blackjack-v1 (Sutton & Barto, Example 5.1), as Gymnasium 1.x toy_text/blackjack.py. An infinite
 * deck (draws with replacement; face cards count 10, an ace 1 or 11). Actions: 0 stick, 1 hit.
 * Observation: [player sum (0-31), dealer's showing card (1-10), usable ace (0/1)] in
 * Tuple(Discrete(32), Discrete(11), Discrete(2)). Hitting past 21 loses (-1); sticking lets the dealer
 * draw to 17 or more, then +1 win, 0 draw, -1 loss. natural: a winning natural pays 1.5 (when not sab).
 * sab: Sutton & Barto's rule, a natural wins (+1) unless the dealer also has one. The class defaults
 * to sab=false like Gymnasium's class; make('Blackjack-v1') passes sab=true as Gymnasium's registry does.
 */
import { BaseEnv, readOptions, type ResetOptions, type ResetResult, type StepResult } from '../core.ts';
import { Discrete, Tuple, type Space } from '../spaces.ts';

export type BlackjackObs = [playerSum: number, dealerCard: number, usableAce: number];
export const DECK = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 10] as const;

const cmp = (a: number, b: number): number => Number(a > b) - Number(a < b);
const total = (hand: number[]): number => hand.reduce((x, y) => x + y, 0);
export const usableAce = (hand: number[]): number => Number(hand.includes(1) && total(hand) + 10 <= 21);
export const sumHand = (hand: number[]): number => (usableAce(hand) ? total(hand) + 10 : total(hand));
export const isBust = (hand: number[]): boolean => sumHand(hand) > 21;
export const score = (hand: number[]): number => (isBust(hand) ? 0 : sumHand(hand));
export const isNatural = (hand: number[]): boolean => hand.length === 2 && hand.includes(1) && hand.includes(10);

export interface BlackjackOptions {
  natural?: boolean;
  sab?: boolean;
}

export class BlackjackEnv extends BaseEnv<BlackjackObs, number> {
  readonly actionSpace = new Discrete(2);
  readonly observationSpace = new Tuple([new Discrete(32), new Discrete(11), new Discrete(2)] as const) as unknown as Space<BlackjackObs>;
  readonly natural: boolean;
  readonly sab: boolean;
  player: number[] = [];
  dealer: number[] = [];

  constructor(opts?: BlackjackOptions) {
    super();
    const o = readOptions('Blackjack', opts as Record<string, unknown>, ['natural', 'sab']);
    this.natural = Boolean(o.natural ?? false);
    this.sab = Boolean(o.sab ?? false);
  }

  /** [number of player cards, ...player cards, ...dealer cards]. */
  get state(): number[] {
    return [this.player.length, ...this.player, ...this.dealer];
  }
  set state(v: number[]) {
    const n = v[0];
    if (!Array.isArray(v) || typeof n !== 'number' || !Number.isInteger(n) || n < 1 || v.length < n + 2) {
      throw new Error('Blackjack: state must be [nPlayerCards, ...playerCards, ...dealerCards] with at least one card each');
    }
    const cards = v.slice(1);
    if (cards.some((c) => !Number.isInteger(c) || c < 1 || c > 10)) throw new Error('Blackjack: cards must be integers 1 (ace) to 10');
    this.player = cards.slice(0, n);
    this.dealer = cards.slice(n);
  }

  /** Draw one card from the infinite deck. */
  protected drawCard(): number {
    return DECK[this.npRandom.int(DECK.length)]!;
  }

  reset(opts?: ResetOptions): ResetResult<BlackjackObs> {
    this.seedIfAsked(opts);
    this.dealer = [this.drawCard(), this.drawCard()];
    this.player = [this.drawCard(), this.drawCard()];
    return { observation: this.obs(), info: {} };
  }

  step(action: number): StepResult<BlackjackObs> {
    if (action !== 0 && action !== 1) throw new Error(`Blackjack: action must be 0 (stick) or 1 (hit), got ${String(action)}`);
    if (this.player.length === 0) throw new Error('Blackjack: call reset() before step()');
    let terminated: boolean;
    let reward: number;
    if (action) {
      this.player.push(this.drawCard());
      terminated = isBust(this.player);
      reward = terminated ? -1.0 : 0.0;
    } else {
      terminated = true;
      while (sumHand(this.dealer) < 17) this.dealer.push(this.drawCard());
      reward = cmp(score(this.player), score(this.dealer));
      if (this.sab && isNatural(this.player) && !isNatural(this.dealer)) reward = 1.0;
      else if (!this.sab && this.natural && isNatural(this.player) && reward === 1.0) reward = 1.5;
    }
    return { observation: this.obs(), reward, terminated, truncated: false, info: {} };
  }

  private obs(): BlackjackObs {
    return [sumHand(this.player), this.dealer[0]!, usableAce(this.player)];
  }

  render(): string {
    const name = (c: number): string => (c === 1 ? 'A' : String(c));
    return `Dealer shows: ${name(this.dealer[0]!)}\nPlayer: ${this.player.map(name).join(' ')} (sum ${sumHand(this.player)}${usableAce(this.player) ? ', usable ace' : ''})\n`;
  }
}
