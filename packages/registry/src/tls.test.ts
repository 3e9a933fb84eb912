import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pushTestImage,
  rejectionOf,
  startRegistry,
  startTlsFront,
  type LocalRegistry,
  type TlsFront,
} from '@relkit/testkit';
import { RegistryClient } from './client.js';
import { RegistryError } from './errors.js';

// HTTPS against the real registry behind a real TLS endpoint on loopback. The front is reached
// as [::ffff:7f00:1], which the client treats like any remote host: HTTPS, certificates
// checked. (A successful HTTPS retag needs the test CA trusted process-wide: NODE_EXTRA_CA_CERTS,
// see the CLI's image tests.)

let registry: LocalRegistry;
let front: TlsFront;
beforeAll(async () => {
  registry = await startRegistry({ auth: 'none' });
  front = await startTlsFront(registry.host);
  await pushTestImage(registry, { repository: 'acme/app', tag: '1.2.3', seed: 'tls' });
});
afterAll(async () => {
  await front?.stop();
  await registry?.stop();
});

const rejection = (p: Promise<unknown>) => rejectionOf(p, RegistryError);

describe('HTTPS', () => {
  it('uses HTTPS for a host that is not written as loopback, and refuses an untrusted certificate at once', async () => {
    const client = new RegistryClient({ retries: 3, backoffBaseMs: 1, proxyEnv: false });
    const e = await rejection(client.resolveDigest(`${front.host}/acme/app:1.2.3`));
    expect(e.code).toBe('NETWORK');
    expect(e.message).toContain(`HEAD ${front.host}/v2/acme/app/manifests/1.2.3`);
    expect(e.message).toContain('is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT)');
    expect(e.message).toContain('NODE_EXTRA_CA_CERTS');
    // A certificate does not get better by asking again.
    expect(client.stats.retries).toBe(0);
  });

  it('says --insecure when the host speaks plain HTTP, and reaches it over HTTP once marked insecure', async () => {
    const plainAsRemote = `[::ffff:7f00:1]:${registry.host.split(':')[1]}`;
    const e = await rejection(
      new RegistryClient({ retries: 0, proxyEnv: false }).resolveDigest(`${plainAsRemote}/acme/app:1.2.3`),
    );
    expect(e.code).toBe('NETWORK');
    expect(e.message).toMatch(/TLS handshake failed \((EPROTO|ERR_SSL_[A-Z_]+)/);
    expect(e.message).toContain('--insecure');
    const insecure = new RegistryClient({ insecureRegistries: [plainAsRemote], proxyEnv: false });
    expect(await insecure.resolveDigest(`${plainAsRemote}/acme/app:1.2.3`)).toMatch(/^sha256:/);
  });
});
