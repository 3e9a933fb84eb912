import { createHash } from 'node:crypto';
import { bundleFromJSON, type Bundle, type MessageSignature } from '@sigstore/bundle';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import {
  Verifier,
  toSignedEntity,
  toTrustMaterial,
  VerificationError,
  type SignedEntity,
  type Signer,
} from '@sigstore/verify';
import { memoiseCertificate, memoiseTrustMaterial, warmTrustMaterial } from './certificate-memo.js';
import { decodeFulcioClaims, type FulcioClaims } from './claims.js';
import { verifyPrehashed } from './prehashed.js';
import { SigstoreVerifyError } from './errors.js';
import { compilePolicy, type CompiledPolicy, type SignerPolicy } from './policy.js';
import { checkStatementSubject, parseStatement, type InTotoStatement } from './subject.js';
import { bodyNamesSigner, bodyVerifiers } from './tlog-key.js';
import type { TrustRoot } from './trust-root.js';

/**
 * How many independent proofs a bundle needs (see the README's table per signer type). By
 * default 1 of each kind the trust root has logs for, and 1 verified time.
 */
export interface Thresholds {
  /** Transparency-log entries (Rekor). */
  readonly tlog?: number;
  /** Signed certificate timestamps (CT log) in the certificate. */
  readonly ctlog?: number;
  /** Verified times: a tlog SET's integrated time or an RFC 3161 timestamp. */
  readonly timestamp?: number;
}

/** Who signed, as proven by a verified bundle. Plain data. */
export interface VerifiedSigner {
  readonly kind: 'certificate' | 'key';
  /** Certificate SAN (URI or e-mail); absent for keyed signatures. */
  readonly identity?: string;
  readonly issuer?: string;
  readonly claims: FulcioClaims;
  /** Hex sha256 of the signing key's SubjectPublicKeyInfo. */
  readonly keyFingerprint: string;
  /** Rekor log index of the first transparency-log entry, when there is one. */
  readonly tlogIndex?: string;
  /** Rekor integrated time (ISO 8601) from the signed entry timestamp, when there is one. */
  readonly integratedTime?: string;
}

export type BundleContent =
  | { readonly kind: 'message-signature'; readonly digest: string }
  | {
      readonly kind: 'dsse';
      readonly payloadType: string;
      readonly payload: Buffer;
      /** Parsed when the payload is an in-toto statement. */
      readonly statement?: InTotoStatement;
    };

export interface VerifiedBundle {
  readonly signer: VerifiedSigner;
  readonly content: BundleContent;
}

export interface BundleVerifierOptions {
  readonly trustRoot: TrustRoot;
  readonly policy: SignerPolicy;
  readonly thresholds?: Thresholds;
}

export interface VerifyBundleInput {
  /** For a message signature: the signed bytes (required). For DSSE: the in-toto subject. */
  readonly artifact?: Uint8Array;
  /** For DSSE: a digest the in-toto subject list must contain, e.g. the image digest. */
  readonly subjectDigest?: string;
  /**
   * For a message signature whose artifact bytes are not at hand: the artifact's digest
   * (`sha256:<hex>`); the signature is then verified over the digest.
   */
  readonly artifactDigest?: string;
}

/**
 * Verifies Sigstore bundles against one trust root and one signer policy, on the low-level
 * @sigstore/verify chain (TrustedRoot → toTrustMaterial → Verifier). Build once, verify many:
 * the trust material is parsed once. Every failure is a SigstoreVerifyError (fail closed).
 */
export class BundleVerifier {
  readonly policy: CompiledPolicy;
  private readonly verifier: Verifier;

  constructor(readonly options: BundleVerifierOptions) {
    this.policy = compilePolicy(options.policy);
    const key = this.policy.publicKey;
    let material;
    try {
      material = toTrustMaterial(
        options.trustRoot.root,
        key ? () => ({ publicKey: key, validFor: () => true }) : undefined,
      );
    } catch (e) {
      throw new SigstoreVerifyError(
        'TRUST_ROOT_INVALID',
        `trusted root from ${options.trustRoot.source} cannot be used: ${(e as Error).message}`,
        { cause: e },
      );
    }
    // Parsed once here, checked for every bundle: remember what the chain checks derive, and
    // derive what concerns the trust root alone as soon as the caller awaits (the registry
    // lookups that precede any bundle), not when the first bundle has arrived.
    memoiseTrustMaterial(material);
    const warm = material;
    setImmediate(() => warmTrustMaterial(warm)).unref();
    // Defaults fit the root: one proof from each kind of log it trusts (a root without Rekor
    // or CT logs, like GitHub's for private repositories, cannot demand them), and always one
    // verified time (SET or RFC 3161).
    const t = options.thresholds ?? {};
    const root = options.trustRoot.root;
    this.verifier = new Verifier(material, {
      tlogThreshold: t.tlog ?? (root.tlogs.length > 0 ? 1 : 0),
      ctlogThreshold: t.ctlog ?? (key || root.ctlogs.length === 0 ? 0 : 1),
      timestampThreshold: t.timestamp ?? 1,
    });
  }

  /** Parses and verifies one bundle (JSON value), then applies the policy and subject checks. */
  verify(bundleJson: unknown, input: VerifyBundleInput = {}): VerifiedBundle {
    const bundle = parseBundle(bundleJson);
    const artifact = input.artifact ? Buffer.from(input.artifact) : undefined;
    let entity: SignedEntity;
    if (bundle.content.$case === 'messageSignature' && !artifact) {
      if (!input.artifactDigest)
        throw new SigstoreVerifyError(
          'BUNDLE_INVALID',
          'a message-signature bundle needs the signed artifact',
        );
      entity = prehashedEntity(bundle, bundle.content.messageSignature, input.artifactDigest);
    } else {
      entity = toSignedEntity(bundle, artifact);
    }
    // The chain builder compares and checks the leaf against every candidate issuer, per timestamp.
    if (entity.key.$case === 'certificate') memoiseCertificate(entity.key.certificate);

    let signer: Signer;
    try {
      signer = this.verifier.verify(entity);
    } catch (e) {
      const code = e instanceof VerificationError ? `${e.code}: ` : '';
      throw new SigstoreVerifyError('VERIFICATION_FAILED', `${code}${(e as Error).message}`, { cause: e });
    }

    const spkiDer = signer.key.export({ type: 'spki', format: 'der' });
    const vm = bundle.verificationMaterial.content;
    const certificateDer =
      vm.$case === 'certificate'
        ? vm.certificate.rawBytes
        : vm.$case === 'x509CertificateChain'
          ? vm.x509CertificateChain.certificates[0]?.rawBytes
          : undefined;
    for (const entry of bundle.verificationMaterial.tlogEntries) {
      const verifiers = bodyVerifiers(entry.canonicalizedBody);
      if (!verifiers)
        throw new SigstoreVerifyError(
          'TLOG_KEY_MISMATCH',
          `transparency-log entry ${entry.logIndex} has a body of unknown kind`,
        );
      if (!bodyNamesSigner(verifiers, { spkiDer, certificateDer }))
        throw new SigstoreVerifyError(
          'TLOG_KEY_MISMATCH',
          `transparency-log entry ${entry.logIndex} names another key than the bundle's ${certificateDer ? 'certificate' : 'key'}`,
        );
    }

    const identity = signer.identity;
    const claims = decodeFulcioClaims(identity?.oids ?? []);
    const entry = bundle.verificationMaterial.tlogEntries[0];
    const integrated = entry && entry.inclusionPromise ? Number(entry.integratedTime) : 0;
    const facts: VerifiedSigner = {
      kind: certificateDer ? 'certificate' : 'key',
      ...(identity?.subjectAlternativeName !== undefined
        ? { identity: identity.subjectAlternativeName }
        : {}),
      ...(identity?.extensions?.issuer !== undefined ? { issuer: identity.extensions.issuer } : {}),
      claims,
      keyFingerprint: createHash('sha256').update(spkiDer).digest('hex'),
      ...(entry ? { tlogIndex: entry.logIndex } : {}),
      ...(integrated > 0 ? { integratedTime: new Date(integrated * 1000).toISOString() } : {}),
    };
    const reason = this.policy.check({ ...facts, publicKeySpki: spkiDer });
    if (reason) throw new SigstoreVerifyError('UNTRUSTED_SIGNER', reason);

    if (bundle.content.$case === 'messageSignature') {
      const d = bundle.content.messageSignature.messageDigest.digest;
      return { signer: facts, content: { kind: 'message-signature', digest: `sha256:${d.toString('hex')}` } };
    }
    const env = bundle.content.dsseEnvelope;
    let statement: InTotoStatement | undefined;
    const wanted =
      input.subjectDigest ??
      (artifact ? `sha256:${createHash('sha256').update(artifact).digest('hex')}` : undefined);
    if (wanted) {
      statement = parseStatement(env.payloadType, env.payload);
      checkStatementSubject(statement, wanted);
    } else if (env.payloadType === 'application/vnd.in-toto+json') {
      try {
        statement = parseStatement(env.payloadType, env.payload);
      } catch {
        statement = undefined;
      }
    }
    return {
      signer: facts,
      content: {
        kind: 'dsse',
        payloadType: env.payloadType,
        payload: env.payload,
        ...(statement ? { statement } : {}),
      },
    };
  }
}

/** bundleFromJSON with every failure (schema, base64, unknown version) as BUNDLE_INVALID. */
export function parseBundle(json: unknown): Bundle {
  try {
    return bundleFromJSON(json);
  } catch (e) {
    const fields = (e as { fields?: unknown }).fields;
    throw new SigstoreVerifyError(
      'BUNDLE_INVALID',
      `not a valid Sigstore bundle: ${(e as Error).message}${Array.isArray(fields) ? ` (${fields.join(', ')})` : ''}`,
      { cause: e },
    );
  }
}

const HASH_NAMES: Partial<Record<HashAlgorithm, string>> = {
  [HashAlgorithm.SHA2_256]: 'sha256',
  [HashAlgorithm.SHA2_384]: 'sha384',
  [HashAlgorithm.SHA2_512]: 'sha512',
};

/**
 * A message-signature entity for an artifact known only by digest: the bundle's message digest
 * must be that digest, and the signature is verified over it.
 */
function prehashedEntity(bundle: Bundle, ms: MessageSignature, artifactDigest: string): SignedEntity {
  const m = /^(sha256|sha384|sha512):([0-9a-f]+)$/.exec(artifactDigest);
  if (!m)
    throw new SigstoreVerifyError('BUNDLE_INVALID', `"${artifactDigest}" is not a digest like sha256:<hex>`);
  const digest = Buffer.from(m[2]!, 'hex');
  if (HASH_NAMES[ms.messageDigest.algorithm] !== m[1] || !digest.equals(ms.messageDigest.digest))
    throw new SigstoreVerifyError(
      'SUBJECT_MISMATCH',
      `the bundle signs another artifact than ${artifactDigest}`,
    );
  const entity = toSignedEntity(bundle);
  const content = entity.signature;
  return {
    ...entity,
    signature: {
      signature: content.signature,
      compareSignature: (s) => content.compareSignature(s),
      compareDigest: (d) => content.compareDigest(d),
      compareSignedDigest: (d) => content.compareSignedDigest(d),
      verifySignature: (key) => verifyPrehashed(key, digest, content.signature),
    },
  };
}
