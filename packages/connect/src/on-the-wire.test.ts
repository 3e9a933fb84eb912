// requestOnTheWire: what the Sigstore verifier's background load waits for (connect.ts), so that
// it never holds a request back between its issue and its write.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { requestOnTheWire } from './on-the-wire.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

describe('requestOnTheWire', () => {
  it('resolves only once a request has been written to its socket', async () => {
    const seen: string[] = [];
    let received!: () => void;
    const arrived = new Promise<void>((r) => (received = r));
    server = createServer((req, res) => {
      seen.push('server got the request');
      received();
      res.end('ok');
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const onTheWire = requestOnTheWire().then(() => seen.push('on the wire'));
    // Nothing has been sent yet: a few turns of the event loop do not resolve it.
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([]);

    const { port } = server.address() as AddressInfo;
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false });
    let issued = true;
    req.on('finish', () => (issued = req.writableFinished));
    req.on('response', (res) => res.resume());
    req.end();
    await onTheWire;
    expect(issued).toBe(true);
    expect(req.writableFinished).toBe(true);
    await arrived;
    // The same answer for every caller afterwards.
    await expect(requestOnTheWire()).resolves.toBeUndefined();
  });
});
