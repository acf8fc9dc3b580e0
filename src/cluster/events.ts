/**
 * The event bridge for `tengen watch`: the trainer appends its pipeline events to a Redis stream
 * (tengen:events, capped), and a watcher reads the stream from the start (so charts show the run
 * so far) and re-emits every event on a local PipelineEvents, which the dashboard listens to as
 * if the run were in-process. Live moves (game:move) stay local: they are far too chatty.
 * Workers' heartbeats (tengen:workers) give the worker table.
 */
import { ALL_EVENTS, type PipelineEventMap, type PipelineEventName, type PipelineEvents } from '../agents/alphazero/events.ts';
import { Redis } from './redis.ts';
import type { RedisTarget } from './redis-url.ts';
import type { RespValue } from './redis.ts';
import { EVENTS_KEY, parseEnvelope, parseHeartbeat, parseJson, PROTOCOL_VERSION, WORKERS_KEY, type EventEnvelope, type Heartbeat } from './schema.ts';

const SKIP = new Set<PipelineEventName>(['game:move']);
/** Events kept in the stream (about the last few hours of a run). */
const STREAM_MAX = 20_000;

/** Publish every event of `events` to the cluster's stream; returns a function that detaches and flushes. */
export function publishEvents(events: PipelineEvents, redis: Redis, log: (m: string) => void = () => {}): () => Promise<void> {
  let chain = Promise.resolve();
  let warned = false;
  const off = events.onAny((name, payload) => {
    if (SKIP.has(name)) return;
    const env: EventEnvelope = { v: PROTOCOL_VERSION, name, payload };
    const text = JSON.stringify(env);
    chain = chain.then(async () => {
      try {
        await redis.cmd('XADD', EVENTS_KEY, 'MAXLEN', '~', STREAM_MAX, '*', 'e', text);
      } catch (e) {
        if (!warned) log(`cannot publish events to Redis (${(e as Error).message}); the run goes on`);
        warned = true;
      }
    });
  });
  return async () => {
    off();
    await chain;
  };
}

export interface EventSubscription {
  /** Events received and events rejected (bad schema), so far. */
  readonly counts: { received: number; rejected: number };
  stop(): Promise<void>;
}

/** Read the stream from the start and re-emit each event on `events` until stop(). */
export function subscribeEvents(target: RedisTarget, events: PipelineEvents, log: (m: string) => void = () => {}): EventSubscription {
  const redis = new Redis(target);
  const counts = { received: 0, rejected: 0 };
  let stopped = false;
  let lastId = '0';
  const loop = (async () => {
    while (!stopped) {
      let reply: RespValue;
      try {
        reply = await redis.cmd('XREAD', 'COUNT', 1000, 'BLOCK', 500, 'STREAMS', EVENTS_KEY, lastId);
      } catch (e) {
        if (stopped) return;
        log(`event stream: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      if (!Array.isArray(reply)) continue;
      for (const stream of reply) {
        const entries = Array.isArray(stream) ? stream[1] : null;
        if (!Array.isArray(entries)) continue;
        for (const entry of entries) {
          if (!Array.isArray(entry)) continue;
          lastId = String(entry[0]);
          const fields = entry[1];
          const text = Array.isArray(fields) ? fields[1] : undefined;
          try {
            const env = parseEnvelope(parseJson(String(text), 'event'), ALL_EVENTS);
            counts.received++;
            events.emit(env.name as PipelineEventName, env.payload as PipelineEventMap[PipelineEventName]);
          } catch (e) {
            counts.rejected++;
            log((e as Error).message);
          }
        }
      }
    }
  })();
  return {
    counts,
    async stop() {
      stopped = true;
      redis.close();
      await loop.catch(() => undefined);
    },
  };
}

/** The workers' latest heartbeats, newest first; malformed entries are skipped with a logged reason. */
export async function readWorkers(redis: Redis, log: (m: string) => void = () => {}): Promise<Heartbeat[]> {
  const r = await redis.cmd('HGETALL', WORKERS_KEY);
  const out: Heartbeat[] = [];
  if (!Array.isArray(r)) return out;
  for (let i = 0; i + 1 < r.length; i += 2) {
    try {
      out.push(parseHeartbeat(parseJson(String(r[i + 1]), 'worker heartbeat')));
    } catch (e) {
      log((e as Error).message);
    }
  }
  return out.sort((a, b) => b.lastSeen - a.lastSeen);
}

/** One table of workers: host, games/min, net version, last seen. */
export function formatWorkers(ws: readonly Heartbeat[], now = Date.now()): string {
  if (ws.length === 0) return 'no workers have reported yet (start one with: tengen worker --cluster <redis-url>)';
  const rows = [['worker', 'host', 'state', 'games', 'games/min', 'net', 'last seen']];
  for (const w of ws) {
    const ago = Math.max(0, Math.round((now - w.lastSeen) / 1000));
    rows.push([w.id, w.host, ago > 30 ? 'gone?' : w.state, String(w.games), w.gamesPerMin.toFixed(1), w.net ? `gen ${w.net.generation} ${w.net.hash.slice(0, 8)}` : '-', `${ago} s ago`]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((x, c) => x.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}
