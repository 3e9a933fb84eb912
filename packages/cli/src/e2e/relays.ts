// TCP relays for the `image tag` start-path e2e tests, on 127.0.0.1: a TLS handshake made slow
// (or never ending, or ending in a closed connection), a connection reset at a request, and one
// closed after its first answer, deterministically, without touching the server behind them.
import net from 'node:net';

interface Relay {
  readonly port: number;
  readonly host: string;
  stop(): Promise<void>;
}

/**
 * The part every relay here shares: a server on 127.0.0.1 that connects each accepted client to
 * `target` (host:port), no Nagle on either side, and a stop() that ends them all. `pair` wires the
 * two sockets (the n-th connection, from 0); `onStop` clears what it left pending.
 */
async function startRelay(
  target: string,
  pair: (client: net.Socket, upstream: net.Socket, index: number) => void,
  onStop: () => void = () => undefined,
): Promise<Relay> {
  const at = target.lastIndexOf(':');
  const [host, port] = [target.slice(0, at).replace(/^\[|\]$/g, ''), Number(target.slice(at + 1))];
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect({ host, port });
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on('error', () => client.destroy());
      s.on('close', () => sockets.delete(s));
    }
    pair(client, upstream, count++);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const listening = (server.address() as net.AddressInfo).port;
  return {
    port: listening,
    host: `127.0.0.1:${listening}`,
    stop: () =>
      new Promise<void>((r) => {
        onStop();
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export interface SlowStart {
  readonly port: number;
  /** Connections accepted so far. */
  connections(): number;
  /** Resolves once `n` connections have been accepted. */
  connected(n?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A TCP relay on 127.0.0.1 to `target` (host:port) that holds what the server sends first for
 * `holdMs` (a slow start of the TLS handshake; Infinity: for ever), then relays both ways as it
 * comes. With `closeFirst`, the first connection is closed when its hold ends instead (a slow
 * handshake that ends in a closed connection); the later ones are relayed without a hold.
 */
export async function startSlowStart(
  target: string,
  holdMs: number,
  options: { readonly closeFirst?: boolean } = {},
): Promise<SlowStart> {
  let count = 0;
  const waiting = new Set<{ n: number; resolve: () => void }>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const relay = await startRelay(
    target,
    (client, upstream, index) => {
      count = index + 1;
      for (const w of waiting)
        if (count >= w.n) {
          waiting.delete(w);
          w.resolve();
        }
      client.pipe(upstream);
      upstream.pause();
      const hold = options.closeFirst && index > 0 ? 0 : holdMs;
      const release = () =>
        options.closeFirst && index === 0 ? client.destroy() : void upstream.pipe(client);
      if (Number.isFinite(hold)) timers.add(setTimeout(release, hold));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    },
    () => {
      for (const t of timers) clearTimeout(t);
    },
  );
  return {
    port: relay.port,
    connections: () => count,
    connected: (n = 1) =>
      new Promise<void>((resolve) => {
        if (count >= n) resolve();
        else waiting.add({ n, resolve });
      }),
    stop: relay.stop,
  };
}

export interface ResettingRelay {
  readonly host: string;
  /** Requests that reached the server with `marker` (request lines), in order. */
  readonly passed: readonly string[];
  stop(): Promise<void>;
}

/**
 * A TCP relay on 127.0.0.1 to `target` that resets (RST) the client's connection once, at the
 * first request that starts with `marker` (e.g. "PUT "): `before`, the request never reaches the
 * server; `answered`, it does, and the reset comes instead of the server's first bytes after it
 * (its answer had begun). Later connections are relayed as they are.
 */
export async function startResettingRelay(
  target: string,
  marker: string,
  when: 'before' | 'answered',
): Promise<ResettingRelay> {
  let armed = true;
  const passed: string[] = [];
  const relay = await startRelay(target, (client, upstream) => {
    let resetAtAnswer = false;
    client.on('data', (c: Buffer) => {
      const text = c.toString('latin1');
      const lines = text.split('\r\n').filter((l) => l.startsWith(marker) && / HTTP\/1\.1$/.test(l));
      if (armed && lines.length) {
        armed = false;
        if (when === 'before') {
          client.resetAndDestroy();
          upstream.destroy();
          return;
        }
        resetAtAnswer = true;
      }
      passed.push(...lines);
      upstream.write(c);
    });
    upstream.on('data', (c: Buffer) => {
      if (!resetAtAnswer) return void client.write(c);
      client.resetAndDestroy();
      upstream.destroy();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  return { host: relay.host, passed, stop: relay.stop };
}

export interface ClosingRelay {
  readonly host: string;
  /** The request lines that reached the server, in order. */
  readonly requests: readonly string[];
  stop(): Promise<void>;
}

/**
 * A TCP relay on 127.0.0.1 to `target` (plain HTTP) that closes the first connection cleanly
 * (FIN) right after the server's first answer (its head and Content-Length body), whatever was
 * pipelined behind it; later connections are relayed as they are.
 */
export async function startClosingRelay(target: string): Promise<ClosingRelay> {
  const requests: string[] = [];
  const relay = await startRelay(target, (client, upstream, index) => {
    const closing = index === 0;
    client.on('data', (c: Buffer) => {
      requests.push(
        ...c
          .toString('latin1')
          .split('\r\n')
          .filter((l) => / HTTP\/1\.1$/.test(l)),
      );
      upstream.write(c);
    });
    let answer = Buffer.alloc(0);
    upstream.on('data', (c: Buffer) => {
      if (!closing) return void client.write(c);
      answer = Buffer.concat([answer, c]);
      const end = answer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = /\r\ncontent-length: *(\d+)/i.exec(answer.subarray(0, end).toString('latin1'));
      const size = end + 4 + Number(length?.[1] ?? 0);
      if (answer.length < size) return;
      client.end(answer.subarray(0, size));
      upstream.destroy();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.end());
  });
  return { host: relay.host, requests, stop: relay.stop };
}
