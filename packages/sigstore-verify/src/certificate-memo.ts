import { crypto, X509Certificate } from '@sigstore/core';
import type { TrustMaterial } from '@sigstore/verify';

/**
 * Remembers what @sigstore/core recomputes about a parsed certificate on every call (README ADR
 * 10). `X509Certificate.equals` re-encodes both whole ASN.1 trees to DER (ByteStream, growing by
 * copying), `verify` re-encodes the TBS part and the issuer's key and redoes the signature check,
 * and @sigstore/verify's chain builder calls them O(n²) times per CA per timestamp per bundle —
 * most of the CPU verification costs. For the certificates relkit hands to `Verifier.verify` (the
 * trust material's CA and TSA chains, parsed once per BundleVerifier, and each bundle's leaf) the
 * results are memoised on the instance:
 *
 * - `equals(other)`: compares the DER each side's own `root.toDER()` produces: the bytes it was
 *   parsed from (parsedDer), else encoded once.
 * - `verify(issuer?)`: the verdict per issuer certificate (a thrown error is not remembered),
 *   checked over the TBS part's parsed bytes.
 * - `publicKey`: the SubjectPublicKeyInfo DER, encoded once.
 * - `clone()`: parses a copy of the remembered DER, as the original parses a copy of a fresh one.
 *
 * Sound because each of these is a pure function of the parsed ASN.1 tree, and nothing mutates
 * the tree of these certificates after parsing: @sigstore/core only builds objects while parsing;
 * the one mutation in @sigstore/verify (key/sct.js removes the SCT extension) works on a fresh
 * `clone()`, which is a new, unmemoised parse; relkit never writes to them. Callers only read the
 * returned buffers (node:crypto key creation, hashing, comparison). The patch is per instance
 * (own, non-enumerable properties), not on the prototype, so certificates anyone else parses —
 * bare @sigstore/verify in the same process, the clone above — keep the library's behaviour.
 */

interface Memo {
  der?: Buffer;
  spki?: Buffer;
  /** Signature verdicts by issuer certificate (the certificate itself when self-signed). */
  readonly verdicts: WeakMap<X509Certificate, boolean>;
}

const memos = new WeakMap<X509Certificate, Memo>();
const certificateProto = X509Certificate.prototype;
const spkiOf = Object.getOwnPropertyDescriptor(certificateProto, 'publicKey')!.get!;

/** The DER the library's equals would compare: remembered for memoised certificates. */
function derOf(cert: X509Certificate): Buffer {
  const memo = memos.get(cert);
  if (!memo) return cert.root.toDER();
  return (memo.der ??= parsedDer(cert.root) ?? cert.root.toDER());
}

type Asn1 = X509Certificate['root'];

/**
 * What `root.toDER()` encodes, without encoding it: the bytes the tree was parsed from. The
 * library's encoder builds every node's bytes in fresh buffers (copying as they grow), the
 * largest part of a bundle's verification after the signatures, while its parser accepts strict
 * DER only (one-byte tags, minimal definite lengths, every constructed value exactly its
 * children, an OCTET STRING's children kept only when they fill it exactly), so re-encoding a
 * parsed tree gives back the bytes it came from: the node's value is a view of them, and its
 * header (tag, length) sits right before it. The header found there is checked against the
 * node's tag and length; anything unexpected (a tree built otherwise): undefined, and the caller
 * encodes. Only for the certificates memoised here, whose trees nothing mutates (see above).
 */
export function parsedDer(node: Asn1): Buffer | undefined {
  const value = node.value;
  const len = value.length;
  const lengthBytes: number[] = [];
  for (let n = len; n > 0; n = Math.floor(n / 256)) lengthBytes.unshift(n % 256);
  const header = len < 128 ? [len] : [0x80 | lengthBytes.length, ...lengthBytes];
  const start = value.byteOffset - 1 - header.length;
  if (start < 0) return undefined;
  const der = Buffer.from(value.buffer, start, 1 + header.length + len);
  if (der[0] !== node.tag.toDER() || header.some((b, i) => der[1 + i] !== b)) return undefined;
  return der;
}

/**
 * The library's `verify` (x509/cert.js: the issuer's key, else its own, over the TBS part), with
 * the TBS part's bytes as parsed (parsedDer) rather than encoded anew.
 */
function verifySignature(cert: X509Certificate, issuer?: X509Certificate): boolean {
  const tbs = parsedDer(cert.tbsCertificate);
  if (!tbs) return certificateProto.verify.call(cert, issuer);
  const key = crypto.createPublicKey(issuer?.publicKey || cert.publicKey);
  return crypto.verify(tbs, key, cert.signatureValue, cert.signatureAlgorithm);
}

const methods = {
  equals(this: X509Certificate, other: X509Certificate): boolean {
    return derOf(this).equals(derOf(other));
  },
  verify(this: X509Certificate, issuer?: X509Certificate): boolean {
    const memo = memos.get(this);
    // The library uses the issuer's key when given one, else its own (a self-signed check).
    const signer = issuer ?? this;
    if (!memo || !(signer instanceof X509Certificate)) return certificateProto.verify.call(this, issuer);
    let verdict = memo.verdicts.get(signer);
    if (verdict === undefined) {
      verdict = verifySignature(this, issuer);
      memo.verdicts.set(signer, verdict);
    }
    return verdict;
  },
  clone(this: X509Certificate): X509Certificate {
    return X509Certificate.parse(Buffer.from(derOf(this)));
  },
};

/** Memoises one certificate (idempotent). */
export function memoiseCertificate(cert: X509Certificate): void {
  if (memos.has(cert)) return;
  const memo: Memo = { verdicts: new WeakMap() };
  memos.set(cert, memo);
  for (const [name, value] of Object.entries(methods))
    Object.defineProperty(cert, name, { value, configurable: true, writable: true, enumerable: false });
  Object.defineProperty(cert, 'publicKey', {
    configurable: true,
    enumerable: false,
    get(this: X509Certificate) {
      return (memo.spki ??= spkiOf.call(this) as Buffer);
    },
  });
}

/** Memoises every CA and TSA certificate of the trust material (parsed once per verifier). */
export function memoiseTrustMaterial(material: TrustMaterial): void {
  for (const ca of [...material.certificateAuthorities, ...material.timestampAuthorities])
    for (const cert of ca.certChain) memoiseCertificate(cert);
}

/**
 * Fills the memo of the trust material's own chains: each certificate's DER and key, and the
 * signature checks the chain builder makes between them (self-signed roots, each certificate by
 * the ones named as its issuer). Only warms: every value is what the first bundle would compute
 * (a check that throws is left for the bundle to throw), so results do not depend on whether it
 * ran. Run while the caller waits for the registry, it takes that work off the critical path.
 */
export function warmTrustMaterial(material: TrustMaterial): void {
  // Only authorities still in service: bundles being released now were signed under them (an
  // old bundle under a retired CA just computes its own checks, as without warming).
  const now = new Date();
  for (const ca of [...material.certificateAuthorities, ...material.timestampAuthorities]) {
    if (ca.validFor.end < now) continue;
    for (const cert of ca.certChain) {
      try {
        void cert.publicKey;
        cert.equals(cert);
        if (cert.subject.equals(cert.issuer)) cert.verify();
        for (const issuer of ca.certChain)
          if (issuer !== cert && issuer.subject.equals(cert.issuer)) cert.verify(issuer);
      } catch {
        // Not remembered; the bundle that needs it meets the same error.
      }
    }
  }
}
