import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, tf } from '../../../src/nets/backend.ts';
import { Pipeline, budgetStopReason } from '../../../src/agents/alphazero/pipeline.ts';
import { PipelineEvents, attachMetricsLog } from '../../../src/agents/alphazero/events.ts';
import { loadCheckpoint } from '../../../src/agents/alphazero/checkpoint.ts';
import { getWeightBlob, loadNet, saveNet } from '../../../src/agents/alphazero/net.ts';
import { makeGame } from '../../../src/agents/alphazero/games.ts';
import { playSelfPlayGames, type SelfPlaySettings } from '../../../src/agents/alphazero/selfplay.ts';
import { createBestEvaluatorWithReason } from '../../../src/nets/best-evaluator.ts';
import { tinyConfig } from './tiny-config.ts';
import type { AZConfig } from '../../../src/agents/alphazero/config.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'tengen-az-'));

/** Save a new run's untrained net (generation 0) where loadNet reads it. */
async function saveInitial(p: Pipeline, dir: string): Promise<string> {
  await saveNet(dir, p.spec, p.current, { generation: 0 });
  return dir;
}

async function snapshot(runDir: string): Promise<{ state: unknown; buffer: Uint8Array; current: number[]; best: number[] }> {
  const c = await loadCheckpoint(runDir);
  const { elapsedSec: _e, lastGenerationSec: _l, ...state } = c.state;
  const out = { state, buffer: c.buffer.toBytes(), current: Array.from(getWeightBlob(c.current.model).data), best: Array.from(getWeightBlob(c.best.model).data) };
  c.current.model.dispose();
  c.best.model.dispose();
  return out;
}

describe('AlphaZero pipeline (tiny tic-tac-toe)', () => {
  it('runs every stage end to end and writes the run directory', async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    const dir = tmp();
    const events = new PipelineEvents();
    const seen = new Set<string>();
    events.onAny((n) => seen.add(n));
    const logs: string[] = [];
    events.on('log', (e) => logs.push(e.message));
    const evalDone = new Map<string, number[]>();
    events.on('eval:progress', (e) => evalDone.set(`${e.generation} ${e.opponent}`, [...(evalDone.get(`${e.generation} ${e.opponent}`) ?? []), e.done, e.total]));
    attachMetricsLog(events, join(dir, 'metrics.jsonl'));
    const p = await Pipeline.create({ runDir: dir, config: tinyConfig({ generations: 2 }), events });
    await p.run();
    const trained = getWeightBlob(p.current).data;
    p.dispose();
    for (const e of ['generation:start', 'game:end', 'selfplay:done', 'train:batch', 'train:done', 'eval:result', 'strength', 'checkpoint', 'generation:end', 'run:end']) {
      expect(seen.has(e), e).toBe(true);
    }
    expect(p.state.generation).toBe(2);
    // Each evaluation match reports every finished game, 1..total, for the dashboard's progress bar.
    const cfg = tinyConfig({ generations: 2 });
    expect(evalDone.size).toBeGreaterThan(0);
    for (const [key, pairs] of evalDone) {
      const total = key.includes(' gen ') ? cfg.evalGames : cfg.strengthGames;
      const dones = pairs.filter((_, i) => i % 2 === 0);
      expect(dones, key).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(pairs.filter((_, i) => i % 2 === 1).every((t) => t === total), key).toBe(true);
    }
    // onnxruntime-node's CPU binary ships in its npm package, so self-play runs on it.
    expect(logs).toContain('self-play inference: onnxruntime');
    expect(p.state.totalGames).toBe(16);
    expect(p.buffer.size).toBe(p.state.totalPositions);
    const games = readFileSync(join(dir, 'games', 'gen-000002.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { moves: string[]; returns: number[] });
    expect(games).toHaveLength(8);
    expect(games[0]!.moves.length).toBeGreaterThanOrEqual(5);
    const metrics = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string });
    expect(metrics.some((m) => m.event === 'train:done')).toBe(true);
    expect(existsSync(join(dir, 'models', 'gen-000002', 'model.json'))).toBe(true);
    // Training moved the weights away from the initial net's.
    const fresh = await Pipeline.create({ runDir: tmp(), config: tinyConfig() });
    expect(getWeightBlob(fresh.current).data).not.toEqual(trained);
    fresh.dispose();
  });

  // Every game is a check game (resignation off), so every game of a trained net is a record.
  const resignRun = (over: Partial<AZConfig> = {}): Promise<Pipeline> =>
    Pipeline.create({ runDir: tmp(), config: tinyConfig({ mode: 'alphazero', evalGames: 0, strengthGames: 0, resign: true, resignCheckFraction: 1, resignMinGames: 1, ...over }) });

  it('calibrates resignation only on games of a trained net, not on the random first net', async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    const p = await resignRun();
    await p.generation();
    expect(p.state.resignRecords).toHaveLength(0);
    expect(p.state.resignThreshold).toBeNull();
    await p.generation();
    expect(p.state.resignRecords).toHaveLength(p.config.gamesPerGeneration);
    await p.close();
    p.dispose();
  });

  it('calibrates resignation on no games of a net that has not trained yet (buffer below minBufferPositions)', async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    // 8 tic-tac-toe games hold 40-72 positions: generation 1 does not reach 80 and trains nothing,
    // so generation 2 plays with the random net again; generation 2 reaches 80 and trains.
    const p = await resignRun({ minBufferPositions: 80 });
    await p.generation();
    expect(p.state.trainStep).toBe(0);
    await p.generation();
    expect(p.state.trainStep).toBeGreaterThan(0);
    expect(p.state.resignRecords).toHaveLength(0);
    await p.generation();
    expect(p.state.resignRecords).toHaveLength(p.config.gamesPerGeneration);
    await p.close();
    p.dispose();
  });

  it("counts a generation's time after its checkpoint (the GNU Go yardstick's place) in the run's clock, on disk too", async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    const dir = tmp();
    const events = new PipelineEvents();
    // Stand in for work done after the checkpoint is written: hold the generation 300 ms there.
    events.on('checkpoint', (e) => {
      if (e.generation !== 1) return;
      const until = performance.now() + 300;
      while (performance.now() < until);
    });
    let selfPlayDone2 = 0;
    events.on('selfplay:done', (e) => {
      if (e.generation === 2) selfPlayDone2 = performance.now();
    });
    const p = await Pipeline.create({ runDir: dir, config: tinyConfig({ mode: 'alphazero', evalGames: 0, strengthGames: 0 }), events });
    // A caller that runs generations itself, as bench/alphazero does (resume then uses the saved clock).
    const t0 = performance.now();
    await p.generation();
    const wall1 = (performance.now() - t0) / 1000;
    // Slack for the calls around generation() on a loaded machine; a clock without the 300 ms falls short by more.
    const slack = 0.1;
    expect(p.state.elapsedSec).toBeGreaterThanOrEqual(wall1 - slack);
    // ... and so does the checkpoint on disk: a run ended (or killed) here resumes with the whole generation's time.
    const saved1 = await loadCheckpoint(dir);
    saved1.current.model.dispose();
    saved1.best.model.dispose();
    expect(saved1.state.generation).toBe(1);
    expect(saved1.state.elapsedSec).toBeGreaterThanOrEqual(wall1 - slack);
    const t2 = performance.now();
    await p.generation();
    await p.close();
    p.dispose();
    const saved = await loadCheckpoint(dir);
    saved.current.model.dispose();
    saved.best.model.dispose();
    expect(saved.state.generation).toBe(2);
    // The saved clock holds all of generation 1 (its 300 ms after the checkpoint too) and generation 2 up to its checkpoint.
    expect(saved.state.elapsedSec).toBeGreaterThanOrEqual(wall1 - slack + (selfPlayDone2 - t2) / 1000);
  });

  it('a time budget starts a generation only if it should end within the budget (as long as the last one)', async () => {
    expect(budgetStopReason(80, 30, 2)).toBeNull(); // 110 s <= 120 s: go on
    expect(budgetStopReason(100, 30, 2)).toMatch(/would end past the 2-minute limit/); // 130 s > 120 s
    expect(budgetStopReason(120, 30, 2)).toBe('reached 2 minutes');
    expect(budgetStopReason(100, undefined, 2)).toBeNull(); // no generation yet to estimate from
    expect(budgetStopReason(1e6, 1e6, 0)).toBeNull(); // no budget

    await initBackend({ backend: 'cpu', quiet: true });
    const dir = tmp();
    const events = new PipelineEvents();
    let reason = '';
    events.on('run:end', (e) => (reason = e.reason));
    const p = await Pipeline.create({ runDir: dir, config: tinyConfig({ mode: 'alphazero', evalGames: 0, strengthGames: 0 }), events });
    await p.generation();
    const last = p.state.lastGenerationSec!;
    expect(last).toBeGreaterThan(0);
    // The checkpoint on disk has it too, for a resumed run's first decision.
    const saved = await loadCheckpoint(dir);
    saved.current.model.dispose();
    saved.best.model.dispose();
    expect(saved.state.lastGenerationSec).toBe(last);
    // Half a generation left in the budget: run() must not start generation 2 (the old check, "minutes
    // reached?", would have).
    p.config.minutes = (p.state.elapsedSec + last / 2) / 60;
    await p.run();
    p.dispose();
    expect(p.state.generation).toBe(1);
    expect(reason).toMatch(/another generation .* would end past the .*-minute limit/);
  });

  it('holds tf.memory().numTensors flat across generations', async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    const p = await Pipeline.create({ runDir: tmp(), config: tinyConfig({ generations: 4, mode: 'alphazero' }) });
    await p.generation();
    await p.generation();
    const after2 = tf.memory().numTensors;
    await p.generation();
    await p.generation();
    expect(tf.memory().numTensors).toBe(after2);
    await p.close();
    p.dispose();
  });

  it('a new run with initModel starts from that net, and refuses a net of another shape', async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    const first = tmp();
    const a = await Pipeline.create({ runDir: first, config: tinyConfig({ generations: 1 }) });
    await a.run();
    const trained = Array.from(getWeightBlob(a.current).data);
    await saveNet(join(first, 'net'), a.spec, a.current);
    a.dispose();
    const b = await Pipeline.create({ runDir: tmp(), config: tinyConfig({ generations: 1, seed: 99, initModel: join(first, 'net') }) });
    expect(Array.from(getWeightBlob(b.current).data)).toEqual(trained);
    expect(Array.from(getWeightBlob(b.best).data)).toEqual(trained);
    b.dispose();
    const fresh = await Pipeline.create({ runDir: tmp(), config: tinyConfig({ generations: 1, seed: 99 }) });
    expect(Array.from(getWeightBlob(fresh.current).data)).not.toEqual(trained);
    fresh.dispose();
    await expect(Pipeline.create({ runDir: tmp(), config: tinyConfig({ filters: 24, initModel: join(first, 'net') }) })).rejects.toThrow(/mlp 1x16.*needs mlp 1x24/);
    await expect(Pipeline.create({ runDir: tmp(), config: tinyConfig({ initModel: join(first, 'nowhere') }) })).rejects.toThrow(/no net found/);
  });

  it('a resnet with the convolutional policy head trains and resumes; a run saved before the head existed resumes with the dense head it was built with', async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    const conv = tmp();
    const cfg = (over: Partial<AZConfig>): AZConfig => tinyConfig({ arch: 'resnet', blocks: 1, filters: 8, mode: 'alphazero', evalGames: 0, strengthGames: 0, ...over });
    const a = await Pipeline.create({ runDir: conv, config: cfg({ generations: 1, policyHead: 'conv' }) });
    await a.run();
    expect(a.spec.policyHead).toBe('conv');
    a.dispose();
    const a2 = await Pipeline.create({ runDir: conv, config: cfg({ generations: 2 }), resume: true });
    expect(a2.config.policyHead).toBe('conv');
    await a2.run();
    expect(a2.state.generation).toBe(2);
    a2.dispose();
    await expect(Pipeline.create({ runDir: tmp(), config: cfg({ initModel: conv }) })).rejects.toThrow(/its net is resnet 1x8 conv-head .* needs resnet 1x8 dense-head/);

    const legacy = tmp();
    // Go, whose default head is now 'conv': the saved run's net has the dense head
    const go = { game: 'go', gameParams: { size: 5 } };
    const b = await Pipeline.create({ runDir: legacy, config: cfg({ ...go, generations: 1, policyHead: 'dense' }) });
    await b.run();
    b.dispose();
    const statePath = join(legacy, 'checkpoint', 'state.json');
    const st = JSON.parse(readFileSync(statePath, 'utf8')) as { config: Record<string, unknown> };
    delete st.config['policyHead'];
    writeFileSync(statePath, JSON.stringify(st));
    const b2 = await Pipeline.create({ runDir: legacy, config: cfg({ ...go, generations: 2 }), resume: true });
    expect(b2.spec.policyHead).toBe('dense');
    await b2.run();
    expect(b2.state.generation).toBe(2);
    b2.dispose();
  });

  for (const overlap of [false, true]) {
  it(`a killed run resumed from its directory ends with the same buffer, counters and weights${overlap ? ' (overlapped self-play in a worker)' : ''}`, async () => {
    const gens = 3;
    const straight = tmp();
    const killed = tmp();
    const child = (dir: string, resume: boolean, killAfter?: number): Promise<void> =>
      new Promise((resolve, reject) => {
        const c = spawn(process.execPath, ['--import', 'tsx', join(here, 'tiny-run.ts'), dir, String(gens), resume ? 'resume' : ''], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
        let err = '';
        c.stderr.on('data', (d: Buffer) => (err += d.toString()));
        c.stdout.on('data', (d: Buffer) => {
          // Kill mid-run, right after a checkpoint, while the next generation is under way.
          if (killAfter !== undefined && d.toString().includes(`checkpoint ${killAfter}`)) setTimeout(() => c.kill('SIGKILL'), 30);
        });
        c.on('exit', (code, sig) => (code === 0 || sig === 'SIGKILL' ? resolve() : reject(new Error(`child failed (${code}): ${err}`))));
      });
    await child(straight, false);
    await child(killed, false, 1);
    const partial = JSON.parse(readFileSync(join(killed, 'checkpoint', 'state.json'), 'utf8')) as { generation: number };
    expect(partial.generation).toBeLessThan(gens);
    await child(killed, true);
    await initBackend({ backend: 'cpu', quiet: true });
    const a = await snapshot(straight);
    const b = await snapshot(killed);
    expect(b.state).toEqual(a.state);
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    expect(b.current).toEqual(a.current);
    expect(b.best).toEqual(a.best);
    if (overlap) {
      const games = (dir: string): string => readFileSync(join(dir, 'games', 'gen-000003.jsonl'), 'utf8');
      expect(games(killed)).toBe(games(straight));
    }
  });
  }

  it('overlapped self-play plays generation g+1 with the net of generation g-1, while generation g trains', async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    const dir = tmp();
    const cfg = tinyConfig({ generations: 3, workers: 1, overlapSelfPlay: true, mode: 'alphazero', evalGames: 0, strengthGames: 0 });
    const events = new PipelineEvents();
    // Generation 2's games are handed to the worker before generation 1 trains. (Not the workers'
    // game:start messages: those arrive when they arrive, possibly after a tiny training round.)
    const order: string[] = [];
    events.on('selfplay:start', (e) => order.push(`start ${e.generation}`));
    events.on('train:batch', () => order.push('training'));
    events.on('train:done', (e) => order.push(`trained ${e.generation}`));
    const p = await Pipeline.create({ runDir: dir, config: cfg, events, backend: 'cpu' });
    const initial = await saveInitial(p, join(dir, 'initial'));
    await p.run();
    p.dispose();
    expect(order.indexOf('start 2')).toBeGreaterThan(-1);
    expect(order.indexOf('start 2')).toBeLessThan(order.indexOf('trained 1'));
    expect(order.indexOf('start 3')).toBeLessThan(order.indexOf('trained 2'));
    // ...and before the first batch of that training, not after it.
    expect(order.indexOf('start 2')).toBeLessThan(order.indexOf('training'));
    expect(order.indexOf('start 3')).toBeLessThan(order.indexOf('training', order.indexOf('trained 1')));
    const game = makeGame(cfg.game, cfg.gameParams);
    const settings: SelfPlaySettings = {
      simulations: cfg.simulations, cPuct: cfg.cPuct, dirichletAlpha: cfg.dirichletAlpha, dirichletEpsilon: cfg.dirichletEpsilon, mctsBatchSize: cfg.mctsBatchSize,
      virtualLoss: cfg.virtualLoss, temperatureMoves: cfg.temperatureMoves, reuseTree: cfg.reuseTree, fastSimulations: cfg.fastSimulations,
      fullSearchFraction: cfg.fullSearchFraction, resignThreshold: null, resignCheckFraction: cfg.resignCheckFraction,
    };
    const replay = async (netDir: string, g: number): Promise<number[][]> => {
      const net = await loadNet(netDir);
      const ev = await createBestEvaluatorWithReason(game, net.model, { prefer: cfg.inference });
      const indices = Array.from({ length: cfg.gamesPerGeneration }, (_, k) => (g - 1) * cfg.gamesPerGeneration + k);
      const { games } = await playSelfPlayGames(game, ev.evaluator, settings, cfg.seed, g, indices, cfg.concurrentGames, {});
      await (ev.evaluator as { dispose?: () => Promise<void> }).dispose?.();
      net.model.dispose();
      return games.map((x) => x.moves);
    };
    const played = (g: number): number[][] =>
      readFileSync(join(dir, 'games', `gen-00000${g}.jsonl`), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { actions: number[] }).actions);
    expect(await replay(initial, 1)).toEqual(played(1));
    expect(await replay(initial, 2)).toEqual(played(2));
    expect(await replay(join(dir, 'models', 'gen-000001'), 3)).toEqual(played(3));
    // ...and not with the newer net a sequential run would use.
    expect(await replay(join(dir, 'models', 'gen-000002'), 3)).not.toEqual(played(3));
  });

  it('plays the same games in a worker thread as in the main thread', async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    const runs = [];
    for (const workers of [0, 1]) {
      const dir = tmp();
      const p = await Pipeline.create({ runDir: dir, config: tinyConfig({ generations: 1, workers, evalGames: 0, strengthGames: 0 }), backend: 'cpu' });
      await p.run();
      p.dispose();
      runs.push(readFileSync(join(dir, 'games', 'gen-000001.jsonl'), 'utf8'));
    }
    expect(runs[1]).toBe(runs[0]);
  });

  for (const workers of [0, 1]) {
    it(`pause holds self-play (${workers ? 'in a worker' : 'in this thread'}) until resumed, streams live moves, and a snapshot saves a loadable net`, async () => {
      await initBackend({ backend: 'cpu', quiet: true });
      const dir = tmp();
      const events = new PipelineEvents();
      const p = await Pipeline.create({ runDir: dir, config: tinyConfig({ generations: 1, workers, evalGames: 0, strengthGames: 0 }), events, backend: 'cpu' });
      let moves = 0;
      let withCandidates = 0;
      events.on('game:move', (e) => {
        moves++;
        if (e.candidates && e.candidates.length > 0 && e.candidates[0]!.share > 0) withCandidates++;
        if (moves === 3) p.setPaused(true);
      });
      const run = p.run();
      const deadline = Date.now() + 20_000;
      while (moves < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(p.paused).toBe(true);
      await new Promise((r) => setTimeout(r, 400));
      const held = moves;
      await new Promise((r) => setTimeout(r, 400));
      // Games already past the check may land one move each; then nothing moves while paused.
      expect(moves).toBe(held);
      expect(p.state.generation).toBe(0);
      p.setPaused(false);
      await run;
      expect(p.state.generation).toBe(1);
      expect(moves).toBeGreaterThan(held);
      expect(withCandidates).toBe(moves);
      const snap = await p.saveSnapshot();
      expect(existsSync(join(snap, 'model.json'))).toBe(true);
      p.dispose();
    });
  }
});
