import net from 'node:net';

/** A TCP relay on loopback that delays every byte, as a network path would. */
export interface LatencyRelay {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Relays TCP connections on 127.0.0.1 to `target` (host:port) and delivers what either side
 * sends `oneWayMs` after it arrived, in order: a round trip costs 2 × oneWayMs for every
 * exchange on the wire, TLS handshakes included (the fault proxy, by contrast, adds latency per
 * HTTP request and none to handshakes). Connection set-up itself is not delayed.
 */
export async function startLatencyRelay(
  target: string,
  options: { readonly oneWayMs: number },
): Promise<LatencyRelay> {
  const at = target.lastIndexOf(':');
  const targetHost = target.slice(0, at).replace(/^\[|\]$/g, '');
  const targetPort = Number(target.slice(at + 1));
  const sockets = new Set<net.Socket>();
  // Half-open allowed: one side's end reaches the other only after the bytes before it.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ host: targetHost, port: targetPort, allowHalfOpen: true });
    for (const s of [client, upstream]) {
      // The relay must not add Nagle's or delayed-ACK stalls of its own.
      s.setNoDelay(true);
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    relay(client, upstream, options.oneWayMs);
    relay(upstream, client, options.oneWayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Delivers `from`'s bytes, then its end, to `to` after `delayMs`, keeping their order. */
function relay(from: net.Socket, to: net.Socket, delayMs: number): void {
  // One queue and one timer per direction: timers of their own could fire out of order.
  const queue: { readonly due: number; readonly chunk: Buffer | null }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const drain = () => {
    timer = undefined;
    while (queue.length && queue[0]!.due <= Date.now()) {
      const { chunk } = queue.shift()!;
      if (to.destroyed) return;
      if (chunk) to.write(chunk);
      else to.end();
    }
    if (queue.length) timer = setTimeout(drain, Math.max(0, queue[0]!.due - Date.now()));
  };
  const push = (chunk: Buffer | null) => {
    queue.push({ due: Date.now() + delayMs, chunk });
    timer ??= setTimeout(drain, delayMs);
  };
  from.on('data', (chunk: Buffer) => push(chunk));
  from.on('end', () => push(null));
}
