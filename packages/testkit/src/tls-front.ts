import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';

/** A TLS endpoint on loopback in front of a plain-HTTP service, with its own self-signed certificate. */
export interface TlsFront {
  /**
   * `[::ffff:7f00:1]:<port>`: 127.0.0.1 written as an IPv4-mapped IPv6 address (hex, as the
   * reference grammar wants it). Clients that
   * reach `127.0.0.1`/`localhost` over plain HTTP (relkit, Docker) take this for a remote host
   * and use HTTPS, so their TLS path is tested without leaving the machine.
   */
  readonly host: string;
  readonly url: string;
  readonly port: number;
  /** The certificate (its own CA) in PEM; trust it with NODE_EXTRA_CA_CERTS=<caPath>. */
  readonly caPem: string;
  readonly caPath: string;
  stop(): Promise<void>;
}

/**
 * Terminates TLS on 127.0.0.1 and passes the bytes through to `target` (host:port), e.g. the
 * real registry. The certificate names 127.0.0.1 and ::ffff:127.0.0.1; openssl makes it (Node
 * has no X.509 writer).
 */
export async function startTlsFront(
  target: string,
  options: {
    /**
     * Names for the certificate instead of ::ffff:127.0.0.1, e.g. the machine's host name when
     * it resolves to loopback: Go's X.509 parser (crane, skopeo) rejects IPv4-mapped SANs.
     */
    readonly dnsNames?: readonly string[];
  } = {},
): Promise<TlsFront> {
  const dir = mkdtempSync(join(tmpdir(), 'relkit-tls-'));
  const key = join(dir, 'key.pem');
  const caPath = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      caPath,
      '-days',
      '2',
      '-subj',
      '/CN=relkit test TLS front',
      '-addext',
      `subjectAltName=${['IP:127.0.0.1', ...(options.dnsNames ? options.dnsNames.map((n) => `DNS:${n}`) : ['IP:::ffff:127.0.0.1'])].join(',')}`,
    ],
    { stdio: 'ignore' },
  );
  const caPem = readFileSync(caPath, 'utf8');
  const [targetHost, targetPort] = [
    target.slice(0, target.lastIndexOf(':')),
    target.slice(target.lastIndexOf(':') + 1),
  ];
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ key: readFileSync(key), cert: caPem }, (clear) => {
    const upstream = net.connect(Number(targetPort), targetHost);
    // No Nagle on either side, as a TLS-terminating registry has (Go sets TCP_NODELAY on every
    // connection): with it, a small write behind an unacknowledged one waited for the client's
    // delayed ACK (~40 ms on Linux), a stall of this relay's making that hit every client.
    clear.setNoDelay(true);
    upstream.setNoDelay(true);
    for (const s of [clear, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    // A failed handshake or a dropped upstream ends both sides; neither error is the test's.
    clear.on('error', () => upstream.destroy());
    upstream.on('error', () => clear.destroy());
    clear.pipe(upstream).pipe(clear);
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    host: `[::ffff:7f00:1]:${port}`,
    url: `https://[::ffff:7f00:1]:${port}`,
    port,
    caPem,
    caPath,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
