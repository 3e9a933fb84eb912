import { createHash, createPublicKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial, type Signer, type TrustMaterial } from '@sigstore/verify';
import { describe, expect, it } from 'vitest';
import { memoiseCertificate, memoiseTrustMaterial, warmTrustMaterial } from './certificate-memo.js';
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

/**
 * What @sigstore/verify concludes about one vector, as comparable text: the signer (identity with
 * its OIDs, key) or the error. Verified with relkit's default thresholds, no policy.
 */
interface BareCase {
  readonly rootKey: string;
  readonly material: () => TrustMaterial;
  readonly verifier: (material: TrustMaterial) => Verifier;
  readonly bundle: Bundle;
  readonly artifact: Buffer;
}

function bareCase(dir: string): BareCase | undefined {
  const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : undefined);
  const rootText =
    read('trusted_root.json') ?? readFileSync(join(root, 'public-good-trusted_root.json'), 'utf8');
  const pem = read('key.pub');
  let trusted: TrustedRoot;
  let bundle: Bundle;
  try {
    trusted = TrustedRoot.fromJSON(JSON.parse(rootText));
    bundle = bundleFromJSON(JSON.parse(readFileSync(join(dir, 'bundle.sigstore.json'), 'utf8')));
  } catch {
    return undefined; // refused before any certificate is looked at
  }
  const key = pem ? createPublicKey(pem) : undefined;
  return {
    rootKey: `${rootText}\n${pem ?? ''}`,
    material: () =>
      toTrustMaterial(trusted, key ? () => ({ publicKey: key, validFor: () => true }) : undefined),
    verifier: (material) =>
      new Verifier(material, {
        tlogThreshold: trusted.tlogs.length > 0 ? 1 : 0,
        ctlogThreshold: key || trusted.ctlogs.length === 0 ? 0 : 1,
        timestampThreshold: 1,
      }),
    bundle,
    artifact: existsSync(join(dir, 'artifact'))
      ? readFileSync(join(dir, 'artifact'))
      : readFileSync(join(root, 'a.txt')),
  };
}

function outcome(verify: () => Signer): string {
  try {
    const s = verify();
    return JSON.stringify({
      identity: s.identity,
      key: s.key.export({ type: 'spki', format: 'der' }).toString('hex'),
    });
  } catch (e) {
    const err = e as Error & { code?: string; cause?: Error };
    return `${err.name} ${err.code ?? ''} ${err.message} (${err.cause?.message ?? ''})`;
  }
}

function entityOf(c: BareCase, memoise: boolean) {
  const entity = toSignedEntity(c.bundle, c.artifact);
  if (memoise && entity.key.$case === 'certificate') memoiseCertificate(entity.key.certificate);
  return entity;
}

describe('memoised certificates (certificate-memo.ts): @sigstore/verify reaches the same verdicts', () => {
  const bare = cases.flatMap((name) => {
    const c = bareCase(join(root, name));
    return c ? [{ name, c, plain: outcome(() => c.verifier(c.material()).verify(entityOf(c, false))) }] : [];
  });

  it('covers passing and failing vectors', () => {
    expect(bare.filter((b) => b.name.endsWith('_fail')).length).toBeGreaterThan(10);
    expect(bare.filter((b) => !b.name.endsWith('_fail')).length).toBeGreaterThan(10);
  });

  for (const { name, c, plain } of bare) {
    it(`${name}: cold, warm and pre-warmed memo`, () => {
      const material = c.material();
      memoiseTrustMaterial(material);
      const v = c.verifier(material);
      expect(outcome(() => v.verify(entityOf(c, true)))).toBe(plain);
      // Trust material remembered from the first bundle; a new leaf.
      expect(outcome(() => v.verify(entityOf(c, true)))).toBe(plain);
      // The same leaf again: everything remembered.
      const entity = entityOf(c, true);
      expect(outcome(() => v.verify(entity))).toBe(outcome(() => v.verify(entity)));
      expect(outcome(() => v.verify(entity))).toBe(plain);
      const warmed = c.material();
      memoiseTrustMaterial(warmed);
      warmTrustMaterial(warmed);
      expect(outcome(() => c.verifier(warmed).verify(entityOf(c, true)))).toBe(plain);
    });
  }

  it('one memoised trust material across every vector of its root (as one promote verifies many bundles) gives the same verdicts', () => {
    const shared = new Map<string, Verifier>();
    const sharedFor = (c: BareCase) => {
      let v = shared.get(c.rootKey);
      if (!v) {
        const material = c.material();
        memoiseTrustMaterial(material);
        shared.set(c.rootKey, (v = c.verifier(material)));
      }
      return v;
    };
    // Twice round, so every vector also runs after every other one of its root.
    const got = [...bare, ...bare].map(({ c }) => outcome(() => sharedFor(c).verify(entityOf(c, true))));
    expect(got).toEqual([...bare, ...bare].map((b) => b.plain));
    expect(
      Math.max(...[...shared.keys()].map((k) => bare.filter((b) => b.c.rootKey === k).length)),
    ).toBeGreaterThan(10);
  });
});
