import { createHash, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { bundleToJSON } from '@sigstore/bundle';
import { DSSEBundleBuilder, FulcioSigner, RekorWitness, TSAWitness } from '@sigstore/sign';
import {
  fakeGithubActionsToken,
  type RekorLogEntry,
  type SigstoreInfra,
  type WorkflowIdentity,
} from './infra.js';

export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
export const SPDX_PREDICATE = 'https://spdx.dev/Document/v2.3';
export const CYCLONEDX_PREDICATE = 'https://cyclonedx.org/bom';
const IN_TOTO = 'application/vnd.in-toto+json';

/** A legacy cosign signature/attestation layer and its blob, as cosign pushes them. */
export interface LegacySignatureLayer {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations: Record<string, string>;
  readonly blob: Buffer;
}

const sha256hex = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

function fulcioSigner(infra: SigstoreInfra, identity?: WorkflowIdentity) {
  const token = fakeGithubActionsToken(identity);
  return new FulcioSigner({ fulcioBaseURL: infra.url, identityProvider: { getToken: async () => token } });
}

/** An in-toto statement about one image digest. */
export function imageStatement(digest: string, predicateType: string, predicate: unknown = {}) {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ digest: { sha256: digest.replace(/^sha256:/, '') } }],
    predicateType,
    predicate,
  };
}

/**
 * A Sigstore bundle v0.3 made by the real @sigstore/sign clients (Fulcio certificate with SCT,
 * Rekor dsse entry with SET + inclusion proof, RFC 3161 timestamp): what `cosign sign` v3
 * writes (predicate https://sigstore.dev/cosign/sign/v1) or `actions/attest-*` (other types).
 */
export async function signImageBundle(
  infra: SigstoreInfra,
  options: {
    digest: string;
    predicateType?: string;
    predicate?: unknown;
    identity?: WorkflowIdentity;
    statement?: object;
    /** false: no Rekor entry, only the TSA (like GitHub's instance for private repositories). */
    tlog?: boolean;
  },
): Promise<Record<string, unknown>> {
  const statement =
    options.statement ??
    imageStatement(options.digest, options.predicateType ?? COSIGN_SIGN_PREDICATE, options.predicate ?? {});
  const builder = new DSSEBundleBuilder({
    signer: fulcioSigner(infra, options.identity),
    witnesses: [
      ...(options.tlog === false ? [] : [new RekorWitness({ rekorBaseURL: infra.url, entryType: 'dsse' })]),
      new TSAWitness({ tsaBaseURL: infra.url }),
    ],
  });
  const bundle = await builder.create({ data: Buffer.from(JSON.stringify(statement)), type: IN_TOTO });
  return bundleToJSON(bundle) as unknown as Record<string, unknown>;
}

function rekorAnnotation(entry: RekorLogEntry): string {
  return JSON.stringify({
    SignedEntryTimestamp: entry.verification.signedEntryTimestamp,
    Payload: {
      body: entry.body,
      integratedTime: entry.integratedTime,
      logIndex: entry.logIndex,
      logID: entry.logID,
    },
  });
}

export function derToPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export interface LegacySignatureOptions {
  /** The image digest the simple-signing payload names. */
  readonly digest: string;
  /** docker-reference in the payload (ignored by verifiers). */
  readonly dockerReference?: string;
  readonly identity?: WorkflowIdentity;
  /** Sign with this key (`cosign sign --key`) instead of a Fulcio certificate. */
  readonly key?: { publicKey: KeyObject; privateKey: KeyObject };
  /** false: no Rekor entry (`--tlog-upload=false`). */
  readonly tlog?: boolean;
  /** Put this PEM in the Rekor body instead of the signer's (a crafted entry). */
  readonly rekorPublicKeyPem?: string;
  /** Log the entry at this time (a genuine SET at another instant). */
  readonly integratedAt?: Date;
  /** Replace the payload after signing (a tampered blob with a valid-looking layer). */
  readonly tamper?: (payload: Buffer) => Buffer;
}

/**
 * A legacy `cosign sign` signature: the simple-signing payload is the layer blob, the signature,
 * certificate, chain and Rekor bundle go into layer annotations (cosign ≤ 2 default).
 */
export async function legacyImageSignature(
  infra: SigstoreInfra,
  options: LegacySignatureOptions,
): Promise<LegacySignatureLayer> {
  const payload = Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': options.dockerReference ?? 'registry.example/acme/widget' },
        image: { 'docker-manifest-digest': options.digest },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
  );
  let signature: Buffer;
  let pem: string;
  let certPem: string | undefined;
  if (options.key) {
    signature = cryptoSign('sha256', payload, options.key.privateKey);
    pem = options.key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  } else {
    const s = await fulcioSigner(infra, options.identity).sign(payload);
    signature = s.signature;
    if (s.key.$case !== 'x509Certificate') throw new Error('Fulcio returned no certificate');
    certPem = s.key.certificate;
    pem = certPem;
  }
  const annotations: Record<string, string> = {
    'dev.cosignproject.cosign/signature': signature.toString('base64'),
  };
  if (certPem) {
    annotations['dev.sigstore.cosign/certificate'] = certPem;
    annotations['dev.sigstore.cosign/chain'] = derToPem(infra.caRootDer);
  }
  if (options.tlog !== false) {
    const proposed = {
      apiVersion: '0.0.1',
      kind: 'hashedrekord',
      spec: {
        data: { hash: { algorithm: 'sha256', value: sha256hex(payload) } },
        signature: {
          content: signature.toString('base64'),
          publicKey: { content: Buffer.from(options.rekorPublicKeyPem ?? pem).toString('base64') },
        },
      },
    };
    const entry = options.integratedAt
      ? await infra.logEntryAt(proposed, options.integratedAt)
      : await infra.logEntry(proposed);
    annotations['dev.sigstore.cosign/bundle'] = rekorAnnotation(entry);
  }
  const blob = options.tamper ? options.tamper(payload) : payload;
  return {
    mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
    digest: `sha256:${sha256hex(blob)}`,
    size: blob.length,
    annotations,
    blob,
  };
}

/**
 * A legacy `cosign attest` attestation: the layer blob is the DSSE envelope, the signature
 * annotation is empty, and the Rekor entry is of kind dsse.
 */
export async function legacyImageAttestation(
  infra: SigstoreInfra,
  options: { digest: string; predicateType: string; predicate?: unknown; identity?: WorkflowIdentity },
): Promise<LegacySignatureLayer> {
  const statement = imageStatement(options.digest, options.predicateType, options.predicate ?? {});
  const body = Buffer.from(JSON.stringify(statement));
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${IN_TOTO.length} ${IN_TOTO} ${body.length} `), body]);
  const s = await fulcioSigner(infra, options.identity).sign(pae);
  if (s.key.$case !== 'x509Certificate') throw new Error('Fulcio returned no certificate');
  const envelope = JSON.stringify({
    payloadType: IN_TOTO,
    payload: body.toString('base64'),
    signatures: [{ keyid: '', sig: s.signature.toString('base64') }],
  });
  const entry = await infra.logEntry({
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: { proposedContent: { envelope, verifiers: [Buffer.from(s.key.certificate).toString('base64')] } },
  });
  const blob = Buffer.from(envelope);
  return {
    mediaType: 'application/vnd.dsse.envelope.v1+json',
    digest: `sha256:${sha256hex(blob)}`,
    size: blob.length,
    annotations: {
      'dev.cosignproject.cosign/signature': '',
      'dev.sigstore.cosign/certificate': s.key.certificate,
      'dev.sigstore.cosign/chain': derToPem(infra.caRootDer),
      'dev.sigstore.cosign/bundle': rekorAnnotation(entry),
      predicateType: options.predicateType,
    },
    blob,
  };
}

/** A fresh P-256 key pair for keyed (`cosign sign --key`) signatures. */
export function generateSigningKey(): { publicKey: KeyObject; privateKey: KeyObject; publicKeyPem: string } {
  const k = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { ...k, publicKeyPem: k.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}
