import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { rejectionOf } from '@relkit/testkit';
import { RegistryClient } from './client.js';
import { RegistryError } from './errors.js';
import { staticCredentials } from './credentials.js';

const rejection = (p: Promise<unknown>) => rejectionOf(p, RegistryError);
const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return `127.0.0.1:${address.port}`;
}

/** A server that accepts every connection and never says a word. */
async function silentServer(): Promise<{ host: string; connections: () => number }> {
  let n = 0;
  const server = createTcpServer((socket) => {
    n++;
    sockets.push(socket);
    socket.on('error', () => {});
  });
  return { host: await listen(server), connections: () => n };
}

/** A registry stand-in that answers every request with `answer` and counts the requests. */
async function answering(
  answer: (req: IncomingMessage, res: ServerResponse, host: string) => void,
): Promise<{ host: string; requests: string[] }> {
  const requests: string[] = [];
  let host = '';
  const server = createHttpServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    answer(req, res, host);
  });
  host = await listen(server);
  return { host, requests };
}

describe('the overall deadline of a registry operation', () => {
  it('fails a registry that accepts connections and never answers within the deadline, naming it', async () => {
    const { host, connections } = await silentServer();
    const started = Date.now();
    const e = await rejection(
      new RegistryClient({ deadlineMs: 1500 }).headManifest(`${host}/acme/app:1.2.3`),
    );
    const took = Date.now() - started;
    expect(e.code).toBe('TIMEOUT');
    expect(e.transient).toBe(true);
    expect(e.message).toContain(`${host} did not answer within 1.5 s`);
    expect(e.message).toContain(`HEAD ${host}/v2/acme/app/manifests/1.2.3`);
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(10_000);
    // The default per-attempt timeout (30 s) shrank to the deadline: one attempt, no retry.
    expect(connections()).toBe(1);
  });

  it('shrinks each attempt to what is left and stops retrying when the deadline is spent', async () => {
    const { host, connections } = await silentServer();
    const started = Date.now();
    const client = new RegistryClient({ deadlineMs: 2500, timeoutMs: 1000, backoffBaseMs: 10, retries: 10 });
    const e = await rejection(client.getManifest(`${host}/acme/app:1.2.3`));
    expect(e.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(connections()).toBeGreaterThanOrEqual(2);
    expect(connections()).toBeLessThanOrEqual(4);
  });

  it('does not sleep past the deadline for a Retry-After it could not wait out', async () => {
    const server = await answering((_req, res) => {
      res.writeHead(503, { 'retry-after': '30' }).end();
    });
    const started = Date.now();
    const e = await rejection(
      new RegistryClient({ deadlineMs: 2000 }).headManifest(`${server.host}/acme/app:1`),
    );
    expect(e.code).toBe('UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(server.requests).toHaveLength(1);
  });
});

describe('failures that cannot heal are not retried', () => {
  it('a 403 is one request (DENIED)', async () => {
    const server = await answering((_req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'DENIED', message: 'no' }] }));
    });
    const e = await rejection(new RegistryClient().getManifest(`${server.host}/acme/app:1.2.3`));
    expect(e.code).toBe('DENIED');
    expect(server.requests).toHaveLength(1);
  });

  it('a 401 after the token service refused the credentials: one request, one token request', async () => {
    const tokens = await answering((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":[]}');
    });
    const registry = await answering((_req, res) => {
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="http://${tokens.host}/token",service="test"`,
        'content-type': 'application/json',
      });
      res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    });
    const client = new RegistryClient({
      credentials: staticCredentials(registry.host, { kind: 'basic', username: 'u', password: 'wrong' }),
    });
    const e = await rejection(client.getManifest(`${registry.host}/acme/app:1.2.3`));
    expect(e.code).toBe('UNAUTHORIZED');
    expect(e.message).not.toContain('wrong');
    expect(registry.requests).toHaveLength(1);
    expect(tokens.requests).toHaveLength(1);
  });

  it('a 401 to Basic credentials: the challenge round, then no retry', async () => {
    const registry = await answering((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
    });
    const client = new RegistryClient({
      credentials: staticCredentials(registry.host, { kind: 'basic', username: 'u', password: 'wrong' }),
    });
    const e = await rejection(client.headManifest(`${registry.host}/acme/app:1.2.3`));
    expect(e.code).toBe('UNAUTHORIZED');
    // Anonymous first (the challenge teaches the scheme), then once with the credentials.
    expect(registry.requests).toHaveLength(2);
  });
});
