/**
 * Self-play worker thread. Builds its own game and net from the init message, takes weights as
 * ArrayBuffers whenever they change, plays the games it is given (many at once, batched) and
 * streams each finished game back. Messages: see WorkerRequest / WorkerReply in runner.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, tf } from '../../nets/backend.ts';
import { createBestEvaluatorWithReason } from '../../nets/best-evaluator.ts';
import { OnnxEvaluator } from '../../nets/onnx-evaluator.ts';
import { makeGame } from '../../env/games/index.ts';
import { buildNet, setWeightBlob } from './net.ts';
import { playSelfPlayGames } from './selfplay.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './runner.ts';
import './games.ts';

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('worker.ts must run as a worker thread');
  const init = workerData as WorkerInit;
  await initBackend({ backend: init.backend, quiet: true });
  const game = makeGame(init.game, init.gameParams);
  const model = buildNet(init.spec, 0);
  const best = await createBestEvaluatorWithReason(game, model, { prefer: init.inference ?? 'auto' });
  const evaluator = best.evaluator;
  // After a halt nothing more is said: the games under way fail on the disposed evaluator, unheard.
  let halted = false;
  const send = (m: WorkerReply): void => {
    if (!halted) port.postMessage(m);
  };
  let queue = Promise.resolve();
  // Pause is handled at once (a 'play' may be running): games wait before their next search.
  let resume: Promise<void> | null = null;
  let release: (() => void) | null = null;
  const setPaused = (paused: boolean): void => {
    if (paused && !resume) resume = new Promise<void>((r) => (release = r));
    else if (!paused && release) {
      release();
      resume = null;
      release = null;
    }
  };
  port.on('message', (m: WorkerRequest) => {
    if (m.type === 'pause') {
      setPaused(m.paused);
      return;
    }
    if (m.type === 'halt') {
      halted = true;
      // dispose() waits for the inference runs in flight, then frees the session; new runs fail.
      void Promise.resolve(evaluator.dispose())
        .catch(() => undefined)
        .then(() => port.postMessage({ type: 'halted' } satisfies WorkerReply));
      return;
    }
    if (m.type === 'close') setPaused(false); // let a paused 'play' finish so the close behind it runs
    queue = queue.then(async () => {
      try {
        if (m.type === 'weights') {
          setWeightBlob(model, { shapes: m.shapes, data: new Float32Array(m.data) });
          // onnxruntime runs an exported copy of the graph: export the new weights.
          if (evaluator instanceof OnnxEvaluator) await evaluator.refresh();
        } else if (m.type === 'play') {
          const t0 = performance.now();
          const { stats } = await playSelfPlayGames(game, evaluator, m.settings, m.runSeed, m.generation, m.indices, m.concurrency, {
            onEnd: (g) => send({ type: 'game', game: g }),
            beforeMove: () => resume ?? undefined,
            ...(m.live
              ? {
                  onStart: (gameIndex: number) => send({ type: 'start', gameIndex }),
                  onMove: (gameIndex, moveNumber, move, rootValue, candidates) => send({ type: 'move', gameIndex, moveNumber, move, rootValue, candidates }),
                }
              : {}),
          });
          send({ type: 'done', evals: stats.positionsEvaluated, batches: stats.evaluatorBatches, seconds: (performance.now() - t0) / 1000 });
        } else if (m.type === 'close') {
          model.dispose();
          tf.disposeVariables();
          port.close();
        }
      } catch (e) {
        send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      }
    });
  });
  send({ type: 'ready', evaluator: best.fallbackReason === undefined ? 'onnxruntime' : `tfjs (${best.fallbackReason})` });
}

main().catch((e: unknown) => {
  parentPort?.postMessage({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies WorkerReply);
});
