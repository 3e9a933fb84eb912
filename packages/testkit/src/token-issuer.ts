import http from 'node:http';
import { createPrivateKey, createSign, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A small Docker token service (the `realm` of a Bearer challenge), shaped like ghcr.io/token:
 * anonymous callers get pull only, callers with valid Basic credentials get what they ask for.
 * It signs RS256 JWTs with an `x5c` header so distribution can check them against its
 * `rootcertbundle`.
 */
export interface TokenIssuer {
  readonly url: string;
  readonly certPem: string;
  /** How many token requests were answered (for request-count assertions). */
  readonly requests: () => number;
  /** Answer the next N requests with 429 + Retry-After: 1. */
  failNext(n: number): void;
  /** Only ever grant pull (a token without push rights, like a read-only PAT). */
  denyPush(on: boolean): void;
  close(): Promise<void>;
}

export interface TokenIssuerOptions {
  readonly issuer: string;
  readonly service: string;
  readonly users: Readonly<Record<string, string>>;
  readonly ttlSeconds?: number;
}

function selfSignedCert(): { key: KeyObject; certPem: string; certDer: Buffer } {
  // openssl makes the certificate; Node can sign with the key but has no X.509 writer.
  const dir = mkdtempSync(join(tmpdir(), 'relkit-token-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '3650',
        '-subj',
        '/CN=relkit-test-token-issuer',
      ],
      { stdio: 'ignore' },
    );
    const certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
    return {
      key: createPrivateKey(readFileSync(join(dir, 'key.pem'))),
      certPem,
      certDer: Buffer.from(new X509Certificate(certPem).raw),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const b64url = (v: string | object) =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

export async function startTokenIssuer(opts: TokenIssuerOptions, port = 0): Promise<TokenIssuer> {
  const { key, certPem, certDer } = selfSignedCert();
  const ttl = opts.ttlSeconds ?? 300;
  let count = 0;
  let fail = 0;
  let pullOnly = false;
  const sign = (claims: object) => {
    const head = b64url({ alg: 'RS256', typ: 'JWT', x5c: [certDer.toString('base64')] });
    const body = b64url(claims);
    const sig = createSign('RSA-SHA256').update(`${head}.${body}`).sign(key).toString('base64url');
    return `${head}.${body}.${sig}`;
  };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname !== '/token') {
      res.writeHead(404).end();
      return;
    }
    count++;
    if (fail > 0) {
      fail--;
      res
        .writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' })
        .end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
      return;
    }
    let user: string | null = null;
    const auth = req.headers.authorization ?? '';
    if (auth.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6), 'base64').toString();
      const i = decoded.indexOf(':');
      const [name, pass] = [decoded.slice(0, i), decoded.slice(i + 1)];
      if (i < 0 || opts.users[name] !== pass) {
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}');
        return;
      }
      user = name;
    }
    const access = u.searchParams
      .getAll('scope')
      .flatMap((s) => s.split(' '))
      .filter(Boolean)
      .map((scope) => {
        const first = scope.indexOf(':');
        const last = scope.lastIndexOf(':');
        const actions = scope
          .slice(last + 1)
          .split(',')
          .filter(
            (a) =>
              a === 'pull' || (user !== null && !pullOnly && (a === 'push' || a === 'delete' || a === '*')),
          );
        // Like Docker's token spec: grant the intersection, never fail the request.
        return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions };
      });
    const now = Math.floor(Date.now() / 1000);
    const token = sign({
      iss: opts.issuer,
      sub: user ?? '',
      aud: u.searchParams.get('service') ?? opts.service,
      exp: now + ttl,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        token,
        access_token: token,
        expires_in: ttl,
        issued_at: new Date(now * 1000).toISOString(),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const addr = server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  return {
    url: `http://127.0.0.1:${actualPort}/token`,
    certPem,
    requests: () => count,
    failNext: (n) => {
      fail = n;
    },
    denyPush: (on) => {
      pullOnly = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
