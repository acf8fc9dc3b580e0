/**
 * Fused optimizer updates as WebAssembly SIMD kernels (written with ./asm.ts): one pass over the
 * flat parameter, gradient and slot buffers, four floats per instruction, float32 arithmetic as
 * the tfjs ops they replace. The formulas are documented in src/nets/train/optimizer.ts, which
 * owns the buffers (in this module's memory) and calls these.
 *
 * Every kernel takes byte offsets into the memory and a float count n that is a multiple of 4
 * (the buffers are padded with zeros, which every update leaves at zero).
 */
import {
  Code, F32, F32X4_ADD, F32X4_DIV, F32X4_MUL, F32X4_SPLAT, F32X4_SQRT, F32X4_SUB, F64, F64X2_ADD, F64X2_EXTRACT_LANE, F64X2_MUL,
  F64X2_PROMOTE_LOW_F32X4, F64_ADD, type FuncDef, I32, I32_ADD, I32_GE_U, I32_SHL, V128, type WasmMemory, WebAssemblyApi, wasmModule,
} from './asm.ts';

export interface OptimKernels {
  memory: WasmMemory;
  /** Sum of squares of n floats at byte offset g (in doubles). */
  sumsq(g: number, n: number): number;
  /** invRootBc2 = 1 / sqrt(1 - b2^t): a multiply where PyTorch divides (one division less per element; same up to rounding). */
  adam(p: number, g: number, m: number, v: number, n: number, s: number, b1: number, omb1: number, b2: number, omb2: number, stepSize: number, invRootBc2: number, eps: number): void;
  adamTf(p: number, g: number, m: number, v: number, n: number, s: number, b1: number, omb1: number, b2: number, omb2: number, lr: number, bc1: number, bc2: number, eps: number): void;
  rmsprop(p: number, g: number, v: number, n: number, s: number, a: number, oma: number, lr: number, eps: number): void;
  momentum(p: number, g: number, m: number, n: number, s: number, mu: number, lr: number): void;
}

/** Builds `for (i = 0; i < 4n bytes; i += 16) body` with named pointer, scalar (splatted) and temp v128 locals. */
class LoopKernel {
  readonly code = new Code();
  private readonly local = new Map<string, number>();
  private readonly iLocal: number;
  private readonly endLocal: number;

  constructor(
    readonly name: string,
    private readonly ptrs: string[],
    private readonly scalars: string[],
    private readonly temps: string[],
  ) {
    ptrs.forEach((p, i) => this.local.set(p, i));
    const n = ptrs.length;
    scalars.forEach((s, i) => this.local.set(`$${s}`, n + 1 + i));
    let next = n + 1 + scalars.length;
    this.iLocal = next++;
    this.endLocal = next++;
    for (const s of scalars) this.local.set(s, next++);
    for (const t of temps) this.local.set(t, next++);
    const c = this.code;
    c.localGet(n).i32Const(2).op(I32_SHL).localSet(this.endLocal);
    for (const s of scalars) c.localGet(this.local.get(`$${s}`)!).simd(F32X4_SPLAT).localSet(this.local.get(s)!);
    c.block().loop().localGet(this.iLocal).localGet(this.endLocal).op(I32_GE_U).brIf(1);
  }

  /** Push the address of element i of buffer `ptr`. */
  addr(ptr: string): this {
    this.code.localGet(this.local.get(ptr)!).localGet(this.iLocal).op(I32_ADD);
    return this;
  }
  load(ptr: string): this {
    this.addr(ptr);
    this.code.v128Load();
    return this;
  }
  get(name: string): this {
    this.code.localGet(this.local.get(name)!);
    return this;
  }
  set(name: string): this {
    this.code.localSet(this.local.get(name)!);
    return this;
  }
  tee(name: string): this {
    this.code.localTee(this.local.get(name)!);
    return this;
  }
  f(op: number): this {
    this.code.simd(op);
    return this;
  }
  store(): this {
    this.code.v128Store();
    return this;
  }

  finish(): FuncDef {
    this.code.localGet(this.iLocal).i32Const(16).op(I32_ADD).localSet(this.iLocal).br(0).end().end();
    return {
      name: this.name,
      params: [...this.ptrs.map(() => I32), I32, ...this.scalars.map(() => F32)],
      results: [],
      locals: [I32, I32, ...this.scalars.map(() => V128), ...this.temps.map(() => V128)],
      code: this.code,
    };
  }
}

function sumsqKernel(): FuncDef {
  // params: g (0), n (1); locals: i (2), end (3), acc0 (4), acc1 (5), x (6)
  const c = new Code();
  c.localGet(1).i32Const(2).op(I32_SHL).localSet(3);
  c.block().loop().localGet(2).localGet(3).op(I32_GE_U).brIf(1);
  c.localGet(0).localGet(2).op(I32_ADD).v128Load().localSet(6);
  // low two lanes, then the high two moved down, each promoted to f64 and squared into its accumulator
  c.localGet(6).simd(F64X2_PROMOTE_LOW_F32X4).localGet(6).simd(F64X2_PROMOTE_LOW_F32X4).simd(F64X2_MUL).localGet(4).simd(F64X2_ADD).localSet(4);
  const high = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
  c.localGet(6).localGet(6).simd(0x0d, ...high).simd(F64X2_PROMOTE_LOW_F32X4).localTee(6).localGet(6).simd(F64X2_MUL).localGet(5).simd(F64X2_ADD).localSet(5);
  c.localGet(2).i32Const(16).op(I32_ADD).localSet(2).br(0).end().end();
  c.localGet(4).localGet(5).simd(F64X2_ADD).localTee(4).simd(F64X2_EXTRACT_LANE, 0).localGet(4).simd(F64X2_EXTRACT_LANE, 1).op(F64_ADD);
  return { name: 'sumsq', params: [I32, I32], results: [F64], locals: [I32, I32, V128, V128, V128], code: c };
}

function adamKernel(): FuncDef {
  const k = new LoopKernel('adam', ['p', 'g', 'm', 'v'], ['s', 'b1', 'omb1', 'b2', 'omb2', 'step', 'irbc2', 'eps'], ['gs', 'mt', 'vt']);
  k.load('g').get('s').f(F32X4_MUL).set('gs');
  k.addr('m').get('b1').load('m').f(F32X4_MUL).get('omb1').get('gs').f(F32X4_MUL).f(F32X4_ADD).tee('mt').store();
  k.addr('v').get('b2').load('v').f(F32X4_MUL).get('omb2').get('gs').f(F32X4_MUL).get('gs').f(F32X4_MUL).f(F32X4_ADD).tee('vt').store();
  // p -= step * m / (sqrt(v) * irbc2 + eps)
  k.addr('p').load('p').get('step').get('mt').f(F32X4_MUL).get('vt').f(F32X4_SQRT).get('irbc2').f(F32X4_MUL).get('eps').f(F32X4_ADD).f(F32X4_DIV).f(F32X4_SUB).store();
  return k.finish();
}

function adamTfKernel(): FuncDef {
  const k = new LoopKernel('adamTf', ['p', 'g', 'm', 'v'], ['s', 'b1', 'omb1', 'b2', 'omb2', 'lr', 'bc1', 'bc2', 'eps'], ['gs', 'mt', 'vt']);
  k.load('g').get('s').f(F32X4_MUL).set('gs');
  k.addr('m').get('b1').load('m').f(F32X4_MUL).get('omb1').get('gs').f(F32X4_MUL).f(F32X4_ADD).tee('mt').store();
  k.addr('v').get('b2').load('v').f(F32X4_MUL).get('omb2').get('gs').f(F32X4_MUL).get('gs').f(F32X4_MUL).f(F32X4_ADD).tee('vt').store();
  // p -= lr * (m / bc1) / (sqrt(v / bc2) + eps)
  k.addr('p').load('p').get('lr').get('mt').get('bc1').f(F32X4_DIV).f(F32X4_MUL).get('vt').get('bc2').f(F32X4_DIV).f(F32X4_SQRT).get('eps').f(F32X4_ADD).f(F32X4_DIV).f(F32X4_SUB).store();
  return k.finish();
}

function rmspropKernel(): FuncDef {
  const k = new LoopKernel('rmsprop', ['p', 'g', 'v'], ['s', 'a', 'oma', 'lr', 'eps'], ['gs', 'vt']);
  k.load('g').get('s').f(F32X4_MUL).set('gs');
  k.addr('v').get('a').load('v').f(F32X4_MUL).get('oma').get('gs').f(F32X4_MUL).get('gs').f(F32X4_MUL).f(F32X4_ADD).tee('vt').store();
  // p -= lr * g / (sqrt(v) + eps)
  k.addr('p').load('p').get('lr').get('gs').f(F32X4_MUL).get('vt').f(F32X4_SQRT).get('eps').f(F32X4_ADD).f(F32X4_DIV).f(F32X4_SUB).store();
  return k.finish();
}

function momentumKernel(): FuncDef {
  const k = new LoopKernel('momentum', ['p', 'g', 'm'], ['s', 'mu', 'lr'], ['mt']);
  k.addr('m').get('mu').load('m').f(F32X4_MUL).load('g').get('s').f(F32X4_MUL).f(F32X4_ADD).tee('mt').store();
  k.addr('p').load('p').get('lr').get('mt').f(F32X4_MUL).f(F32X4_SUB).store();
  return k.finish();
}

let compiled: object | null | undefined;

/** The kernels over a fresh memory of at least `bytes`; null where WebAssembly SIMD is unavailable. */
export function optimKernels(bytes: number): OptimKernels | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssemblyApi.Module(wasmModule([sumsqKernel(), adamKernel(), adamTfKernel(), rmspropKernel(), momentumKernel()]));
    } catch {
      compiled = null;
    }
  }
  if (!compiled) return null;
  const memory = new WebAssemblyApi.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const e = new WebAssemblyApi.Instance(compiled, { env: { memory } }).exports as unknown as Omit<OptimKernels, 'memory'>;
  return { memory, sumsq: e.sumsq, adam: e.adam, adamTf: e.adamTf, rmsprop: e.rmsprop, momentum: e.momentum };
}
