/**
 * One evaluator shared by many concurrent searches in one thread (OpenSpiel's batching evaluator
 * idea). Each search calls evaluate(states) and awaits; requests queue up and go to the inner
 * evaluator as one batch when maxBatch positions are waiting or when the event loop next turns
 * (setImmediate: every search that is ready has then submitted), so 32 self-play games with
 * batchSize 8 make one net call of ~256 positions instead of 32 small ones.
 */
import type { Evaluator, State } from '../env/games/game.ts';
import { UserError } from '../util/errors.ts';

export interface BatchingEvaluatorOptions {
  /** Flush as soon as this many positions are queued. Default 1024. */
  maxBatch?: number;
  /** When to flush a partial batch: 'immediate' (next event-loop turn, default) or 'microtask'. */
  flushOn?: 'immediate' | 'microtask';
}

export interface BatchingStats {
  /** evaluate() calls received from searches. */
  requests: number;
  /** Calls made to the inner evaluator. */
  batches: number;
  positions: number;
  /** positions / batches: the achieved batch size. */
  meanBatchSize: number;
  maxBatchSize: number;
}

type Out = { policy: Float32Array[]; value: Float32Array };
interface Pending {
  states: State[];
  resolve: (o: Out) => void;
  reject: (e: unknown) => void;
}

export class BatchingEvaluator implements Evaluator {
  readonly inner: Evaluator;
  readonly maxBatch: number;
  private readonly flushOn: 'immediate' | 'microtask';
  private queue: Pending[] = [];
  private queued = 0;
  private scheduled = false;
  private readonly s = { requests: 0, batches: 0, positions: 0, maxBatchSize: 0 };

  constructor(inner: Evaluator, opts: BatchingEvaluatorOptions = {}) {
    const maxBatch = opts.maxBatch ?? 1024;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new UserError(`BatchingEvaluator: maxBatch must be an integer >= 1, got ${maxBatch}`);
    const flushOn = opts.flushOn ?? 'immediate';
    if (flushOn !== 'immediate' && flushOn !== 'microtask') throw new UserError(`BatchingEvaluator: flushOn must be 'immediate' or 'microtask', got ${String(flushOn)}`);
    this.inner = inner;
    this.maxBatch = maxBatch;
    this.flushOn = flushOn;
  }

  evaluate(states: State[]): Promise<Out> {
    this.s.requests++;
    if (states.length === 0) return Promise.resolve({ policy: [], value: new Float32Array(0) });
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ states, resolve, reject });
      this.queued += states.length;
      if (this.queued >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        if (this.flushOn === 'microtask') queueMicrotask(() => this.flush());
        else setImmediate(() => this.flush());
      }
    });
  }

  get stats(): BatchingStats {
    const s = this.s;
    return { ...s, meanBatchSize: s.batches ? s.positions / s.batches : 0 };
  }

  /** Send everything queued now. */
  flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.queued = 0;
    const all: State[] = [];
    for (const r of batch) for (const s of r.states) all.push(s);
    this.s.batches++;
    this.s.positions += all.length;
    if (all.length > this.s.maxBatchSize) this.s.maxBatchSize = all.length;
    let p: Promise<Out>;
    try {
      p = this.inner.evaluate(all);
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(
      (out) => {
        if (out.policy.length !== all.length || out.value.length !== all.length) {
          const err = new Error(`BatchingEvaluator: inner evaluator returned ${out.policy.length} policies / ${out.value.length} values for ${all.length} positions`);
          for (const r of batch) r.reject(err);
          return;
        }
        let k = 0;
        for (const r of batch) {
          const n = r.states.length;
          r.resolve({ policy: out.policy.slice(k, k + n), value: out.value.slice(k, k + n) });
          k += n;
        }
      },
      (e: unknown) => {
        for (const r of batch) r.reject(e);
      },
    );
  }
}

/** Wrap an evaluator so that concurrent searches (the games of a match) share net calls. */
export function batched(e: Evaluator, maxBatch = 512): Evaluator {
  return new BatchingEvaluator(e, { maxBatch });
}
