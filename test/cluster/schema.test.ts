/** Message schemas, net encoding, Redis URLs and the RESP parser: no Redis needed. */
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeNet, encodeNet, fetchNet, netHash, storeNet } from '../../src/cluster/nets.ts';
import type { Redis } from '../../src/cluster/redis.ts';
import { parseRedisUrl, redactUrl } from '../../src/cluster/redis-url.ts';
import { encodeGame, parseAnyJob, parseEnvelope, parseJob, parseMatchJob, parseMatchResult, parseResult, PROTOCOL_VERSION, SchemaError, type MatchJob, type SelfPlayJob } from '../../src/cluster/schema.ts';
import { formatWorkers } from '../../src/cluster/events.ts';
import { register as registerWorker, resolveWorkerFlags } from '../../src/commands/worker.ts';
import { register as registerWatch, runWatch } from '../../src/commands/watch.ts';
import { UserError } from '../../src/util/errors.ts';
import type { PlayedGame } from '../../src/agents/alphazero/selfplay.ts';

const job: SelfPlayJob = {
  v: PROTOCOL_VERSION, kind: 'selfplay', runId: 'r1', game: 'tictactoe', gameParams: {}, spec: { arch: 'mlp', blocks: 1, filters: 8, inputShape: [3, 3, 3], numActions: 9 },
  settings: { simulations: 8, cPuct: 1.5, dirichletAlpha: 0, dirichletEpsilon: 0.25, mctsBatchSize: 4, virtualLoss: 1, temperatureMoves: 4, reuseTree: true, resignThreshold: null, resignCheckFraction: 0 },
  runSeed: 1, generation: 2, indices: [4, 5], concurrency: 2, net: { hash: 'a'.repeat(64), generation: 2 },
};

const game = (i: number): PlayedGame => ({
  generation: 2, gameIndex: i, moves: [4, 0], moveStrings: ['b2', 'a1'], returns: [0, 0], resigned: false, resignDisabled: true, minValue: [0.1, -0.2], final: 'x',
  positions: [{ obs: new Float32Array(27).fill(0.5), pi: new Float32Array(9).fill(1 / 9), player: 0, q: 0.25 }],
});

describe('cluster message schemas', () => {
  it('accepts a well-formed job and rejects other versions, kinds and shapes with the field named', () => {
    expect(parseJob(JSON.parse(JSON.stringify(job)))).toEqual(job);
    expect(() => parseJob({ ...job, v: 2 })).toThrow(/protocol version 2, this tengen speaks version 1/);
    expect(() => parseJob({ ...job, kind: 'eval' })).toThrow(/kind "eval"/);
    expect(() => parseJob({ ...job, indices: [] })).toThrow(/indices/);
    expect(() => parseJob({ ...job, indices: [1.5] })).toThrow(/indices/);
    expect(() => parseJob({ ...job, runId: 'a:b' })).toThrow(/runId/);
    expect(() => parseJob({ ...job, net: { hash: 'xyz', generation: 1 } })).toThrow(/hash/);
    expect(() => parseJob({ ...job, spec: { ...job.spec, arch: 'function(){}' } })).toThrow(/spec.arch/);
    expect(() => parseJob({ ...job, settings: { ...job.settings, simulations: 'many' } })).toThrow(/simulations must be a finite number/);
    expect(() => parseJob('{"v":1}')).toThrow(SchemaError);
  });

  it('round-trips games through a result and refuses games the job did not ask for', () => {
    const wire = { v: PROTOCOL_VERSION, kind: 'selfplay-result', worker: { id: 'w', host: 'h' }, net: job.net, games: [encodeGame('r1', game(4)), encodeGame('r1', game(5))], evals: 10, batches: 2, seconds: 1 };
    const { games, result } = parseResult(JSON.parse(JSON.stringify(wire)), job, 27, 9);
    expect(games.map((g) => g.gameIndex)).toEqual([4, 5]);
    expect(games[0]!.positions[0]!.obs).toEqual(new Float32Array(27).fill(0.5));
    expect(result.worker.id).toBe('w');
    expect(() => parseResult({ ...wire, games: [encodeGame('r1', game(6))] }, job, 27, 9)).toThrow(/game 6 was not asked for/);
    expect(() => parseResult({ ...wire, games: [{ ...encodeGame('r1', game(4)), id: 'other/2/4' }] }, job, 27, 9)).toThrow(/has id/);
    expect(() => parseResult(wire, job, 28, 9)).toThrow(/holds 27 floats, expected 28/);
    expect(() => parseResult({ ...wire, v: 0 }, job, 27, 9)).toThrow(/protocol version 0/);
  });

  it('reads evaluation match jobs and checks their results game by game', () => {
    const m: MatchJob = {
      v: PROTOCOL_VERSION, kind: 'match', runId: 'r1', game: 'tictactoe', gameParams: {}, spec: job.spec,
      agent: { simulations: 8, cPuct: 1.5, mctsBatchSize: 4, virtualLoss: 1, temperatureMoves: 2 }, seed: 5, generation: 3, indices: [2, 3], concurrency: 2,
      a: { hash: 'a'.repeat(64), generation: 3 }, b: { hash: 'b'.repeat(64), generation: 3 },
    };
    expect(parseMatchJob(JSON.parse(JSON.stringify(m)))).toEqual(m);
    expect(parseAnyJob(JSON.parse(JSON.stringify(m)))).toEqual(m);
    expect(parseAnyJob(JSON.parse(JSON.stringify(job)))).toEqual(job);
    expect(() => parseMatchJob({ ...m, b: { hash: 'nothex', generation: 3 } })).toThrow(/hash/);
    expect(() => parseMatchJob({ ...m, agent: { ...m.agent, simulations: -1 } })).toThrow(/simulations must be >= 0/);
    const res = { v: PROTOCOL_VERSION, kind: 'match-result', worker: { id: 'w1', host: 'h' }, seconds: 1, games: [
      { index: 2, aPlayer: 0, aReturn: 1, moves: [4, 0, 1] },
      { index: 3, aPlayer: 1, aReturn: 0, moves: [4] },
    ] };
    expect(parseMatchResult(JSON.parse(JSON.stringify(res)), m, 9).games.map((g) => g.index)).toEqual([2, 3]);
    expect(() => parseMatchResult({ ...res, games: res.games.slice(0, 1) }, m, 9)).toThrow(/do not match the job's 2,3/);
    expect(() => parseMatchResult({ ...res, games: [res.games[0], { ...res.games[1], aPlayer: 0 }] }, m, 9)).toThrow(/aPlayer must be 1/);
    expect(() => parseMatchResult({ ...res, games: [res.games[0], { ...res.games[1], aReturn: 7 }] }, m, 9)).toThrow(/outside \[-1, 1\]/);
    expect(() => parseMatchResult({ ...res, games: [res.games[0], { ...res.games[1], moves: [9] }] }, m, 9)).toThrow(/action numbers/);
    expect(() => parseMatchResult({ ...res, kind: 'selfplay-result' }, m, 9)).toThrow(/kind/);
  });

  it('accepts only known events', () => {
    expect(parseEnvelope({ v: 1, name: 'log', payload: { message: 'hi' } }, ['log']).name).toBe('log');
    expect(() => parseEnvelope({ v: 1, name: 'constructor', payload: {} }, ['log'])).toThrow(/unknown event/);
  });

  it('names nets by the hash of their bytes and refuses bytes that do not match', () => {
    const blob = { shapes: [[2, 3], [3]], data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]) };
    const bytes = encodeNet(blob);
    const hash = netHash(bytes);
    expect(decodeNet(bytes, hash)).toEqual(blob);
    const bad = Buffer.from(bytes);
    bad[bad.length - 2]! ^= 1;
    expect(() => decodeNet(bad, hash)).toThrow(/does not match its name/);
    expect(() => decodeNet(bytes.subarray(0, bytes.length - 4), netHash(bytes.subarray(0, bytes.length - 4)))).toThrow(/holds 8 floats, its shapes need 9/);
  });

  it('publishes nets to a shared directory, reads them back checked, and falls back to Redis', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tengen-netdir-'));
    const calls: string[] = [];
    const redis = { cmdBuffer: async (...a: unknown[]) => (calls.push(String(a[0])), null), cmd: async () => { throw new Error('no Redis writes with a net dir'); } } as unknown as Redis;
    try {
      const blob = { shapes: [[4]], data: Float32Array.from([1, 2, 3, 4]) };
      const hash = await storeNet(redis, blob, dir);
      expect(readFileSync(join(dir, `${hash}.net`))).toEqual(encodeNet(blob));
      expect(await fetchNet(redis, hash, dir)).toEqual(blob);
      expect(calls).toEqual([]);
      const bytes = readFileSync(join(dir, `${hash}.net`));
      bytes[bytes.length - 1]! ^= 1;
      writeFileSync(join(dir, `${hash}.net`), bytes);
      await expect(fetchNet(redis, hash, dir)).rejects.toThrow(/does not match its name/);
      await expect(fetchNet(redis, 'b'.repeat(64), dir)).rejects.toThrow(/not found in .*bbbb\.net nor in Redis/);
      expect(calls).toEqual(['GET']);
      await expect(fetchNet(redis, '../../etc/passwd', dir)).rejects.toThrow(/bad hash/);
      await expect(resolveWorkerFlags({ cluster: 'redis://h', netDir: join(dir, 'missing') })).rejects.toThrow(/--net-dir .*missing: not a directory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('formats the worker table', () => {
    const t = formatWorkers([{ v: 1, id: 'w1', host: 'box', pid: 1, state: 'playing', games: 12, gamesPerMin: 3.25, net: { hash: 'ab'.repeat(32), generation: 3 }, concurrency: 1, threads: 0, lastSeen: 1000 }], 3000);
    expect(t).toMatch(/^worker\s+host\s+state\s+games\s+games\/min\s+net\s+last seen\nw1\s+box\s+playing\s+12\s+3\.3\s+gen 3 abababab\s+2 s ago$/);
  });
});

describe('Redis URLs and replies', () => {
  it('parses redis:// URLs and rejects others with a clear error', () => {
    expect(parseRedisUrl('redis://10.0.0.5:6380/2')).toEqual({ host: '10.0.0.5', port: 6380, db: 2 });
    expect(parseRedisUrl('redis://:s%40cret@host')).toEqual({ host: 'host', port: 6379, db: 0, password: 's@cret' });
    expect(redactUrl(parseRedisUrl('redis://:pw@h:1/0'))).toBe('redis://:***@h:1/0');
    expect(() => parseRedisUrl('localhost:6379')).toThrow(UserError);
    expect(() => parseRedisUrl('http://h:6379')).toThrow(/unsupported scheme 'http'/);
    expect(() => parseRedisUrl('redis://h:6379/x')).toThrow(/bad database 'x'/);
    expect(() => parseRedisUrl('redis://h:6379/99')).toThrow(/bad database/);
    expect(() => parseRedisUrl('not a url')).toThrow(/not a URL/);
  });
});

describe('worker and watch commands', () => {
  const parse = async (register: (p: Command) => void, args: string[]): Promise<void> => {
    const p = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    register(p);
    await p.parseAsync(args, { from: 'user' });
  };

  it('refuse missing or bad URLs and flags with a UserError', async () => {
    await expect(parse(registerWorker, ['worker'])).rejects.toThrow(/--cluster <redis-url> is required/);
    await expect(parse(registerWorker, ['worker', '--cluster', 'http://x'])).rejects.toThrow(UserError);
    await expect(resolveWorkerFlags({ cluster: 'redis://h', concurrency: '0' })).rejects.toThrow(/--concurrency 0: expected a whole number from 1 to 64/);
    await expect(resolveWorkerFlags({ cluster: 'redis://h', threads: 'two' })).rejects.toThrow(/--threads two/);
    await expect(resolveWorkerFlags({ cluster: 'redis://h', inference: 'gpu' })).rejects.toThrow(/--inference gpu/);
    await expect(resolveWorkerFlags({ cluster: 'redis://h', id: 'a b' })).rejects.toThrow(/--id a b/);
    expect(await resolveWorkerFlags({ cluster: 'redis://h:7/1', concurrency: '3', threads: '2' })).toMatchObject({ target: { host: 'h', port: 7, db: 1 }, concurrency: 3, threads: 2 });
    await expect(parse(registerWatch, ['watch', '--no-tui'])).rejects.toThrow(/--cluster <redis-url> is required/);
    await expect(runWatch({ cluster: 'redis://h', seconds: '-1', tui: false })).rejects.toThrow(/--seconds -1/);
    // Nothing listens on port 1: a clear error, not a hang.
    await expect(runWatch({ cluster: 'redis://127.0.0.1:1/0', tui: false })).rejects.toThrow(/cannot reach the cluster at redis:\/\/127\.0\.0\.1:1\/0/);
  });
});
