/** Redis URLs for --cluster: parse and validate, and print without the password. */
import { UserError } from '../util/errors.ts';

export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
}

/** Parse redis://[[user]:password@]host[:port][/db] (UserError on anything else). */
export function parseRedisUrl(url: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`--cluster ${url}: not a URL; expected redis://[:password@]host[:6379][/db], e.g. redis://127.0.0.1:6379/0`);
  }
  if (u.protocol !== 'redis:') throw new UserError(`--cluster ${url}: unsupported scheme '${u.protocol.replace(/:$/, '')}'; expected redis:// (TLS is not supported)`);
  if (!u.hostname) throw new UserError(`--cluster ${url}: no host; expected redis://host:6379/0`);
  const port = u.port ? Number(u.port) : 6379;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UserError(`--cluster ${url}: bad port '${u.port}'`);
  const path = u.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!/^\d*$/.test(path) || !Number.isInteger(db) || db < 0 || db > 15) throw new UserError(`--cluster ${url}: bad database '${path}'; expected a number 0..15 after the host`);
  if (u.search || u.hash) throw new UserError(`--cluster ${url}: query strings and fragments are not supported`);
  const t: RedisTarget = { host: u.hostname.replace(/^\[|\]$/g, ''), port, db };
  if (u.password) t.password = decodeURIComponent(u.password);
  if (u.username) t.username = decodeURIComponent(u.username);
  return t;
}

/** The URL without its password, for logs. */
export function redactUrl(t: RedisTarget): string {
  return `redis://${t.password ? ':***@' : ''}${t.host}:${t.port}/${t.db}`;
}
