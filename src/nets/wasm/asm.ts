/**
 * A minimal WebAssembly binary writer: enough to emit small numeric kernels (loops over f32x4
 * SIMD lanes on an imported memory) from TypeScript, with no toolchain and no prebuilt binary.
 * The encoding follows the WebAssembly core spec (sections, LEB128 immediates) and its SIMD
 * proposal (0xFD-prefixed opcodes); V8 validates the module when it is compiled, so a mistake here
 * fails loudly at load time, never silently.
 *
 *   const c = new Code();
 *   c.localGet(0).localGet(1).op(I32_ADD);
 *   const bytes = wasmModule([{ name: 'add', params: [I32, I32], results: [I32], locals: [], code: c }]);
 */

/** The WebAssembly API of the JS engine (typed here: the project's TS lib settings leave it out). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
export const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
/** One of I32, F32, F64, V128. */
export type ValType = number;

// Core opcodes used by the kernels.
export const I32_ADD = 0x6a;
export const I32_SHL = 0x74;
export const I32_GE_U = 0x4f;
export const F64_ADD = 0xa0;

// SIMD opcodes (after the 0xFD prefix).
export const F32X4_SPLAT = 0x13;
export const F64X2_EXTRACT_LANE = 0x21;
export const F64X2_PROMOTE_LOW_F32X4 = 0x5f;
export const F32X4_SQRT = 0xe3;
export const F32X4_ADD = 0xe4;
export const F32X4_SUB = 0xe5;
export const F32X4_MUL = 0xe6;
export const F32X4_DIV = 0xe7;
export const F64X2_ADD = 0xf0;
export const F64X2_MUL = 0xf2;

function uleb(out: number[], v: number): void {
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

function sleb(out: number[], v: number): void {
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

function name(out: number[], s: string): void {
  const b = Buffer.from(s, 'utf8');
  uleb(out, b.length);
  out.push(...b);
}

/** A function body under construction (chainable). */
export class Code {
  readonly bytes: number[] = [];

  op(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  localGet(i: number): this {
    this.bytes.push(0x20);
    uleb(this.bytes, i);
    return this;
  }
  localSet(i: number): this {
    this.bytes.push(0x21);
    uleb(this.bytes, i);
    return this;
  }
  localTee(i: number): this {
    this.bytes.push(0x22);
    uleb(this.bytes, i);
    return this;
  }
  i32Const(v: number): this {
    this.bytes.push(0x41);
    sleb(this.bytes, v);
    return this;
  }
  f64Const(v: number): this {
    this.bytes.push(0x44);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    this.bytes.push(...b);
    return this;
  }
  /** block / loop with no result; close with end(). */
  block(): this {
    return this.op(0x02, 0x40);
  }
  loop(): this {
    return this.op(0x03, 0x40);
  }
  end(): this {
    return this.op(0x0b);
  }
  br(depth: number): this {
    this.bytes.push(0x0c);
    uleb(this.bytes, depth);
    return this;
  }
  brIf(depth: number): this {
    this.bytes.push(0x0d);
    uleb(this.bytes, depth);
    return this;
  }
  /** A SIMD instruction with its immediates (lane indices, shuffle bytes). */
  simd(opcode: number, ...imm: number[]): this {
    this.bytes.push(0xfd);
    uleb(this.bytes, opcode);
    this.bytes.push(...imm);
    return this;
  }
  /** v128.load / v128.store at the address on the stack (+ offset), 16-byte aligned. */
  v128Load(offset = 0): this {
    this.simd(0x00, 4);
    uleb(this.bytes, offset);
    return this;
  }
  v128Store(offset = 0): this {
    this.simd(0x0b, 4);
    uleb(this.bytes, offset);
    return this;
  }
}

export interface FuncDef {
  name: string;
  params: ValType[];
  results: ValType[];
  /** Extra locals, numbered after the params. */
  locals: ValType[];
  code: Code;
}

/** A module importing one memory as env.memory and exporting `funcs` under their names. */
export function wasmModule(funcs: FuncDef[]): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const section = (id: number, body: number[]): void => {
    out.push(id);
    uleb(out, body.length);
    out.push(...body);
  };
  const types: number[] = [];
  uleb(types, funcs.length);
  for (const f of funcs) {
    types.push(0x60);
    uleb(types, f.params.length);
    types.push(...f.params);
    uleb(types, f.results.length);
    types.push(...f.results);
  }
  section(1, types);
  const imports: number[] = [1];
  name(imports, 'env');
  name(imports, 'memory');
  imports.push(0x02, 0x00, 0x01); // memory, limits: min 1 page, no max
  section(2, imports);
  const fns: number[] = [];
  uleb(fns, funcs.length);
  funcs.forEach((_, i) => uleb(fns, i));
  section(3, fns);
  const exps: number[] = [];
  uleb(exps, funcs.length);
  funcs.forEach((f, i) => {
    name(exps, f.name);
    exps.push(0x00);
    uleb(exps, i);
  });
  section(7, exps);
  const code: number[] = [];
  uleb(code, funcs.length);
  for (const f of funcs) {
    const body: number[] = [];
    uleb(body, f.locals.length);
    for (const t of f.locals) body.push(1, t);
    body.push(...f.code.bytes, 0x0b);
    uleb(code, body.length);
    code.push(...body);
  }
  section(10, code);
  return Uint8Array.from(out);
}
