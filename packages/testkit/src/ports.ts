import net from 'node:net';

/** A free TCP port on 127.0.0.1 (tests only ever listen on loopback). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Polls a URL until it answers one of the expected statuses. */
export async function waitForHttp(
  url: string,
  ok: readonly number[] = [200, 401],
  timeoutMs = 10_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (ok.includes(r.status)) return;
      last = new Error(`status ${r.status}`);
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 40));
  }
  throw new Error(`nothing answered at ${url} within ${timeoutMs} ms: ${String(last)}`);
}
