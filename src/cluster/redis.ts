/**
 * Connections to the cluster's Redis, through ioredis (the driver BullMQ is built on). BullMQ
 * gets connection options and makes its own clients; our direct commands (nets, events,
 * heartbeats) go through `Redis`. Both reconnect by themselves after Redis restarts, and commands
 * issued meanwhile wait in ioredis' offline queue (maxRetriesPerRequest: null) rather than fail.
 */
import { Redis as IORedis, type RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'bullmq';
import type { RedisTarget } from './redis-url.ts';

/** A reply as ioredis returns it for a raw command: strings, numbers, Buffers, null and arrays. */
export type RespValue = string | number | Buffer | null | RespValue[];

function options(t: RedisTarget): RedisOptions {
  return {
    host: t.host,
    port: t.port,
    db: t.db,
    ...(t.username ? { username: t.username } : {}),
    ...(t.password ? { password: t.password } : {}),
    // BullMQ needs these: blocking commands and commands queued across a reconnect must not time out.
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (attempt: number) => Math.min(2000, 100 * 2 ** Math.min(attempt, 5)),
  };
}

/** A connection for a BullMQ Queue or Worker (BullMQ creates and owns the ioredis clients). */
export function bullConnection(target: RedisTarget): ConnectionOptions {
  return options(target) as ConnectionOptions;
}

export class Redis {
  private readonly client: IORedis;
  private lastError = '';

  constructor(readonly target: RedisTarget) {
    this.client = new IORedis({ ...options(target), lazyConnect: true });
    // Connection errors are retried by the retry strategy; without a listener ioredis would print them.
    this.client.on('error', (e: Error) => (this.lastError = e.message));
  }

  /** Connect now (a clear error if Redis cannot be reached). */
  async open(): Promise<this> {
    try {
      await this.client.connect();
    } catch (e) {
      this.client.disconnect();
      throw new Error(`cannot reach Redis at ${this.target.host}:${this.target.port}: ${this.lastError || (e as Error).message}`);
    }
    return this;
  }

  cmd(cmd: string, ...args: (string | number | Buffer)[]): Promise<RespValue> {
    return this.client.call(cmd, ...args) as Promise<RespValue>;
  }

  /** As cmd, with bulk replies as Buffers (weights). */
  cmdBuffer(cmd: string, ...args: (string | number | Buffer)[]): Promise<RespValue> {
    return this.client.callBuffer(cmd, ...args) as Promise<RespValue>;
  }

  close(): void {
    this.client.disconnect();
  }
}
