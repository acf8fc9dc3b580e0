/**
 * `tengen watch --cluster redis://host:6379/0`: attach the self-play dashboard to a running
 * cluster. The trainer's events come from the cluster's event stream (the same events the local
 * dashboard gets), and a worker table shows each worker's host, games/min, net version and when
 * it was last seen. Watching is read-only: it never pauses or stops the run.
 */
import type { Command } from 'commander';
import { UserError } from '../util/errors.ts';
import { loadInk } from '../../tui/load-ink.ts';

export interface WatchFlags {
  cluster?: string;
  tui?: boolean;
  /** Leave after this many seconds (default: until Ctrl-C). */
  seconds?: string;
  /** Seconds between worker tables in line mode (default 10). */
  interval?: string;
}

export async function runWatch(f: WatchFlags, out: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<void> {
  if (!f.cluster) throw new UserError('watch: --cluster <redis-url> is required, e.g. --cluster redis://10.0.0.5:6379/0');
  const seconds = f.seconds === undefined ? 0 : Number(f.seconds);
  if (!Number.isFinite(seconds) || seconds < 0) throw new UserError(`--seconds ${f.seconds}: expected a number of seconds >= 0`);
  const interval = f.interval === undefined ? 10 : Number(f.interval);
  if (!Number.isFinite(interval) || interval <= 0) throw new UserError(`--interval ${f.interval}: expected a number of seconds > 0`);
  const { parseRedisUrl, redactUrl } = await import('../cluster/redis-url.ts');
  const target = parseRedisUrl(f.cluster);
  const { Redis } = await import('../cluster/redis.ts');
  const { subscribeEvents, readWorkers, formatWorkers } = await import('../cluster/events.ts');
  const { PipelineEvents, attachProgressPrinter } = await import('../agents/alphazero/events.ts');
  let redis: InstanceType<typeof Redis>;
  try {
    redis = await new Redis(target).open();
  } catch (e) {
    throw new UserError(`watch: cannot reach the cluster at ${redactUrl(target)}: ${(e as Error).message.replace(/^Connection closed: /, '')}`);
  }
  const events = new PipelineEvents();
  const tui = f.tui ?? (process.stdout.isTTY === true && process.stdin.isTTY === true);
  let stop: () => void = () => {};
  const done = new Promise<void>((r) => (stop = r));
  const onSignal = (): void => stop();
  process.on('SIGINT', onSignal);
  const timer = seconds > 0 ? setTimeout(stop, seconds * 1000) : null;
  // Malformed heartbeats are skipped; their reasons go to the line output (the dashboard has no log for them).
  const workers = async (): Promise<string> => {
    try {
      return formatWorkers(await readWorkers(redis, tui ? () => {} : out));
    } catch (e) {
      return `workers: ${(e as Error).message}`;
    }
  };
  try {
    if (tui) {
      await watchDashboard(events, workers, done, stop, () => subscribeEvents(target, events, () => {}));
    } else {
      out(`watching the cluster at ${redactUrl(target)} (Ctrl-C to leave; the run goes on)`);
      const offPrint = attachProgressPrinter(events, out, interval);
      const sub = subscribeEvents(target, events, out);
      out(await workers());
      const table = setInterval(() => void workers().then(out), interval * 1000);
      await done;
      clearInterval(table);
      offPrint();
      await sub.stop();
    }
  } finally {
    if (timer) clearTimeout(timer);
    process.off('SIGINT', onSignal);
    redis.close();
  }
}

async function watchDashboard(
  events: import('../agents/alphazero/events.ts').PipelineEvents,
  workers: () => Promise<string>,
  done: Promise<void>,
  stop: () => void,
  subscribe: () => { stop(): Promise<void> },
): Promise<void> {
  const React = await import('react');
  const { render, Box, Text } = await loadInk();
  const { Dashboard } = await import('../../tui/dashboard.tsx');
  const { boardRenderer } = await import('./selfplay.ts');
  const { makeGame } = await import('../agents/alphazero/games.ts');
  let renderBoard: ((moves: readonly string[]) => string) | null = null;
  events.on('run:start', (e) => {
    try {
      renderBoard = boardRenderer(makeGame(e.game, (e.config['gameParams'] ?? {}) as Record<string, unknown>));
    } catch {
      renderBoard = null;
    }
  });
  const WorkerTable = (): React.JSX.Element => {
    const [text, setText] = React.useState('reading workers...');
    React.useEffect(() => {
      const tick = (): void => void workers().then(setText);
      tick();
      const t = setInterval(tick, 2000);
      return () => clearInterval(t);
    }, []);
    return React.createElement(Box, { flexDirection: 'column', marginTop: 1 }, React.createElement(Text, { bold: true }, 'Workers'), React.createElement(Text, null, text));
  };
  const controls = {
    togglePause: (): boolean => false,
    saveNow: async (): Promise<string> => 'watch is read-only: save from the trainer',
    quit: async (): Promise<void> => stop(),
  };
  const sub = subscribe();
  const app = render(
    React.createElement(Box, { flexDirection: 'column' },
      React.createElement(Dashboard, { events, controls, renderBoard: (moves: readonly string[]) => (renderBoard ? renderBoard(moves) : moves.join(' ')) }),
      React.createElement(WorkerTable)),
    { exitOnCtrlC: false },
  );
  await Promise.race([done, app.waitUntilExit()]);
  app.unmount();
  await sub.stop();
}

export function register(program: Command): void {
  program
    .command('watch')
    .description('attach the self-play dashboard to a running cluster (read-only), with a table of its workers')
    .option('--cluster <redis-url>', 'the cluster: redis://[:password@]host[:6379][/db]')
    .option('--seconds <s>', 'leave after s seconds (default: until Ctrl-C or q)')
    .option('--interval <s>', 'line mode: seconds between progress lines and worker tables (default 10)')
    .option('--tui', 'live dashboard (the default in a terminal)')
    .option('--no-tui', 'plain progress lines and worker tables')
    .action(async (opts: WatchFlags) => {
      await runWatch(opts);
    });
}
