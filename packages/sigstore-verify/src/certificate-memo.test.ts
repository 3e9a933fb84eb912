import { X509Certificate } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial } from '@sigstore/verify';
import {
  GITHUB_ACTIONS_ISSUER,
  signImageBundle,
  startSigstoreInfra,
  workflowSan,
  type SigstoreInfra,
} from '@relkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  memoiseCertificate,
  memoiseTrustMaterial,
  parsedDer,
  warmTrustMaterial,
} from './certificate-memo.js';
import { parseTrustRoot, publicGoodTrustRoot } from './trust-root.js';
import { BundleVerifier } from './verify.js';

const digest = `sha256:${'cd'.repeat(32)}`;
let infra: SigstoreInfra;
let leaves: Record<string, unknown>[];
beforeAll(async () => {
  infra = await startSigstoreInfra();
  leaves = await Promise.all([signImageBundle(infra, { digest }), signImageBundle(infra, { digest })]);
});
afterAll(() => infra?.stop());

const proto = X509Certificate.prototype;
const protoSpki = (c: X509Certificate) =>
  Object.getOwnPropertyDescriptor(proto, 'publicKey')!.get!.call(c) as Buffer;
const attempt = <T>(f: () => T): T | string => {
  try {
    return f();
  } catch (e) {
    return `throws ${(e as Error).message}`;
  }
};

function leafOf(bundle: Record<string, unknown>): Buffer<ArrayBuffer> {
  const vm = (bundle as { verificationMaterial: { certificate: { rawBytes: string } } }).verificationMaterial;
  return Buffer.from(vm.certificate.rawBytes, 'base64');
}

/** Trust certificates of two roots, two real leaves, and a leaf whose signature is broken; parsed anew. */
function certificates(): X509Certificate[] {
  const roots = [publicGoodTrustRoot().root, TrustedRoot.fromJSON(infra.trustedRoot)];
  const trust = roots.flatMap((r) => {
    const m = toTrustMaterial(r);
    return [...m.certificateAuthorities, ...m.timestampAuthorities].flatMap((ca) => ca.certChain);
  });
  const broken = leafOf(leaves[0]!);
  broken[broken.length - 1]! ^= 0x01; // last byte of the signature value: still parses
  return [...trust, ...leaves.map((l) => X509Certificate.parse(leafOf(l))), X509Certificate.parse(broken)];
}

describe('certificate memo', () => {
  it('answers equals, verify, publicKey and clone as @sigstore/core does, for every pair, twice', async () => {
    const plain = certificates();
    const memo = certificates();
    for (const c of memo) memoiseCertificate(c);
    let refused = 0;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < plain.length; i++) {
        const [p, m] = [plain[i]!, memo[i]!];
        expect(m.publicKey).toEqual(protoSpki(p));
        expect(m.clone().root.toDER()).toEqual(proto.clone.call(p).root.toDER());
        expect(attempt(() => m.verify())).toBe(attempt(() => proto.verify.call(p)));
        for (let j = 0; j < plain.length; j++) {
          expect(m.equals(memo[j]!)).toBe(proto.equals.call(p, plain[j]!));
          expect(m.equals(plain[j]!)).toBe(proto.equals.call(p, plain[j]!));
          const want = attempt(() => proto.verify.call(p, plain[j]!));
          expect(attempt(() => m.verify(memo[j]!))).toBe(want);
          if (want === false) refused++;
        }
      }
    }
    // The pairs include refusals (wrong issuer, broken signature), not only successes.
    expect(refused).toBeGreaterThan(10);
    // The broken leaf is refused by the issuer that signs its intact twin.
    const [twin, broken] = [memo.at(-3)!, memo.at(-1)!];
    const issuer = memo.find((c) => c !== twin && twin.verify(c))!;
    expect(issuer).toBeDefined();
    expect(broken.verify(issuer)).toBe(false);
  });

  it("gives a parsed certificate's DER as @sigstore/core encodes it, for every node of every tree", () => {
    let nodes = 0;
    const walk = (n: X509Certificate['root']) => {
      nodes++;
      expect(parsedDer(n)).toEqual(n.toDER());
      n.subs.forEach(walk);
    };
    for (const c of certificates()) walk(c.root);
    expect(nodes).toBeGreaterThan(500);
    // A whole certificate: the very bytes it was parsed from.
    const der = leafOf(leaves[0]!);
    expect(parsedDer(X509Certificate.parse(der).root)).toEqual(der);
    // A long value (4-byte header) and a node not parsed from bytes: encoded by the caller.
    const big = X509Certificate.parse(leafOf(leaves[0]!)).root;
    expect(big.value.length).toBeGreaterThan(255);
    const built = Object.assign(Object.create(Object.getPrototypeOf(big) as object), big, {
      value: Buffer.from(big.value),
    }) as X509Certificate['root'];
    expect(parsedDer(built)).toBeUndefined();
  });

  it('touches only the certificates it is given, invisibly to enumeration', async () => {
    const [a, b] = certificates();
    memoiseCertificate(a!);
    memoiseCertificate(a!); // idempotent
    expect(Object.keys(a!)).toEqual(Object.keys(b!));
    expect(Object.hasOwn(a!, 'equals')).toBe(true);
    expect(Object.hasOwn(b!, 'equals')).toBe(false);
    expect(Object.getPrototypeOf(a)).toBe(proto);
  });

  it('warming the trust material changes no result', () => {
    const m = toTrustMaterial(TrustedRoot.fromJSON(infra.trustedRoot));
    memoiseTrustMaterial(m);
    warmTrustMaterial(m);
    warmTrustMaterial(m);
    const fresh = toTrustMaterial(TrustedRoot.fromJSON(infra.trustedRoot));
    const chains = (t: typeof m) =>
      [...t.certificateAuthorities, ...t.timestampAuthorities].map((ca) => ca.certChain);
    chains(m).forEach((chain, i) =>
      chain.forEach((c, k) => {
        const f = chains(fresh)[i]![k]!;
        expect(c.verify()).toBe(proto.verify.call(f));
        chain.forEach((issuer, l) =>
          expect(c.verify(issuer)).toBe(proto.verify.call(f, chains(fresh)[i]![l]!)),
        );
      }),
    );
  });

  it('a BundleVerifier gives the same verdicts to many bundles as fresh verifiers do, broken ones included', async () => {
    const policy = { identity: workflowSan(), issuer: GITHUB_ACTIONS_ISSUER };
    const trustRoot = parseTrustRoot(infra.trustedRoot, 'mock');
    const good = await Promise.all([1, 2, 3].map(() => signImageBundle(infra, { digest })));
    const broken = structuredClone(good[1]!) as {
      verificationMaterial: { certificate: { rawBytes: string } };
    };
    const der = leafOf(broken);
    der[der.length - 1]! ^= 0x01;
    broken.verificationMaterial.certificate.rawBytes = der.toString('base64');
    const verdict = (v: BundleVerifier, b: unknown) =>
      attempt(() => JSON.stringify(v.verify(b, { subjectDigest: digest }).signer));
    const shared = new BundleVerifier({ trustRoot, policy });
    const bundles = [good[0], broken, good[1], good[2], broken, good[0]];
    const got = bundles.map((b) => verdict(shared, b));
    expect(got).toEqual(bundles.map((b) => verdict(new BundleVerifier({ trustRoot, policy }), b)));
    expect(got[1]).toMatch(/^throws CERTIFICATE_ERROR: /);
    expect(got[0]).toMatch(/^\{/);
  });
});
