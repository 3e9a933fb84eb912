import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeLockMessage } from './lock-state.js';
import { createPrng } from './prng.js';
import { createKillSwitch, startChaosProxy, type ChaosProxy, type KillSwitch } from './proxy.js';

describe('chaos prng', () => {
  it('is a function of its seed and label', () => {
    const draw = (seed: number) =>
      Array.from({ length: 5 }, () => createPrng(seed).fork('run-3').int(1, 1000));
    expect(draw(7)).toEqual(draw(7));
    const a = createPrng(7);
    const b = createPrng(8);
    expect([a.next(), a.next()]).not.toEqual([b.next(), b.next()]);
    const r = createPrng(1);
    for (let i = 0; i < 200; i++) expect(r.int(5, 30)).toBeGreaterThanOrEqual(5);
  });
});

describe('lock state from a lock commit message', () => {
  const now = Date.parse('2026-12-06T12:00:00Z');
  it.each([
    [
      'a held lock (today)',
      'relkit-lock\n\n{"holder":"a","acquiredAt":"x","expiresAt":"2026-12-06T12:05:00Z"}',
      'held',
    ],
    ['an expired lock', 'relkit-lock\n\n{"holder":"a","expiresAt":"2026-12-06T11:00:00Z"}', 'expired'],
    ['a released state', 'relkit-lock: released\n\n{"state":"released","holder":"a"}', 'released'],
    ['released: true', '{"holder":"a","released":true,"expiresAt":"2026-12-06T12:05:00Z"}', 'released'],
    ['an expired lease', '{"holder":"a","state":"held","leaseUntil":"2026-12-06T11:59:00Z"}', 'expired'],
    ['a releasedAt', '{"holder":"a","releasedAt":"2026-12-06T11:59:00Z"}', 'released'],
    ['not a relkit commit', 'Merge branch main', 'held'],
  ])('%s', (_name, message, state) => {
    expect(judgeLockMessage(message, now).state).toBe(state);
  });
});

describe('chaos proxy', () => {
  let upstream: http.Server;
  const seen: string[] = [];
  let proxy: ChaosProxy;
  let kill: KillSwitch;
  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => res.writeHead(201, { 'docker-content-digest': 'sha256:abc' }).end('ok'));
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    kill = createKillSwitch();
    proxy = await startChaosProxy(`http://127.0.0.1:${(upstream.address() as { port: number }).port}`, {
      prng: createPrng(1),
      latencyMs: [1, 3],
      kill,
    });
  });
  afterAll(async () => {
    await proxy.stop();
    await new Promise((r) => upstream.close(r));
  });

  it('forwards, logging the body digest and the served digest', async () => {
    const r = await fetch(`${proxy.url}/v2/a/manifests/latest`, { method: 'PUT', body: 'x' });
    expect(r.status).toBe(201);
    expect(proxy.log.at(-1)).toMatchObject({
      method: 'PUT',
      status: 201,
      bodyDigest: 'sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881',
      servedDigest: 'sha256:abc',
    });
  });

  it.each([
    ['before-forward', false],
    ['after-apply', true],
  ] as const)('fires the kill at the Nth request %s (applied upstream: %s)', async (phase, applied) => {
    kill.count = 0;
    kill.point = { request: 2, phase };
    const fired: string[] = [];
    kill.trigger = async (where) => void fired.push(where);
    seen.length = 0;
    expect((await fetch(`${proxy.url}/one`)).status).toBe(201);
    await expect(fetch(`${proxy.url}/two`, { method: 'POST', body: 'y' })).rejects.toThrow();
    expect(fired).toEqual([`request 2 ${phase} (POST /two)`]);
    expect(seen).toEqual(applied ? ['GET /one', 'POST /two'] : ['GET /one']);
    kill.point = undefined;
  });

  it('fires a delayed kill after the Nth request arrived, holding nothing', async () => {
    kill.count = 0;
    kill.point = { request: 1, phase: 'delay', delayMs: 5 };
    const fired: string[] = [];
    kill.trigger = async (where) => void fired.push(where);
    expect((await fetch(`${proxy.url}/three`)).status).toBe(201);
    await new Promise((r) => setTimeout(r, 50));
    expect(fired).toEqual([
      expect.stringMatching(/^5 ms after request 1 \(GET \/three\) arrived, \d requests in flight$/),
    ]);
    kill.point = undefined;
  });
});
