/**
 * CartPole-v1 (Barto, Sutton & Anderson 1983), exactly as Gymnasium 1.x classic_control/cartpole.py:
 * explicit Euler integration (or semi-implicit Euler), double-precision state, float32 observation
 * [x, x_dot, theta, theta_dot]. Terminates when |x| > 2.4 or |theta| > 12 degrees; reward 1 per step
 * including the terminating one (sutton_barto_reward: 0 per step, -1 on termination).
 * Reset: every state variable uniform in [low, high] (default [-0.05, 0.05]).
 */
import { BaseEnv, readOptions, resetBounds, type Info, type ResetOptions, type ResetResult, type StepResult } from '../core.ts';
import { Box, Discrete } from '../spaces.ts';
import { cos as crCos, sin as crSin } from './libm.ts';

const GRAVITY = 9.8;
const MASSCART = 1.0;
const MASSPOLE = 0.1;
const TOTAL_MASS = MASSPOLE + MASSCART;
const LENGTH = 0.5; // half the pole's length
const POLEMASS_LENGTH = MASSPOLE * LENGTH;
const FORCE_MAG = 10.0;
const TAU = 0.02;
const THETA_THRESHOLD = (12 * 2 * Math.PI) / 360;
const X_THRESHOLD = 2.4;

export interface CartPoleOptions {
  /** Reward 0 per step and -1 on termination (Sutton & Barto's original). Default false. */
  suttonBartoReward?: boolean;
  /** 'euler' (Gymnasium default) or 'semi-implicit-euler'. */
  kinematicsIntegrator?: 'euler' | 'semi-implicit-euler';
}

export class CartPoleEnv extends BaseEnv<Float32Array, number> {
  readonly actionSpace = new Discrete(2);
  readonly observationSpace = new Box<Float32Array>([-X_THRESHOLD * 2, -Infinity, -THETA_THRESHOLD * 2, -Infinity], [X_THRESHOLD * 2, Infinity, THETA_THRESHOLD * 2, Infinity], [4], 'float32');
  readonly suttonBartoReward: boolean;
  readonly kinematicsIntegrator: 'euler' | 'semi-implicit-euler';
  private x = 0;
  private xDot = 0;
  private theta = 0;
  private thetaDot = 0;
  private hasState = false;
  private stepsBeyondTerminated = -1;

  constructor(opts?: CartPoleOptions) {
    super();
    const o = readOptions('CartPole', opts as Record<string, unknown>, ['suttonBartoReward', 'kinematicsIntegrator']);
    this.suttonBartoReward = Boolean(o.suttonBartoReward ?? false);
    const integ = o.kinematicsIntegrator ?? 'euler';
    if (integ !== 'euler' && integ !== 'semi-implicit-euler') throw new Error(`CartPole: kinematicsIntegrator must be 'euler' or 'semi-implicit-euler', got ${String(integ)}`);
    this.kinematicsIntegrator = integ;
  }

  get state(): number[] {
    return [this.x, this.xDot, this.theta, this.thetaDot];
  }
  set state(s: number[]) {
    if (!Array.isArray(s) || s.length !== 4 || s.some((v) => typeof v !== 'number')) throw new Error('CartPole: state must be [x, x_dot, theta, theta_dot]');
    [this.x, this.xDot, this.theta, this.thetaDot] = s as [number, number, number, number];
    this.hasState = true; // like Gymnasium, the after-termination counter is kept (reset() clears it)
  }

  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.seedIfAsked(opts);
    const [low, high] = resetBounds(opts?.options, -0.05, 0.05);
    const r = this.npRandom;
    this.x = r.uniform(low, high);
    this.xDot = r.uniform(low, high);
    this.theta = r.uniform(low, high);
    this.thetaDot = r.uniform(low, high);
    this.hasState = true;
    this.stepsBeyondTerminated = -1;
    return { observation: this.obs(), info: {} };
  }

  step(action: number): StepResult<Float32Array> {
    if (action !== 0 && action !== 1) throw new Error(`CartPole: action must be 0 (push left) or 1 (push right), got ${String(action)}`);
    if (!this.hasState) throw new Error('CartPole: call reset() before step()');
    const force = action === 1 ? FORCE_MAG : -FORCE_MAG;
    const theta = this.theta;
    const thetaDot = this.thetaDot;
    const costheta = crCos(theta);
    const sintheta = crSin(theta);
    const temp = (force + POLEMASS_LENGTH * (thetaDot * thetaDot) * sintheta) / TOTAL_MASS;
    const thetaacc = (GRAVITY * sintheta - costheta * temp) / (LENGTH * (4.0 / 3.0 - (MASSPOLE * (costheta * costheta)) / TOTAL_MASS));
    const xacc = temp - (POLEMASS_LENGTH * thetaacc * costheta) / TOTAL_MASS;
    if (this.kinematicsIntegrator === 'euler') {
      this.x = this.x + TAU * this.xDot;
      this.xDot = this.xDot + TAU * xacc;
      this.theta = theta + TAU * thetaDot;
      this.thetaDot = thetaDot + TAU * thetaacc;
    } else {
      this.xDot = this.xDot + TAU * xacc;
      this.x = this.x + TAU * this.xDot;
      this.thetaDot = thetaDot + TAU * thetaacc;
      this.theta = theta + TAU * this.thetaDot;
    }
    const x = this.x;
    const th = this.theta;
    const terminated = x < -X_THRESHOLD || x > X_THRESHOLD || th < -THETA_THRESHOLD || th > THETA_THRESHOLD;
    let reward: number;
    if (!terminated) reward = this.suttonBartoReward ? 0.0 : 1.0;
    else if (this.stepsBeyondTerminated < 0) {
      this.stepsBeyondTerminated = 0;
      reward = this.suttonBartoReward ? -1.0 : 1.0;
    } else {
      this.stepsBeyondTerminated++;
      reward = this.suttonBartoReward ? -1.0 : 0.0;
    }
    const info: Info = {};
    return { observation: this.obs(), reward, terminated, truncated: false, info };
  }

  private obs(): Float32Array {
    const o = new Float32Array(4);
    o[0] = this.x;
    o[1] = this.xDot;
    o[2] = this.theta;
    o[3] = this.thetaDot;
    return o;
  }

  render(): string {
    const width = 41;
    const pos = Math.round(((this.x + X_THRESHOLD * 2) / (X_THRESHOLD * 4)) * (width - 1));
    const track = Array.from({ length: width }, (_, i) => (i === Math.max(0, Math.min(width - 1, pos)) ? '#' : '-')).join('');
    const deg = (this.theta * 180) / Math.PI;
    return `x=${this.x.toFixed(3)} x_dot=${this.xDot.toFixed(3)} theta=${deg.toFixed(2)}deg theta_dot=${this.thetaDot.toFixed(3)}\n|${track}|\n`;
  }
}
