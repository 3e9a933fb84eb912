// requestOnTheWire: what the Sigstore verifier's background load waits for (connect.ts), so that
// it never holds a request back between its issue and its write.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { requestOnTheWire } from './on-the-wire.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

describe('requestOnTheWire', () => {
  it('resolves once a request has been written to its socket, not when it is issued', async () => {
    const seen: string[] = [];
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const onTheWire = requestOnTheWire().then(() => seen.push('on the wire'));
    // No request yet: turns of the event loop do not resolve it.
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([]);

    const { port } = server.address() as AddressInfo;
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false });
    req.on('finish', () => seen.push('request written'));
    req.on('response', (res) => res.resume());
    req.end();
    // Issued, its connection not up yet: still waiting.
    await Promise.resolve();
    expect(seen).toEqual([]);
    await onTheWire;
    expect(seen).toEqual(['request written', 'on the wire']);
    // Every later caller gets the same answer at once.
    await expect(requestOnTheWire()).resolves.toBeUndefined();
    await new Promise((r) => req.once('close', r));
  });
});
