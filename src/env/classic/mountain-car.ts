/**
 * MountainCar-v0 (Moore 1990), exactly as Gymnasium 1.x classic_control/mountain_car.py.
 * State [position, velocity] in doubles, float32 observation. Actions: 0 accelerate left,
 * 1 don't accelerate, 2 accelerate right. Reward -1 per step; terminates when position >= 0.5
 * and velocity >= goalVelocity. Reset: position uniform in [low, high] (default [-0.6, -0.4]), velocity 0.
 */
import { BaseEnv, readOptions, resetBounds, toNumber, type ResetOptions, type ResetResult, type StepResult } from '../core.ts';
import { Box, Discrete } from '../spaces.ts';
import { cos as crCos } from './libm.ts';

const MIN_POSITION = -1.2;
const MAX_POSITION = 0.6;
const MAX_SPEED = 0.07;
const GOAL_POSITION = 0.5;
const FORCE = 0.001;
const GRAVITY = 0.0025;

export interface MountainCarOptions {
  /** Minimum velocity at the goal for termination (default 0). */
  goalVelocity?: number;
}

export class MountainCarEnv extends BaseEnv<Float32Array, number> {
  readonly actionSpace = new Discrete(3);
  readonly observationSpace = new Box<Float32Array>([MIN_POSITION, -MAX_SPEED], [MAX_POSITION, MAX_SPEED], [2], 'float32');
  readonly goalVelocity: number;
  private position = 0;
  private velocity = 0;
  private hasState = false;

  constructor(opts?: MountainCarOptions) {
    super();
    const o = readOptions('MountainCar', opts as Record<string, unknown>, ['goalVelocity']);
    this.goalVelocity = o.goalVelocity === undefined ? 0 : toNumber(o.goalVelocity, 'goalVelocity');
  }

  get state(): number[] {
    return [this.position, this.velocity];
  }
  set state(s: number[]) {
    if (!Array.isArray(s) || s.length !== 2 || s.some((v) => typeof v !== 'number')) throw new Error('MountainCar: state must be [position, velocity]');
    [this.position, this.velocity] = s as [number, number];
    this.hasState = true;
  }

  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.seedIfAsked(opts);
    const [low, high] = resetBounds(opts?.options, -0.6, -0.4);
    this.position = this.npRandom.uniform(low, high);
    this.velocity = 0;
    this.hasState = true;
    return { observation: this.obs(), info: {} };
  }

  step(action: number): StepResult<Float32Array> {
    if (action !== 0 && action !== 1 && action !== 2) throw new Error(`MountainCar: action must be 0 (left), 1 (none) or 2 (right), got ${String(action)}`);
    if (!this.hasState) throw new Error('MountainCar: call reset() before step()');
    let position = this.position;
    let velocity = this.velocity;
    velocity += (action - 1) * FORCE + crCos(3 * position) * -GRAVITY;
    velocity = Math.min(Math.max(velocity, -MAX_SPEED), MAX_SPEED);
    position += velocity;
    position = Math.min(Math.max(position, MIN_POSITION), MAX_POSITION);
    if (position === MIN_POSITION && velocity < 0) velocity = 0;
    const terminated = position >= GOAL_POSITION && velocity >= this.goalVelocity;
    this.position = position;
    this.velocity = velocity;
    return { observation: this.obs(), reward: -1.0, terminated, truncated: false, info: {} };
  }

  private obs(): Float32Array {
    const o = new Float32Array(2);
    o[0] = this.position;
    o[1] = this.velocity;
    return o;
  }

  render(): string {
    const width = 37;
    const col = Math.round(((this.position - MIN_POSITION) / (MAX_POSITION - MIN_POSITION)) * (width - 1));
    const goal = Math.round(((GOAL_POSITION - MIN_POSITION) / (MAX_POSITION - MIN_POSITION)) * (width - 1));
    const line = Array.from({ length: width }, (_, i) => (i === col ? 'C' : i === goal ? 'F' : '_')).join('');
    return `position=${this.position.toFixed(4)} velocity=${this.velocity.toFixed(5)}\n${line}\n`;
  }
}
