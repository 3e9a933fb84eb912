import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';

describe('fault proxy', () => {
  let upstream: http.Server;
  let proxy: FaultProxy;
  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      res.writeHead(200, {
        'content-type': 'text/plain',
        location: `http://127.0.0.1:${(upstream.address() as { port: number }).port}/next`,
      });
      res.end(`ok ${req.method} ${req.url}`);
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    proxy = await startFaultProxy(`http://127.0.0.1:${(upstream.address() as { port: number }).port}`);
  });
  afterAll(async () => {
    await proxy.stop();
    await new Promise((r) => upstream.close(r));
  });

  it('forwards and rewrites Location to itself', async () => {
    const r = await fetch(`${proxy.url}/a?b=1`);
    expect(await r.text()).toBe('ok GET /a?b=1');
    expect(r.headers.get('location')).toBe(`${proxy.url}/next`);
  });

  it('answers the first N matching requests with 429 + Retry-After, then forwards', async () => {
    proxy.resetLog();
    proxy.addRule({
      match: /^GET \/limited/,
      times: 2,
      fault: { kind: 'status', status: 429, retryAfter: '1' },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${proxy.url}/limited`);
      await r.arrayBuffer();
      statuses.push(r.status);
      if (r.status === 429) expect(r.headers.get('retry-after')).toBe('1');
    }
    expect(statuses).toEqual([429, 429, 200]);
    expect(proxy.log.map((l) => l.faulted)).toEqual([true, true, false]);
  });

  it('drops connections and corrupts bodies', async () => {
    proxy.addRule({ match: /^GET \/drop/, times: 1, fault: { kind: 'drop' } });
    await expect(fetch(`${proxy.url}/drop`)).rejects.toThrow();
    proxy.addRule({ match: /^GET \/corrupt/, times: 1, fault: { kind: 'corrupt' } });
    const body = await (await fetch(`${proxy.url}/corrupt`)).text();
    expect(body).not.toBe('ok GET /corrupt');
    expect(body.slice(0, -1)).toBe('ok GET /corrup');
  });

  it('adds latency', async () => {
    proxy.setLatency(60);
    const t0 = performance.now();
    await (await fetch(`${proxy.url}/slow`)).text();
    proxy.setLatency(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
  });
});
