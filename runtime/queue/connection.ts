// Connections to the Redis server behind the queue. BullMQ's ESM build cannot load ioredis by
// itself, so every connection is an ioredis client made here; blocking commands (the worker's
// wait for jobs) need `maxRetriesPerRequest: null`. An unreachable server is one clear error.
import { Redis } from 'ioredis';

export class QueueError extends Error {}

/** Default BullMQ queue name; `--queue-name` picks another (several sweeps on one server). */
export const DEFAULT_QUEUE_NAME = 'subnet';

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

export function checkQueueUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QueueError(`--queue: expected redis://HOST:PORT, got \`${url}\``);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new QueueError(`--queue: expected redis://HOST:PORT or rediss://…, got \`${redactUrl(url)}\``);
  if (!u.hostname) throw new QueueError(`--queue: no host in \`${redactUrl(url)}\``);
  return u;
}

export function checkQueueName(name: string): string {
  // BullMQ keys are `bull:<name>:…`; a colon would make them ambiguous.
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new QueueError(`--queue-name: use letters, digits, \`_\`, \`-\` and \`.\` only, got \`${name}\``);
  return name;
}

export interface ConnectOptions {
  /** Where connection problems after the first connect are reported (a worker's log). */
  onError?: (message: string) => void;
  connectTimeoutMs?: number;
}

/** A connected client, or a QueueError naming the server. */
export async function connectRedis(url: string, opts: ConnectOptions = {}): Promise<Redis> {
  checkQueueUrl(url);
  let last = '';
  let connected = false;
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    connectTimeout: opts.connectTimeoutMs ?? 5000,
    // After the first connect, keep trying (a server restart must not kill long-lived workers).
    retryStrategy: (times) => (connected ? Math.min(250 * times, 5000) : null),
  });
  client.on('error', (e: Error) => {
    last = e.message;
    if (connected) opts.onError?.(`redis ${redactUrl(url)}: ${e.message}`);
  });
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    client.disconnect();
    throw new QueueError(`cannot reach Redis at ${redactUrl(url)}: ${last || (e instanceof Error ? e.message : String(e))}`);
  }
  connected = true;
  return client;
}

export async function closeRedis(client: Redis): Promise<void> {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
