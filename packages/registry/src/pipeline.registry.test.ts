import http from 'node:http';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  pushTestImage,
  skopeoDigest,
  startRegistry,
  type LocalRegistry,
  type PushedImage,
} from '@relkit/testkit';
import { RegistryClient } from './client.js';

// HTTP/1.1 pipelining (pipeline.ts) against the real registry (distribution, Go's net/http):
// a retag in two round trips on one connection, every digest check kept, and the fallbacks
// when a server does not pipeline. The fronts below listen on 127.0.0.1 only.

let registry: LocalRegistry;
let a: PushedImage;
let b: PushedImage;
const fronts: net.Server[] = [];
const sockets = new Set<net.Socket>();
const track = (...s: net.Socket[]) => {
  for (const one of s) {
    sockets.add(one);
    one.on('close', () => sockets.delete(one));
  }
};

beforeAll(async () => {
  registry = await startRegistry({ auth: 'none' });
  a = await pushTestImage(registry, { repository: 'acme/app', tag: '1.0.0', seed: 'pipe-a' });
  b = await pushTestImage(registry, { repository: 'acme/app', tag: '2.0.0', seed: 'pipe-b' });
});
afterEach(async () => {
  for (const s of sockets) s.destroy();
  for (const s of fronts.splice(0)) await new Promise((r) => s.close(r));
});
afterAll(async () => {
  await registry?.stop();
});

const port = (s: net.Server) => (s.address() as net.AddressInfo).port;

/**
 * A TCP relay in front of the registry that passes bytes unchanged and records, per connection,
 * the direction of each chunk: a round trip is a wave of requests followed by answers.
 */
async function relay(): Promise<{ host: string; connections: () => number; roundTrips: () => number }> {
  const flows: string[][] = [];
  const server = net.createServer((client) => {
    const flow: string[] = [];
    flows.push(flow);
    const up = net.connect(Number(registry.host.split(':')[1]), '127.0.0.1');
    track(client, up);
    client.on('data', (c) => {
      flow.push('request');
      up.write(c);
    });
    up.on('data', (c) => {
      flow.push('answer');
      client.write(c);
    });
    client.on('end', () => up.end());
    up.on('end', () => client.end());
    client.on('error', () => up.destroy());
    up.on('error', () => client.destroy());
  });
  fronts.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    host: `127.0.0.1:${port(server)}`,
    connections: () => flows.length,
    roundTrips: () =>
      flows.reduce((n, f) => n + f.filter((d, i) => d === 'request' && f[i - 1] !== 'request').length, 0),
  };
}

/**
 * A server that does not pipeline, in front of the registry: it reads one request, answers it,
 * and either closes the connection (`close`, saying `Connection: close`) or keeps it open but
 * drops whatever arrived while it was busy (`drop`). Every request it answers is logged.
 */
async function oneAtATime(
  mode: 'close' | 'drop',
): Promise<{ host: string; log: string[]; connections: () => number }> {
  const log: string[] = [];
  let connections = 0;
  const server = net.createServer((client) => {
    connections++;
    track(client);
    let busy = false;
    client.on('error', () => undefined);
    client.on('data', (chunk: Buffer) => {
      if (busy) return; // pipelined behind the request being answered: dropped
      const end = chunk.indexOf('\r\n\r\n');
      const head = chunk.subarray(0, end).toString('latin1').split('\r\n');
      const [method, path] = head[0]!.split(' ');
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const at = line.indexOf(':');
        headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      const body = chunk.subarray(end + 4, end + 4 + length);
      busy = true;
      log.push(`${method} ${path}`);
      const up = http.request(
        { host: '127.0.0.1', port: Number(registry.host.split(':')[1]), method, path, headers },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => {
            const bytes = Buffer.concat(parts);
            let out = `HTTP/1.1 ${res.statusCode} X\r\n`;
            for (const [k, v] of Object.entries(res.headers)) {
              if (k === 'transfer-encoding' || k === 'connection' || k === 'content-length') continue;
              for (const one of Array.isArray(v) ? v : [v]) out += `${k}: ${one}\r\n`;
            }
            const length = method === 'HEAD' ? (res.headers['content-length'] ?? '0') : String(bytes.length);
            out += `content-length: ${length}\r\n${mode === 'close' ? 'connection: close\r\n' : ''}\r\n`;
            client.write(
              Buffer.concat([Buffer.from(out, 'latin1'), method === 'HEAD' ? Buffer.alloc(0) : bytes]),
            );
            if (mode === 'close') client.end();
            else busy = false;
          });
        },
      );
      up.end(body);
    });
  });
  fronts.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { host: `127.0.0.1:${port(server)}`, log, connections: () => connections };
}

describe('pipelining against the real registry', () => {
  it('retags in two round trips on one connection: HEAD and GET together, the read-back behind the PUT', async () => {
    const front = await relay();
    const client = new RegistryClient({ proxyEnv: false });
    const moved = await client.retag(`${front.host}/acme/app:1.0.0`, 'piped');
    expect(moved).toMatchObject({ changed: true, digest: a.digest, previousDigest: undefined });
    expect(front.connections()).toBe(1);
    expect(front.roundTrips()).toBe(2);
    // HEAD ‖ GET, PUT, HEAD read-back: the read-back saw the new digest, no fifth request.
    expect(client.stats.requests).toBe(4);
    expect(await skopeoDigest(registry, 'acme/app:piped')).toBe(a.digest);

    // Moving it again: the read-back sees the new digest, not the one before.
    const again = await client.retag(`${front.host}/acme/app:2.0.0`, 'piped');
    expect(again).toMatchObject({ changed: true, digest: b.digest, previousDigest: a.digest });
    expect(client.stats.requests).toBe(8);
    expect(front.connections()).toBe(1);
    expect(await skopeoDigest(registry, 'acme/app:piped')).toBe(b.digest);
  });

  it('falls back when the server answers one request per connection (Connection: close)', async () => {
    const front = await oneAtATime('close');
    const client = new RegistryClient({ proxyEnv: false });
    const moved = await client.retag(`${front.host}/acme/app:1.0.0`, 'one-each');
    expect(moved).toMatchObject({ changed: true, digest: a.digest });
    expect(await skopeoDigest(registry, 'acme/app:one-each')).toBe(a.digest);
    // Every request answered on its own connection; the pipelined HEAD went out again.
    expect(front.connections()).toBe(front.log.length);
    expect(front.log.filter((l) => l.startsWith('PUT'))).toHaveLength(1);
    expect(front.log.at(-1)).toBe('HEAD /v2/acme/app/manifests/one-each');
  });

  it('falls back when the server drops pipelined requests: the one that times out goes again, alone', async () => {
    const front = await oneAtATime('drop');
    const client = new RegistryClient({ proxyEnv: false, timeoutMs: 1500, backoffBaseMs: 10 });
    const moved = await client.retag(`${front.host}/acme/app:2.0.0`, 'dropped');
    expect(moved).toMatchObject({ changed: true, digest: b.digest });
    expect(await skopeoDigest(registry, 'acme/app:dropped')).toBe(b.digest);
    // The HEAD pipelined behind the GET was dropped: it timed out and went again.
    expect(client.stats.retries).toBe(1);
    expect(front.log.filter((l) => l === 'HEAD /v2/acme/app/manifests/dropped')).toHaveLength(2);
    // After the timeout the origin is not pipelined to: PUT, then the read-back after its answer.
    expect(front.log.slice(-2)).toEqual([
      'PUT /v2/acme/app/manifests/dropped',
      'HEAD /v2/acme/app/manifests/dropped',
    ]);
    // And the next retag goes without a drop.
    await client.retag(`${front.host}/acme/app:1.0.0`, 'dropped');
    expect(client.stats.retries).toBe(1);
    expect(await skopeoDigest(registry, 'acme/app:dropped')).toBe(a.digest);
  });
});
