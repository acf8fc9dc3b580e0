/**
 * Acrobot-v1 (Sutton 1996; Sutton & Barto), exactly as Gymnasium 1.x classic_control/acrobot.py:
 * state [theta1, theta2, dtheta1, dtheta2] integrated over dt = 0.2 by one classical RK4 step,
 * angles wrapped to [-pi, pi], velocities clipped to +-4pi and +-9pi. The book dynamics are the
 * default; bookOrNips: 'nips' drops the dtheta1^2 term as the NIPS paper did. Observation (float32):
 * [cos t1, sin t1, cos t2, sin t2, dt1, dt2]. Reward -1 per step, 0 on reaching the goal height
 * (-cos t1 - cos(t1 + t2) > 1), which terminates. Reset: state uniform in [low, high] (default +-0.1), cast to float32.
 */
import { BaseEnv, readOptions, resetBounds, toNumber, type ResetOptions, type ResetResult, type StepResult } from '../core.ts';
import { Box, Discrete } from '../spaces.ts';
import { cos, sin } from './libm.ts';

const DT = 0.2;
const LINK_LENGTH_1 = 1.0;
const LINK_MASS_1 = 1.0;
const LINK_MASS_2 = 1.0;
const LINK_COM_POS_1 = 0.5;
const LINK_COM_POS_2 = 0.5;
const LINK_MOI = 1.0;
const PI = Math.PI;
const MAX_VEL_1 = 4 * PI;
const MAX_VEL_2 = 9 * PI;
const AVAIL_TORQUE = [-1.0, 0.0, +1];

export interface AcrobotOptions {
  /** 'book' (default, Sutton & Barto / the Java implementation) or 'nips' (the paper's equations). */
  bookOrNips?: 'book' | 'nips';
  /** Uniform noise of this half-width added to the torque (default 0). */
  torqueNoiseMax?: number;
}

function wrap(x: number, m: number, M: number): number {
  const diff = M - m;
  while (x > M) x = x - diff;
  while (x < m) x = x + diff;
  return x;
}

function bound(x: number, m: number, M: number): number {
  return Math.min(Math.max(x, m), M);
}

export class AcrobotEnv extends BaseEnv<Float32Array, number> {
  readonly actionSpace = new Discrete(3);
  readonly observationSpace = new Box<Float32Array>([-1, -1, -1, -1, -MAX_VEL_1, -MAX_VEL_2], [1, 1, 1, 1, MAX_VEL_1, MAX_VEL_2], [6], 'float32');
  bookOrNips: 'book' | 'nips';
  torqueNoiseMax: number;
  private s = new Float64Array(4);
  private hasState = false;
  // RK4 scratch
  private readonly k1 = new Float64Array(4);
  private readonly k2 = new Float64Array(4);
  private readonly k3 = new Float64Array(4);
  private readonly k4 = new Float64Array(4);
  private readonly y = new Float64Array(4);

  constructor(opts?: AcrobotOptions) {
    super();
    const o = readOptions('Acrobot', opts as Record<string, unknown>, ['bookOrNips', 'torqueNoiseMax']);
    const b = o.bookOrNips ?? 'book';
    if (b !== 'book' && b !== 'nips') throw new Error(`Acrobot: bookOrNips must be 'book' or 'nips', got ${String(b)}`);
    this.bookOrNips = b;
    this.torqueNoiseMax = o.torqueNoiseMax === undefined ? 0 : toNumber(o.torqueNoiseMax, 'torqueNoiseMax');
  }

  get state(): number[] {
    return Array.from(this.s);
  }
  set state(v: number[]) {
    if (!Array.isArray(v) || v.length !== 4 || v.some((x) => typeof x !== 'number')) throw new Error('Acrobot: state must be [theta1, theta2, dtheta1, dtheta2]');
    this.s.set(v);
    this.hasState = true;
  }

  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.seedIfAsked(opts);
    const [low, high] = resetBounds(opts?.options, -0.1, 0.1);
    for (let i = 0; i < 4; i++) this.s[i] = Math.fround(this.npRandom.uniform(low, high));
    this.hasState = true;
    return { observation: this.obs(), info: {} };
  }

  step(a: number): StepResult<Float32Array> {
    if (a !== 0 && a !== 1 && a !== 2) throw new Error(`Acrobot: action must be 0 (-1 torque), 1 (0) or 2 (+1 torque), got ${String(a)}`);
    if (!this.hasState) throw new Error('Acrobot: call reset() before step()');
    let torque = AVAIL_TORQUE[a]!;
    if (this.torqueNoiseMax > 0) torque += this.npRandom.uniform(-this.torqueNoiseMax, this.torqueNoiseMax);
    this.rk4(torque);
    const s = this.s;
    s[0] = wrap(s[0]!, -PI, PI);
    s[1] = wrap(s[1]!, -PI, PI);
    s[2] = bound(s[2]!, -MAX_VEL_1, MAX_VEL_1);
    s[3] = bound(s[3]!, -MAX_VEL_2, MAX_VEL_2);
    const terminated = this.terminal();
    return { observation: this.obs(), reward: terminated ? 0.0 : -1.0, terminated, truncated: false, info: {} };
  }

  /** One RK4 step of length DT over the augmented state (torque constant), as Gymnasium's rk4(). */
  private rk4(a: number): void {
    const { s, k1, k2, k3, k4, y } = this;
    const dt = DT - 0;
    const dt2 = dt / 2.0;
    this.dsdt(s, a, k1);
    for (let i = 0; i < 4; i++) y[i] = s[i]! + dt2 * k1[i]!;
    this.dsdt(y, a, k2);
    for (let i = 0; i < 4; i++) y[i] = s[i]! + dt2 * k2[i]!;
    this.dsdt(y, a, k3);
    for (let i = 0; i < 4; i++) y[i] = s[i]! + dt * k3[i]!;
    this.dsdt(y, a, k4);
    const c = dt / 6.0;
    for (let i = 0; i < 4; i++) s[i] = s[i]! + c * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
  }

  /** Time derivative of [theta1, theta2, dtheta1, dtheta2] under torque a (Gymnasium's _dsdt). */
  private dsdt(s: Float64Array, a: number, out: Float64Array): void {
    const m1 = LINK_MASS_1;
    const m2 = LINK_MASS_2;
    const l1 = LINK_LENGTH_1;
    const lc1 = LINK_COM_POS_1;
    const lc2 = LINK_COM_POS_2;
    const I1 = LINK_MOI;
    const I2 = LINK_MOI;
    const g = 9.8;
    const theta1 = s[0]!;
    const theta2 = s[1]!;
    const dtheta1 = s[2]!;
    const dtheta2 = s[3]!;
    const cos2 = cos(theta2);
    const sin2 = sin(theta2);
    const d1 = m1 * (lc1 * lc1) + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * cos2) + I1 + I2;
    const d2 = m2 * (lc2 * lc2 + l1 * lc2 * cos2) + I2;
    const phi2 = m2 * lc2 * g * cos(theta1 + theta2 - PI / 2.0);
    const phi1 = -m2 * l1 * lc2 * (dtheta2 * dtheta2) * sin2 - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin2 + (m1 * lc1 + m2 * l1) * g * cos(theta1 - PI / 2) + phi2;
    let ddtheta2: number;
    if (this.bookOrNips === 'nips') {
      ddtheta2 = (a + (d2 / d1) * phi1 - phi2) / (m2 * (lc2 * lc2) + I2 - (d2 * d2) / d1);
    } else {
      ddtheta2 = (a + (d2 / d1) * phi1 - m2 * l1 * lc2 * (dtheta1 * dtheta1) * sin2 - phi2) / (m2 * (lc2 * lc2) + I2 - (d2 * d2) / d1);
    }
    const ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    out[0] = dtheta1;
    out[1] = dtheta2;
    out[2] = ddtheta1;
    out[3] = ddtheta2;
  }

  private terminal(): boolean {
    const s = this.s;
    return -cos(s[0]!) - cos(s[1]! + s[0]!) > 1.0;
  }

  private obs(): Float32Array {
    const s = this.s;
    const o = new Float32Array(6);
    o[0] = cos(s[0]!);
    o[1] = sin(s[0]!);
    o[2] = cos(s[1]!);
    o[3] = sin(s[1]!);
    o[4] = s[2]!;
    o[5] = s[3]!;
    return o;
  }

  render(): string {
    const s = this.s;
    const tipY = -cos(s[0]!) - cos(s[1]! + s[0]!);
    return `theta1=${s[0]!.toFixed(3)} theta2=${s[1]!.toFixed(3)} dtheta1=${s[2]!.toFixed(3)} dtheta2=${s[3]!.toFixed(3)} tip height=${tipY.toFixed(3)} (goal > 1)\n`;
  }
}
