/**
 * The registry of named architectures that `tengen nets summary --arch NAME` (and anything else that
 * builds a net from a name and numeric options) knows. Each arch declares its numeric options with
 * defaults and bounds; the CLI turns the union of all options into flags.
 *
 * Another module adds an arch with `registerArch({ name, description, options, build })` at import
 * time (e.g. src/vision/ registers 'mobilenet' and 'densenet'); import that module before the CLI
 * builds its flags (src/commands/nets.ts lists the imports).
 */
import type { tf } from './backend.ts';
import { UserError } from '../util/errors.ts';
import { buildResNet } from './resnet.ts';
import { buildLeePolicyNet, buildLeeValueNet, LEE_POLICY_PLANES, LEE_VALUE_PLANES } from './lee-nets.ts';

export interface ArchOption {
  /** Flag name without dashes, lowercase words joined by '-': 'blocks', 'width-mult'. */
  name: string;
  description: string;
  /** Default value, or a function of the other (already resolved) options, e.g. actions = board^2 + 1. */
  default: number | ((o: Record<string, number>) => number);
  min?: number;
  max?: number;
  /** Only whole numbers (default true). */
  integer?: boolean;
}

export interface ArchSpec {
  name: string;
  description: string;
  /** Options in resolution order (a derived default may read options listed before it). */
  options: ArchOption[];
  build(o: Record<string, number>): tf.LayersModel;
}

const registry = new Map<string, ArchSpec>();

export function registerArch(spec: ArchSpec, replace = false): void {
  if (!/^[a-z][a-z0-9-]*$/.test(spec.name)) throw new Error(`registerArch: bad arch name '${spec.name}'`);
  if (registry.has(spec.name) && !replace) throw new Error(`registerArch: '${spec.name}' is already registered`);
  registry.set(spec.name, spec);
}

export function listArchs(): ArchSpec[] {
  return [...registry.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function getArch(name: string): ArchSpec {
  const spec = registry.get(name);
  if (!spec) throw new UserError(`unknown arch '${name}'; known archs: ${listArchs().map((a) => a.name).join(', ')}`);
  return spec;
}

/**
 * Resolve the options of an arch from user-given values (undefined = default). Rejects options the
 * arch does not take, and out-of-range or non-integer values, with a UserError.
 */
export function resolveArchOptions(spec: ArchSpec, given: Record<string, number | undefined>): Record<string, number> {
  const names = spec.options.map((o) => o.name);
  for (const [k, v] of Object.entries(given)) {
    if (v !== undefined && !names.includes(k)) {
      throw new UserError(`arch '${spec.name}' takes no --${k} option; its options: ${names.map((n) => `--${n}`).join(', ')}`);
    }
  }
  const out: Record<string, number> = {};
  for (const o of spec.options) {
    const v = given[o.name] ?? (typeof o.default === 'function' ? o.default(out) : o.default);
    const bounds = `${o.min !== undefined ? ` >= ${o.min}` : ''}${o.min !== undefined && o.max !== undefined ? ' and' : ''}${o.max !== undefined ? ` <= ${o.max}` : ''}`;
    const what = `${o.integer === false ? 'a number' : 'an integer'}${bounds}`;
    if (!Number.isFinite(v) || (o.integer !== false && !Number.isInteger(v)) || (o.min !== undefined && v < o.min) || (o.max !== undefined && v > o.max)) {
      throw new UserError(`--${o.name} must be ${what} for arch '${spec.name}', got ${v}`);
    }
    out[o.name] = v;
  }
  return out;
}

/** Build a registered arch from user-given options. */
export function buildArch(name: string, given: Record<string, number | undefined> = {}): tf.LayersModel {
  const spec = getArch(name);
  return spec.build(resolveArchOptions(spec, given));
}

const board: ArchOption = { name: 'board', description: 'board size N (N x N input)', default: 19, min: 1 };

registerArch({
  name: 'resnet',
  description: 'AlphaGo Zero residual policy-value net (stem + blocks-1 residual blocks, policy and value heads)',
  options: [
    { name: 'blocks', description: 'blocks as in the paper: stem + blocks-1 residual blocks', default: 20, min: 1 },
    { name: 'filters', description: 'filters per conv layer (k in the papers)', default: 256, min: 1 },
    board,
    { name: 'planes', description: 'input feature planes', default: 17, min: 1 },
    { name: 'actions', description: 'policy outputs (default board^2 + 1: points and pass)', default: (o) => o['board']! * o['board']! + 1, min: 1 },
  ],
  build: (o) => buildResNet({ blocks: o['blocks']!, filters: o['filters']!, inputShape: [o['board']!, o['board']!, o['planes']!], numActions: o['actions']! }),
});

registerArch({
  name: 'lee-policy',
  description: 'AlphaGo (2016) SL/RL policy net: 13 conv layers (5x5 then 3x3), position bias, softmax over points',
  options: [
    { name: 'filters', description: 'filters per conv layer (k in the papers)', default: 192, min: 1 },
    board,
    { name: 'planes', description: 'input feature planes', default: LEE_POLICY_PLANES, min: 1 },
    { name: 'layers', description: 'conv layers', default: 13, min: 3 },
    { name: 'pass', description: '1: add a pass logit to the softmax', default: 0, min: 0, max: 1 },
  ],
  build: (o) => buildLeePolicyNet({ board: o['board']!, planes: o['planes']!, filters: o['filters']!, layers: o['layers']!, pass: o['pass'] === 1 }),
});

registerArch({
  name: 'lee-value',
  description: 'AlphaGo (2016) value net: the policy trunk, an extra conv, 1x1 conv, dense 256, dense 1 tanh',
  options: [
    { name: 'filters', description: 'filters per conv layer (k in the papers)', default: 192, min: 1 },
    board,
    { name: 'planes', description: 'input feature planes (48 + colour to play)', default: LEE_VALUE_PLANES, min: 1 },
    { name: 'layers', description: 'conv layers (dense layers come on top)', default: 13, min: 3 },
  ],
  build: (o) => buildLeeValueNet({ board: o['board']!, planes: o['planes']!, filters: o['filters']!, layers: o['layers']! }),
});
