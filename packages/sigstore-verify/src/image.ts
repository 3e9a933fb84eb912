import { createHash } from 'node:crypto';
import { SigstoreVerifyError, type SigstoreVerifyErrorCode } from './errors.js';
import { DSSE_ENVELOPE_MEDIA_TYPE, legacyLayerToBundle, SIMPLE_SIGNING_MEDIA_TYPE } from './legacy.js';
import type { AttestationsApi, ReferrerDescriptor, SignatureStore } from './store.js';
import { slsaSourceOf, type SlsaSource } from './slsa.js';
import { checkSimpleSigningPayload, splitDigest } from './subject.js';
import type { BundleVerifier, VerifiedBundle, VerifiedSigner } from './verify.js';

export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
const BUNDLE_MEDIA_PREFIX = 'application/vnd.dev.sigstore.bundle';
const COSIGN_SIG_ARTIFACT = 'application/vnd.dev.cosign.artifact.sig.v1+json';

/** Where a signature was found. */
export type SignatureSource =
  'referrers-api' | 'referrers-tag' | 'legacy-sig' | 'legacy-att' | 'github-attestations';
export type AttestationRequirement = 'slsa' | 'sbom';
export type AttestationCategory = 'slsa-provenance' | 'sbom-spdx' | 'sbom-cyclonedx' | 'other';

/** One signature or attestation found for the image, and what came of verifying it. */
export interface SignatureFinding {
  readonly source: SignatureSource;
  /** The manifest that holds it (referrer manifest or the `.sig` / `.att` manifest). */
  readonly manifestDigest: string;
  /** The layer (legacy) or bundle blob. */
  readonly blobDigest?: string;
  readonly kind: 'signature' | 'attestation';
  readonly predicateType?: string;
  readonly outcome: 'verified' | 'rejected';
  readonly signer?: VerifiedSigner;
  /** For a verified SLSA provenance attestation: the source it says the build was made from. */
  readonly slsaSource?: SlsaSource;
  readonly reason?: { readonly code: SigstoreVerifyErrorCode; readonly message: string };
}

export interface AttestationFound {
  readonly predicateType: string;
  readonly category: AttestationCategory;
  readonly source: SignatureSource;
  readonly signer: VerifiedSigner;
  /** For SLSA provenance: the source commit and ref of the build, when it names them. */
  readonly slsaSource?: SlsaSource;
}

/** A place discovery could not read. Never means "not signed". */
export interface LookupProblem {
  readonly source: SignatureSource | 'referrers' | 'referrer-manifest' | 'blob';
  readonly reference: string;
  readonly message: string;
  readonly code?: string;
}

/**
 * verified: an acceptable signature (and every required attestation) was found.
 * not-signed: every place was read and holds no signature.
 * rejected: signatures exist, none is acceptable (the findings say why).
 * missing-attestation: signed, but a required attestation is absent.
 * could-not-look: some place could not be read, so absence proves nothing.
 */
export type ImageVerdict = 'verified' | 'not-signed' | 'rejected' | 'missing-attestation' | 'could-not-look';

export interface ImageVerification {
  readonly repository: string;
  readonly digest: string;
  readonly verdict: ImageVerdict;
  /** One human sentence. */
  readonly summary: string;
  /** Signers of the verified signatures. */
  readonly signers: readonly VerifiedSigner[];
  readonly attestations: readonly AttestationFound[];
  readonly missingAttestations: readonly AttestationRequirement[];
  readonly findings: readonly SignatureFinding[];
  readonly lookupProblems: readonly LookupProblem[];
}

export interface VerifyImageOptions {
  readonly store: SignatureStore;
  readonly verifier: BundleVerifier;
  /** Also read GitHub's attestations API for this digest (beside the registry's places). */
  readonly attestationsApi?: AttestationsApi;
  readonly requireAttestations?: readonly AttestationRequirement[];
  /** Largest signature / attestation blob read (SBOMs can be large); default 32 MiB. */
  readonly maxBlobBytes?: number;
  /**
   * Reuse what this verifier concluded about the same content before (default true). Sound
   * because every input is content-addressed (blob digest, manifest digest covering the legacy
   * annotations, subject digest) and verification does not depend on the clock; lookups are
   * never cached, so a registry outage is always seen.
   */
  readonly reuseResults?: boolean;
  /** Cancels the registry reads. */
  readonly signal?: AbortSignal;
}

export function attestationCategory(predicateType: string): AttestationCategory {
  if (predicateType === SLSA_PROVENANCE_V1) return 'slsa-provenance';
  if (predicateType.startsWith('https://spdx.dev/Document')) return 'sbom-spdx';
  if (predicateType.startsWith('https://cyclonedx.org/bom')) return 'sbom-cyclonedx';
  return 'other';
}

const satisfies = (req: AttestationRequirement, c: AttestationCategory) =>
  req === 'slsa' ? c === 'slsa-provenance' : c === 'sbom-spdx' || c === 'sbom-cyclonedx';

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

const RESULT_CACHE_ENTRIES = 4096;
const resultCaches = new WeakMap<
  BundleVerifier,
  Map<string, Omit<SignatureFinding, 'source' | 'manifestDigest' | 'blobDigest'>>
>();
function resultCache(v: BundleVerifier) {
  let c = resultCaches.get(v);
  if (!c) resultCaches.set(v, (c = new Map()));
  return c;
}

function problemOf(e: unknown): { message: string; code?: string } {
  const err = e as { message?: unknown; code?: unknown };
  return {
    message: typeof err.message === 'string' ? err.message : String(e),
    ...(typeof err.code === 'string' ? { code: err.code } : {}),
  };
}

function rejection(e: unknown): SignatureFinding['reason'] {
  if (e instanceof SigstoreVerifyError) return { code: e.code, message: e.message };
  return { code: 'VERIFICATION_FAILED', message: (e as Error)?.message ?? String(e) };
}

interface ParsedManifest {
  artifactType?: string;
  config?: { mediaType?: string };
  layers?: { mediaType?: string; digest?: string; size?: number; annotations?: Record<string, string> }[];
  manifests?: ReferrerDescriptor[];
}

function parseJson(bytes: Uint8Array, what: string): ParsedManifest {
  try {
    const v = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
    if (typeof v !== 'object' || v === null) throw new Error('not an object');
    return v as ParsedManifest;
  } catch (e) {
    throw new SigstoreVerifyError('LOOKUP_FAILED', `${what} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Finds and verifies the signatures and attestations of one image digest: the OCI 1.1
 * referrers API (or, when the registry has none, the `sha256-<hex>` fallback tag index), and
 * cosign's legacy `sha256-<hex>.sig` / `.att` tags, read concurrently.
 */
export async function verifyImage(
  image: { readonly repository: string; readonly digest: string },
  options: VerifyImageOptions,
): Promise<ImageVerification> {
  const { repository, digest } = image;
  const { hex } = splitDigest(digest); // also refuses a malformed digest before any request
  const { store, verifier } = options;
  const maxBlob = options.maxBlobBytes ?? 32 * 1024 * 1024;
  const findings: SignatureFinding[] = [];
  const problems: LookupProblem[] = [];

  const look = async <T>(
    source: LookupProblem['source'],
    reference: string,
    fn: () => Promise<T>,
  ): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (e) {
      problems.push({ source, reference, ...problemOf(e) });
      return undefined;
    }
  };

  const getManifestByDigest = async (d: string) => {
    const m = await store.getManifest(repository, d, options.signal);
    if (m && sha256(m.bytes) !== d)
      throw new SigstoreVerifyError(
        'LOOKUP_FAILED',
        `manifest ${d} came back with other content (${sha256(m.bytes)})`,
      );
    return m;
  };
  const getBlob = async (d: string) => {
    const b = await store.getBlob(repository, d, maxBlob, options.signal);
    if (sha256(b) !== d)
      throw new SigstoreVerifyError('LOOKUP_FAILED', `blob ${d} came back with other content`);
    return b;
  };

  /** What verifying one signature concluded; a pure function of content-addressed inputs. */
  type Judgement = Omit<SignatureFinding, 'source' | 'manifestDigest' | 'blobDigest'>;
  const cache = options.reuseResults === false ? undefined : resultCache(verifier);
  const judge = async (
    source: SignatureSource,
    manifestDigest: string,
    blobDigest: string,
    key: string,
    compute: () => Promise<Judgement | undefined>,
  ) => {
    let j = cache?.get(key);
    if (!j) {
      j = await compute();
      if (!j) return;
      if (cache) {
        cache.set(key, j);
        if (cache.size > RESULT_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
      }
    }
    findings.push({ source, manifestDigest, blobDigest, ...j });
  };

  const verifyBundleBlob = (source: SignatureSource, manifestDigest: string, blobDigest: string) =>
    judge(source, manifestDigest, blobDigest, `bundle ${blobDigest} ${digest}`, async () => {
      const blob = await look('blob', blobDigest, () => getBlob(blobDigest));
      if (!blob) return undefined;
      return judgeBundle(blob);
    });

  /** Verifies one bundle (its bytes) for this digest: a signature or an attestation. */
  const judgeBundle = (blob: Uint8Array): Judgement => {
    try {
      const json = JSON.parse(Buffer.from(blob).toString('utf8')) as unknown;
      const r = verifier.verify(json, { subjectDigest: digest });
      const facts = verifiedFacts(r);
      return {
        kind: facts.predicateType === COSIGN_SIGN_PREDICATE ? 'signature' : 'attestation',
        ...facts,
      };
    } catch (e) {
      const predicateType = peekPredicateType(blob);
      return {
        kind:
          predicateType === undefined || predicateType === COSIGN_SIGN_PREDICATE
            ? 'signature'
            : 'attestation',
        ...(predicateType ? { predicateType } : {}),
        outcome: 'rejected',
        reason: rejection(e),
      };
    }
  };

  /** GitHub's attestations API: bundles that live at GitHub, not in the registry. */
  const githubAttestations = async () => {
    const api = options.attestationsApi;
    if (!api) return;
    const source: SignatureSource = 'github-attestations';
    const bundles = await look(source, digest, () => api.list(digest, options.signal));
    if (!bundles) return;
    await Promise.all(
      bundles.map((b) => {
        const blob = Buffer.from(JSON.stringify(b));
        const blobDigest = sha256(blob);
        return judge(source, `github:${digest}`, blobDigest, `bundle ${blobDigest} ${digest}`, async () =>
          judgeBundle(blob),
        );
      }),
    );
  };

  const verifyLegacyManifest = async (source: SignatureSource, manifestDigest: string, m: ParsedManifest) => {
    await Promise.all(
      (m.layers ?? []).map((layer) => {
        if (layer.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE && layer.mediaType !== DSSE_ENVELOPE_MEDIA_TYPE)
          return undefined;
        const ld = String(layer.digest);
        // The manifest digest covers the layer's annotations (signature, certificate, SET).
        return judge(source, manifestDigest, ld, `legacy ${manifestDigest} ${ld} ${digest}`, async () => {
          const blob = await look('blob', ld, () => getBlob(ld));
          if (!blob) return undefined;
          const isSig = layer.mediaType === SIMPLE_SIGNING_MEDIA_TYPE;
          const declaredType = layer.annotations?.predicateType;
          try {
            const conv = legacyLayerToBundle(
              { mediaType: layer.mediaType!, digest: ld, annotations: layer.annotations ?? {} },
              blob,
            );
            const r = isSig
              ? verifier.verify(conv.bundle, { artifact: conv.payload! })
              : verifier.verify(conv.bundle, { subjectDigest: digest });
            if (isSig) checkSimpleSigningPayload(conv.payload!, digest);
            return { kind: isSig ? 'signature' : 'attestation', ...verifiedFacts(r) };
          } catch (e) {
            return {
              kind: isSig ? 'signature' : 'attestation',
              ...(declaredType ? { predicateType: declaredType } : {}),
              outcome: 'rejected',
              reason: rejection(e),
            };
          }
        });
      }),
    );
  };

  const referrerManifest = async (source: SignatureSource, d: ReferrerDescriptor) => {
    // The listed artifactType is not trusted (GHCR reports the empty type): read the manifest.
    const m = await look('referrer-manifest', d.digest, () => getManifestByDigest(d.digest));
    if (!m) return;
    const parsed = parseJson(m.bytes, `referrer ${d.digest}`);
    const type = parsed.artifactType ?? parsed.config?.mediaType ?? '';
    const first = parsed.layers?.[0];
    if (type.startsWith(BUNDLE_MEDIA_PREFIX) || first?.mediaType?.startsWith(BUNDLE_MEDIA_PREFIX)) {
      const layers = (parsed.layers ?? []).filter((l) => l.mediaType?.startsWith(BUNDLE_MEDIA_PREFIX));
      await Promise.all(layers.map((l) => verifyBundleBlob(source, d.digest, String(l.digest))));
    } else if (type === COSIGN_SIG_ARTIFACT) {
      await verifyLegacyManifest(source, d.digest, parsed);
    }
  };

  const referrers = async () => {
    const list = await look('referrers', digest, () =>
      store.listReferrers(repository, digest, options.signal),
    );
    if (!list) return;
    const source: SignatureSource = list.via === 'api' ? 'referrers-api' : 'referrers-tag';
    await Promise.all(list.manifests.map((d) => referrerManifest(source, d)));
  };

  const legacy = async (suffix: 'sig' | 'att') => {
    const source: SignatureSource = suffix === 'sig' ? 'legacy-sig' : 'legacy-att';
    const tag = `sha256-${hex}.${suffix}`;
    const m = await look(source, tag, () => store.getManifest(repository, tag, options.signal));
    if (!m) return;
    const parsed = await look(source, tag, async () => parseJson(m.bytes, `${repository}:${tag}`));
    if (parsed) await verifyLegacyManifest(source, sha256(m.bytes), parsed);
  };

  await Promise.all([referrers(), legacy('sig'), legacy('att'), githubAttestations()]);
  findings.sort((a, b) =>
    compareFindingKeys(
      a.source + a.manifestDigest + (a.blobDigest ?? ''),
      b.source + b.manifestDigest + (b.blobDigest ?? ''),
    ),
  );
  return decide(repository, digest, findings, problems, options.requireAttestations ?? []);
}

/**
 * Rank of each character a finding's sort key can hold (source names, `sha256:<hex>` digests,
 * `github:`): the order of the root collation (punctuation, then digits, then letters), so the
 * findings come out in the order localeCompare gave them. Not localeCompare itself: a process's
 * first localeCompare builds ICU's collator (~8 ms of CPU), here on the critical path between
 * the last bundle and the release's first write. 0: not in the table.
 */
const KEY_RANK = new Uint8Array(128);
[...'-:0123456789abcdefghijklmnopqrstuvwxyz'].forEach((c, i) => (KEY_RANK[c.charCodeAt(0)] = i + 1));
const rankable = (s: string) => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || KEY_RANK[c] === 0) return false;
  }
  return true;
};

/** a.localeCompare(b)'s order for sort keys of findings; anything unusual goes to localeCompare. */
export function compareFindingKeys(a: string, b: string): number {
  if (!rankable(a) || !rankable(b)) return a.localeCompare(b);
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = KEY_RANK[a.charCodeAt(i)]! - KEY_RANK[b.charCodeAt(i)]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function peekPredicateType(blob: Uint8Array): string | undefined {
  try {
    const b = JSON.parse(Buffer.from(blob).toString('utf8')) as { dsseEnvelope?: { payload?: string } };
    const p = b.dsseEnvelope?.payload;
    if (typeof p !== 'string') return undefined;
    const st = JSON.parse(Buffer.from(p, 'base64').toString('utf8')) as { predicateType?: unknown };
    return typeof st.predicateType === 'string' ? st.predicateType : undefined;
  } catch {
    return undefined;
  }
}

/** The verdict, as a pure function of what was found and what could not be read. */
export function decide(
  repository: string,
  digest: string,
  findings: readonly SignatureFinding[],
  lookupProblems: readonly LookupProblem[],
  required: readonly AttestationRequirement[],
): ImageVerification {
  const verified = findings.filter((f) => f.outcome === 'verified');
  const signers = verified.filter((f) => f.kind === 'signature').map((f) => f.signer!);
  const attestations: AttestationFound[] = verified
    .filter((f) => f.kind === 'attestation' && f.predicateType)
    .map((f) => ({
      predicateType: f.predicateType!,
      category: attestationCategory(f.predicateType!),
      source: f.source,
      signer: f.signer!,
      ...(f.slsaSource ? { slsaSource: f.slsaSource } : {}),
    }));
  const missing = [...new Set(required)].filter((r) => !attestations.some((a) => satisfies(r, a.category)));
  const rejected = findings.filter((f) => f.outcome === 'rejected');
  let verdict: ImageVerdict;
  let summary: string;
  const ref = `${repository}@${digest}`;
  if (signers.length > 0 && missing.length === 0) {
    verdict = 'verified';
    summary = `${ref}: ${signers.length} valid signature(s)${attestations.length ? `, ${attestations.length} attestation(s)` : ''}`;
  } else if (lookupProblems.length > 0) {
    verdict = 'could-not-look';
    summary = `${ref}: could not read every signature location (${lookupProblems.map((p) => `${p.reference}: ${p.message}`).join('; ')}); this is not a verdict of "unsigned"`;
  } else if (signers.length > 0) {
    verdict = 'missing-attestation';
    summary = `${ref}: signed, but no valid ${missing.join(' / ')} attestation`;
  } else if (rejected.some((f) => f.kind === 'signature')) {
    verdict = 'rejected';
    summary = `${ref}: ${rejected.length} signature(s) found, none acceptable: ${rejected.map((f) => f.reason?.message).join('; ')}`;
  } else {
    verdict = 'not-signed';
    // An attestation (e.g. SLSA provenance) is not a signature of the image: say what was found.
    const extra = attestations.length
      ? `; ${attestations.length} verified attestation(s) (${attestations.map((a) => a.predicateType).join(', ')}) do not count as a signature`
      : '';
    summary = `${ref}: no signature found (referrers, fallback tag and legacy tags were all read)${extra}`;
  }
  return {
    repository,
    digest,
    verdict,
    summary,
    signers,
    attestations,
    missingAttestations: missing,
    findings,
    lookupProblems,
  };
}

/** Verifies many images with at most `concurrency` in flight (bounding registry connections). */
export async function verifyImages(
  images: readonly { readonly repository: string; readonly digest: string }[],
  options: VerifyImageOptions & { readonly concurrency?: number },
): Promise<ImageVerification[]> {
  const out: ImageVerification[] = new Array<ImageVerification>(images.length);
  let next = 0;
  const worker = async () => {
    while (next < images.length) {
      const i = next++;
      out[i] = await verifyImage(images[i]!, options);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 8, images.length)) }, worker),
  );
  return out;
}

/** What a verified bundle tells: its predicate type, its signer, and the source a SLSA provenance names. */
function verifiedFacts(r: VerifiedBundle) {
  const predicateType = r.content.kind === 'dsse' ? r.content.statement?.predicateType : undefined;
  const slsaSource =
    predicateType === SLSA_PROVENANCE_V1 && r.content.kind === 'dsse'
      ? slsaSourceOf(r.content.statement)
      : undefined;
  return {
    ...(predicateType ? { predicateType } : {}),
    outcome: 'verified' as const,
    signer: r.signer,
    ...(slsaSource ? { slsaSource } : {}),
  };
}
