import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SigstoreVerifyError } from './errors.js';
import { BundleVerifier, parseTrustRoot, publicGoodTrustRoot } from './conformance.js';

function sharedDir(): string {
  if (process.env.RELKIT_SHARED_DIR) return process.env.RELKIT_SHARED_DIR;
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'nx.json'))) {
    const up = dirname(d);
    if (up === d) throw new Error('no nx.json above this test: set RELKIT_SHARED_DIR');
    d = up;
  }
  return join(d, '..', 'shared');
}

const root = join(sharedDir(), 'data', 'sigstore-conformance');
const cases = readdirSync(root)
  .filter((n) => statSync(join(root, n)).isDirectory())
  .sort();
const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

function runCase(dir: string, digestMode = false) {
  const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f)) : undefined);
  const trustJson = read('trusted_root.json');
  const trustRoot = trustJson
    ? parseTrustRoot(JSON.parse(trustJson.toString('utf8')), 'case')
    : publicGoodTrustRoot();
  const key = read('key.pub');
  const policy = key
    ? { publicKey: key.toString('utf8') }
    : {
        identity: (read('identity')?.toString('utf8') ?? DEFAULT_IDENTITY).trim(),
        issuer: (read('issuer')?.toString('utf8') ?? DEFAULT_ISSUER).trim(),
      };
  const text = readFileSync(join(dir, 'bundle.sigstore.json'), 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SigstoreVerifyError('BUNDLE_INVALID', 'not JSON', { cause: e });
  }
  const artifact = read('artifact') ?? readFileSync(join(root, 'a.txt'));
  if (digestMode) {
    const digest = `sha256:${createHash('sha256').update(artifact).digest('hex')}`;
    return new BundleVerifier({ trustRoot, policy }).verify(json, {
      artifactDigest: digest,
      subjectDigest: digest,
    });
  }
  return new BundleVerifier({ trustRoot, policy }).verify(json, { artifact });
}

describe('sigstore-conformance bundle-verify vectors (library level)', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(10));
  for (const name of cases) {
    for (const digestMode of [false, true]) {
      it(`${name}${digestMode ? ' (digest mode)' : ''}`, () => {
        if (name.endsWith('_fail')) {
          expect(() => runCase(join(root, name), digestMode)).toThrow(SigstoreVerifyError);
        } else {
          const r = runCase(join(root, name), digestMode);
          expect(r.signer.keyFingerprint).toMatch(/^[0-9a-f]{64}$/);
        }
      });
    }
  }
});
