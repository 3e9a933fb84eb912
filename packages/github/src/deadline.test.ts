import { createServer, type Server, type Socket } from 'node:net';
import { rejectionOf } from '@relkit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_MS, checkApiUrl } from './client.js';
import { GitHubError } from './errors.js';
import { GitHubForge } from './forge.js';
import { FAST, forgeFor, REPO, useSimulator } from './__tests__/support.js';

const t = useSimulator();
const rejection = (p: Promise<unknown>) => rejectionOf(p, GitHubError);

let silent: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise((r) => (silent ? silent.close(r) : r(undefined)));
  silent = undefined;
});

/** An API that accepts every connection and never answers; counts the connections. */
async function silentApi(): Promise<{ url: string; host: string; connections: () => number }> {
  let n = 0;
  silent = createServer((socket) => {
    n++;
    sockets.push(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => silent!.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, connections: () => n };
}

describe('the deadline of a GitHub request', () => {
  it('defaults to 60 s', () => {
    expect(DEFAULT_TIMEOUT_MS).toBe(60_000);
  });

  it('fails an API that never answers within the deadline, naming the host and the time', async () => {
    const api = await silentApi();
    const forge = new GitHubForge({ token: t.sim.pushToken, baseUrl: api.url, ...FAST, timeoutMs: 1500 });
    const started = Date.now();
    const e = await rejection(forge.canPush(REPO));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(e.code).toBe('TIMEOUT');
    expect(e.transient).toBe(true);
    expect(e.message).toContain(`${api.host} did not answer within 1.5 s`);
    expect(e.message).toMatch(/^reading acme\/app failed: /);
    // The per-attempt timeout (30 s) shrank to the deadline: one attempt, no retry after it.
    expect(api.connections()).toBe(1);
  });

  it('retries a read whose attempt timed out while the deadline lasts, then stops', async () => {
    const api = await silentApi();
    const forge = new GitHubForge({
      token: t.sim.pushToken,
      baseUrl: api.url,
      ...FAST,
      timeoutMs: 2000,
      attemptTimeoutMs: 500,
    });
    const started = Date.now();
    const e = await rejection(forge.canPush(REPO));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(e.code).toBe('TIMEOUT');
    expect(api.connections()).toBeGreaterThanOrEqual(2);
  });
});

describe('failures that cannot heal are not retried', () => {
  it('a 401 is one request', async () => {
    const forge = forgeFor(t.sim, { token: 'ghp_notAKnownToken000000000000000000000000' });
    const e = await rejection(forge.canPush(REPO));
    expect(e).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
    expect(t.sim.requests).toHaveLength(1);
  });

  it('a 403 is one request', async () => {
    const forge = forgeFor(t.sim, { token: t.sim.readToken });
    const e = await rejection(forge.createTag(REPO, '1.2.3', t.main));
    expect(e).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect(t.sim.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('an API URL with user:password is refused before any request, without the password', () => {
    const url = t.sim.url.replace('http://', 'http://release-bot:hunter2secret@');
    let e: unknown;
    try {
      forgeFor(t.sim, { baseUrl: url });
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(GitHubError);
    expect(e).toMatchObject({ code: 'INVALID_INPUT' });
    expect((e as Error).message).toContain('credentials do not belong in the URL');
    expect(JSON.stringify({ ...(e as object), m: (e as Error).message })).not.toContain('hunter2secret');
    expect(t.sim.requests).toHaveLength(0);
  });

  it('an invalid API URL is refused before any request', () => {
    expect(() => checkApiUrl('not a url')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => checkApiUrl('ftp://example.com')).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(checkApiUrl('https://ghe.example.com/api/v3').host).toBe('ghe.example.com');
  });
});
