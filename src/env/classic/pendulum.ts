/**
 * Pendulum-v1, exactly as Gymnasium 1.x classic_control/pendulum.py. State [theta, theta_dot]
 * (doubles), float32 observation [cos(theta), sin(theta), theta_dot], action Box(-2, 2, (1,)) torque.
 * Reward -(angle_normalize(theta)^2 + 0.1 theta_dot^2 + 0.001 u^2) computed before the update;
 * never terminates (TimeLimit 200 truncates). Reset: theta uniform in +-xInit (pi), theta_dot in +-yInit (1).
 *
 * Precision follows numpy: a Float32Array action is used in float32 (so 0.001*u^2 and 3*u are
 * float32 products, as with the Box's own samples); a number or number[] is used in float64.
 */
import { BaseEnv, readOptions, toNumber, type ResetOptions, type ResetResult, type StepResult } from '../core.ts';
import { Box } from '../spaces.ts';
import { cos as crCos, pyMod, sin as crSin } from './libm.ts';

const MAX_SPEED = 8;
const MAX_TORQUE = 2.0;
const DT = 0.05;
const M = 1.0;
const L = 1.0;
const F32_0_001 = Math.fround(0.001);

export interface PendulumOptions {
  /** Gravity (default 10.0). */
  g?: number;
}

export function angleNormalize(x: number): number {
  return pyMod(x + Math.PI, 2 * Math.PI) - Math.PI;
}

export class PendulumEnv extends BaseEnv<Float32Array, Float32Array | number[] | number> {
  readonly actionSpace = new Box<Float32Array>(-MAX_TORQUE, MAX_TORQUE, [1], 'float32');
  readonly observationSpace = new Box<Float32Array>([-1, -1, -MAX_SPEED], [1, 1, MAX_SPEED], [3], 'float32');
  readonly g: number;
  /** Last applied torque (for render). */
  lastU: number | null = null;
  private th = 0;
  private thdot = 0;
  private hasState = false;

  constructor(opts?: PendulumOptions) {
    super();
    const o = readOptions('Pendulum', opts as Record<string, unknown>, ['g']);
    this.g = o.g === undefined ? 10.0 : toNumber(o.g, 'g');
  }

  get state(): number[] {
    return [this.th, this.thdot];
  }
  set state(s: number[]) {
    if (!Array.isArray(s) || s.length !== 2 || s.some((v) => typeof v !== 'number')) throw new Error('Pendulum: state must be [theta, theta_dot]');
    [this.th, this.thdot] = s as [number, number];
    this.hasState = true;
  }

  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.seedIfAsked(opts);
    const o = opts?.options;
    const x = o && 'x_init' in o ? toNumber(o.x_init, 'x_init') : o && 'xInit' in o ? toNumber(o.xInit, 'xInit') : Math.PI;
    const y = o && 'y_init' in o ? toNumber(o.y_init, 'y_init') : o && 'yInit' in o ? toNumber(o.yInit, 'yInit') : 1.0;
    this.th = this.npRandom.uniform(-x, x);
    this.thdot = this.npRandom.uniform(-y, y);
    this.lastU = null;
    this.hasState = true;
    return { observation: this.obs(), info: {} };
  }

  step(action: Float32Array | number[] | number): StepResult<Float32Array> {
    if (!this.hasState) throw new Error('Pendulum: call reset() before step()');
    const f32 = action instanceof Float32Array;
    let u: number;
    if (typeof action === 'number') u = action;
    else if ((Array.isArray(action) || ArrayBuffer.isView(action)) && action.length === 1 && typeof action[0] === 'number') u = action[0];
    else throw new Error(`Pendulum: action must be a length-1 array (torque in [-2, 2]), got ${JSON.stringify(action)}`);
    if (Number.isNaN(u)) throw new Error('Pendulum: action is NaN');
    u = Math.min(Math.max(u, -MAX_TORQUE), MAX_TORQUE);
    this.lastU = u;
    const th = this.th;
    const thdot = this.thdot;
    const g = this.g;
    const an = angleNormalize(th);
    const uCost = f32 ? Math.fround(F32_0_001 * Math.fround(u * u)) : 0.001 * (u * u);
    const costs = an * an + 0.1 * (thdot * thdot) + uCost;
    const uTerm = f32 ? Math.fround((3.0 / (M * L * L)) * u) : (3.0 / (M * L * L)) * u;
    let newthdot = thdot + (((3 * g) / (2 * L)) * crSin(th) + uTerm) * DT;
    newthdot = Math.min(Math.max(newthdot, -MAX_SPEED), MAX_SPEED);
    const newth = th + newthdot * DT;
    this.th = newth;
    this.thdot = newthdot;
    return { observation: this.obs(), reward: -costs, terminated: false, truncated: false, info: {} };
  }

  private obs(): Float32Array {
    const o = new Float32Array(3);
    o[0] = crCos(this.th);
    o[1] = crSin(this.th);
    o[2] = this.thdot;
    return o;
  }

  render(): string {
    const deg = (angleNormalize(this.th) * 180) / Math.PI;
    return `theta=${deg.toFixed(1)}deg (0 = upright) theta_dot=${this.thdot.toFixed(3)} torque=${this.lastU === null ? '-' : this.lastU.toFixed(3)}\n`;
  }
}
