import { createHash } from 'node:crypto';
import { SigstoreVerifyError } from './errors.js';

/** cosign's legacy (tag-based) signature layer annotations. */
export const CosignAnnotations = {
  signature: 'dev.cosignproject.cosign/signature',
  certificate: 'dev.sigstore.cosign/certificate',
  chain: 'dev.sigstore.cosign/chain',
  bundle: 'dev.sigstore.cosign/bundle',
  rfc3161Timestamp: 'dev.sigstore.cosign/rfc3161timestamp',
  predicateType: 'predicateType',
} as const;

export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const DSSE_ENVELOPE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';
const BUNDLE_V01 = 'application/vnd.dev.sigstore.bundle+json;version=0.1';

/** One layer of a `sha256-<hex>.sig` / `.att` manifest, with its blob (already fetched). */
export interface LegacyLayer {
  readonly mediaType: string;
  readonly digest: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A bundle v0.1 (JSON) made from a legacy layer, and the payload a message signature covers. */
export interface ConvertedLegacy {
  readonly bundle: Record<string, unknown>;
  readonly kind: 'signature' | 'attestation';
  /** For `.sig` layers: the simple-signing payload (the signed bytes). */
  readonly payload?: Buffer;
}

const fail = (m: string): never => {
  throw new SigstoreVerifyError('BUNDLE_INVALID', `legacy cosign layer: ${m}`);
};

function pemBlocks(pem: string, label: string): Buffer[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]+?)-----END ${label}-----`, 'g');
  return [...pem.matchAll(re)].map((m) => Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

/**
 * Converts a legacy cosign signature (`.sig`, simple-signing) or attestation (`.att`, DSSE)
 * layer into a Sigstore bundle v0.1: the v0.1 format is the only one that accepts a tlog entry
 * with only a signed entry timestamp (SET), which is all the `dev.sigstore.cosign/bundle`
 * annotation carries. The Rekor body is passed byte for byte, so the SET still verifies.
 * `blob` must be the layer's content; its digest is checked here.
 */
export function legacyLayerToBundle(
  layer: LegacyLayer,
  blob: Uint8Array,
  keyHint = 'cosign',
): ConvertedLegacy {
  const hex =
    /^sha256:([0-9a-f]{64})$/.exec(layer.digest)?.[1] ?? fail(`digest ${layer.digest} is not sha256`);
  const actual = createHash('sha256').update(blob).digest('hex');
  if (actual !== hex) fail(`blob sha256:${actual} does not match the layer digest ${layer.digest}`);
  const ann = layer.annotations ?? {};
  const vm: Record<string, unknown> = {};
  const bundle: Record<string, unknown> = { mediaType: BUNDLE_V01, verificationMaterial: vm };
  let kind: ConvertedLegacy['kind'];
  let payload: Buffer | undefined;

  if (layer.mediaType === SIMPLE_SIGNING_MEDIA_TYPE) {
    kind = 'signature';
    const sig = ann[CosignAnnotations.signature];
    if (!sig) fail(`the ${CosignAnnotations.signature} annotation is missing`);
    payload = Buffer.from(blob);
    bundle.messageSignature = {
      messageDigest: { algorithm: 'SHA2_256', digest: Buffer.from(hex, 'hex').toString('base64') },
      signature: sig,
    };
  } else if (layer.mediaType === DSSE_ENVELOPE_MEDIA_TYPE) {
    kind = 'attestation';
    let env: { payload?: unknown; payloadType?: unknown; signatures?: unknown };
    try {
      env = JSON.parse(Buffer.from(blob).toString('utf8')) as typeof env;
    } catch {
      return fail('the attestation blob is not a JSON DSSE envelope');
    }
    if (
      typeof env.payload !== 'string' ||
      typeof env.payloadType !== 'string' ||
      !Array.isArray(env.signatures)
    )
      fail('the attestation blob is not a DSSE envelope');
    // The signature annotation of an `.att` layer is empty: the signature is in the envelope.
    bundle.dsseEnvelope = {
      payload: env.payload,
      payloadType: env.payloadType,
      signatures: (env.signatures as { sig?: unknown; keyid?: unknown }[]).map((s) => ({
        sig: typeof s.sig === 'string' ? s.sig : '',
        keyid: typeof s.keyid === 'string' ? s.keyid : '',
      })),
    };
  } else {
    return fail(`unsupported media type ${layer.mediaType}`);
  }

  const certPem = ann[CosignAnnotations.certificate];
  if (certPem) {
    // Only the leaf: the chain annotation is not trust; CAs come from the trusted root.
    const leaf =
      pemBlocks(certPem, 'CERTIFICATE')[0] ?? fail('the certificate annotation holds no PEM certificate');
    vm.x509CertificateChain = { certificates: [{ rawBytes: leaf.toString('base64') }] };
  } else {
    vm.publicKey = { hint: keyHint };
  }

  const tlogEntries: unknown[] = [];
  const rekor = ann[CosignAnnotations.bundle];
  if (rekor) {
    let rb: { SignedEntryTimestamp?: unknown; Payload?: Record<string, unknown> };
    try {
      rb = JSON.parse(rekor) as typeof rb;
    } catch {
      return fail('the Rekor bundle annotation is not JSON');
    }
    const p = rb.Payload ?? {};
    if (typeof p.body !== 'string' || typeof rb.SignedEntryTimestamp !== 'string')
      fail('the Rekor bundle annotation has no body or SignedEntryTimestamp');
    const logID = typeof p.logID === 'string' && /^[0-9a-f]{64}$/.test(p.logID) ? p.logID : fail('bad logID');
    const num = (v: unknown, what: string) =>
      typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? String(v) : fail(`bad ${what}`);
    let body: { kind?: unknown; apiVersion?: unknown };
    try {
      body = JSON.parse(Buffer.from(p.body as string, 'base64').toString('utf8')) as typeof body;
    } catch {
      return fail('the Rekor entry body is not base64 JSON');
    }
    tlogEntries.push({
      logIndex: num(p.logIndex, 'logIndex'),
      logId: { keyId: Buffer.from(logID, 'hex').toString('base64') },
      kindVersion: { kind: String(body.kind), version: String(body.apiVersion) },
      integratedTime: num(p.integratedTime, 'integratedTime'),
      inclusionPromise: { signedEntryTimestamp: rb.SignedEntryTimestamp },
      canonicalizedBody: p.body,
    });
  }
  vm.tlogEntries = tlogEntries;

  // cosign timestamps the raw signature for `.sig` (what @sigstore/verify checks); for `.att`
  // it timestamps the envelope, which @sigstore/verify cannot check, so that token is dropped.
  const rfc3161: unknown[] = [];
  const tsa = ann[CosignAnnotations.rfc3161Timestamp];
  if (tsa && kind === 'signature') {
    try {
      const t = JSON.parse(tsa) as { SignedRFC3161Timestamp?: unknown };
      if (typeof t.SignedRFC3161Timestamp === 'string')
        rfc3161.push({ signedTimestamp: t.SignedRFC3161Timestamp });
    } catch {
      fail('the RFC 3161 timestamp annotation is not JSON');
    }
  }
  vm.timestampVerificationData = { rfc3161Timestamps: rfc3161 };
  return { bundle, kind, ...(payload ? { payload } : {}) };
}
