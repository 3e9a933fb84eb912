import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startLatencyRelay, type LatencyRelay } from './latency-relay.js';

/** An echo server that upper-cases nothing: it sends back what it gets, then ends when the client does. */
async function startEcho() {
  const server = net.createServer((s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    host: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('startLatencyRelay', () => {
  let relay: LatencyRelay | undefined;
  let echo: Awaited<ReturnType<typeof startEcho>> | undefined;
  afterEach(async () => {
    await relay?.stop();
    await echo?.stop();
  });

  it('relays both ways byte for byte and in order, many small writes and one large one, then the end', async () => {
    echo = await startEcho();
    relay = await startLatencyRelay(echo.host, { oneWayMs: 3 });
    const socket = net.connect({ host: '127.0.0.1', port: relay.port });
    const received: Buffer[] = [];
    socket.on('data', (c: Buffer) => received.push(c));
    const ended = new Promise<void>((r) => socket.on('end', r));
    const sent: Buffer[] = [];
    for (let i = 0; i < 200; i++) sent.push(Buffer.from(`${i},`));
    sent.push(Buffer.alloc(1024 * 1024, 7));
    for (const b of sent) socket.write(b);
    socket.end();
    await ended;
    expect(Buffer.concat(received).length).toBe(Buffer.concat(sent).length);
    expect(Buffer.concat(received).equals(Buffer.concat(sent))).toBe(true);
    socket.destroy();
  });

  it('ends the client connection when the target refuses it', async () => {
    echo = await startEcho();
    const refused = echo.host;
    await echo.stop();
    echo = undefined;
    relay = await startLatencyRelay(refused, { oneWayMs: 1 });
    const socket = net.connect({ host: '127.0.0.1', port: relay.port });
    socket.on('error', () => undefined);
    await new Promise<void>((r) => socket.on('close', () => r()));
    expect(socket.destroyed).toBe(true);
  });
});
