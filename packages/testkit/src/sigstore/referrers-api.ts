import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { LocalRegistry } from '../registry.js';

/** The local registry behind a front that also answers the OCI 1.1 referrers API. */
export interface ReferrersRegistry {
  readonly url: string;
  /** host:port for image references. */
  readonly host: string;
  /** Every request seen, as "METHOD /path". */
  readonly log: string[];
  stop(): Promise<void>;
}

/**
 * Debian's docker-registry 2.8 predates the OCI 1.1 referrers API (it answers 404, like GHCR).
 * This front answers `GET /v2/<name>/referrers/<digest>` from the registry's own storage
 * (every manifest of the repository whose `subject` is the digest) and forwards everything else,
 * so discovery can be tested against a registry with the API and one without.
 */
export async function startReferrersApi(registry: LocalRegistry): Promise<ReferrersRegistry> {
  const upstream = new URL(registry.url);
  const v2 = join(registry.storageDir, 'data', 'docker', 'registry', 'v2');
  const log: string[] = [];
  const blob = (hex: string) => readFileSync(join(v2, 'blobs', 'sha256', hex.slice(0, 2), hex, 'data'));

  function referrers(name: string, digest: string, artifactType: string | null) {
    const dir = join(v2, 'repositories', name, '_manifests', 'revisions', 'sha256');
    let hexes: string[];
    try {
      hexes = readdirSync(dir);
    } catch {
      hexes = []; // no manifest pushed to this repository yet
    }
    const manifests: Record<string, unknown>[] = [];
    for (const hex of hexes) {
      let bytes: Buffer;
      try {
        bytes = blob(hex);
      } catch {
        continue;
      }
      let m: {
        mediaType?: string;
        artifactType?: string;
        config?: { mediaType?: string };
        subject?: { digest?: string };
        annotations?: Record<string, string>;
      };
      try {
        m = JSON.parse(bytes.toString('utf8')) as typeof m;
      } catch {
        continue;
      }
      if (m.subject?.digest !== digest) continue;
      const type = m.artifactType ?? m.config?.mediaType;
      if (artifactType && type !== artifactType) continue;
      manifests.push({
        mediaType: m.mediaType,
        digest: `sha256:${hex}`,
        size: bytes.length,
        ...(type ? { artifactType: type } : {}),
        ...(m.annotations ? { annotations: m.annotations } : {}),
      });
    }
    return { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests };
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    log.push(`${req.method} ${url.pathname}`);
    const m = /^\/v2\/(.+)\/referrers\/(sha256:[0-9a-f]{64})$/.exec(url.pathname);
    if (m && (req.method === 'GET' || req.method === 'HEAD')) {
      const filter = url.searchParams.get('artifactType');
      const body = Buffer.from(JSON.stringify(referrers(m[1]!, m[2]!, filter)));
      res.writeHead(200, {
        'content-type': 'application/vnd.oci.image.index.v1+json',
        'content-length': body.length,
        ...(filter ? { 'oci-filters-applied': 'artifactType' } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const fwd = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    fwd.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(fwd);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    log,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
