import { readFile } from 'node:fs/promises';
import { TRANSIENT_CODES, parseReference, type RegistryClient } from '@relkit/registry';
import { SigstoreVerifyError } from './errors.js';
import { verifyImage, type AttestationRequirement, type ImageVerification } from './image.js';
import type { SingleIdentityMatch } from './identity.js';
import type { SignerPolicy } from './policy.js';
import { registrySignatureStore } from './registry-store.js';
import type { AttestationsApi } from './store.js';
import { loadTrustRootFile, publicGoodTrustRoot, type TrustRoot } from './trust-root.js';
import { BundleVerifier, type VerifiedSigner } from './verify.js';

/** The signing policy as release.config.json states it (paths are read by the port). */
export interface ImageSigningPolicy {
  readonly issuer: string;
  readonly identity?: string | undefined;
  readonly identityRegexp?: string | undefined;
  /** Further accepted identities (a migrated release workflow): any one of all of them verifies. */
  readonly identities?:
    | readonly { readonly identity?: string | undefined; readonly identityRegexp?: string | undefined }[]
    | undefined;
  /** Path to a PEM public key (keyed signing). */
  readonly key?: string | undefined;
  /** Path to a trusted_root.json; the pinned public-good root when absent. */
  readonly trustedRoot?: string | undefined;
  readonly requireAttestations?: readonly AttestationRequirement[] | undefined;
}

/** What promote needs to know about one digest, errors as data (the shape of core's SignatureObservation). */
export type SignatureCheck =
  | {
      readonly state: 'verified';
      readonly digest: string;
      readonly signer: {
        readonly identity: string;
        readonly issuer: string;
        readonly tlogIndex?: string | undefined;
        readonly integratedTime?: string | undefined;
      };
      readonly attestations: readonly AttestationRequirement[];
      /** What the signing certificate says the image was built from; absent for keyed signatures. */
      readonly provenance?: SignerProvenance | undefined;
      /** One per verified SLSA provenance attestation: the source it names (empty when none). */
      readonly slsaSources?: readonly { readonly sourceDigest?: string; readonly sourceRef?: string }[];
    }
  | { readonly state: 'rejected'; readonly digest: string; readonly reasons: readonly string[] }
  | { readonly state: 'unsigned'; readonly digest: string }
  | {
      readonly state: 'error';
      readonly code: string;
      readonly message: string;
      /** True when looking again later may answer (network, timeout, 5xx, rate limit). */
      readonly transient: boolean;
    };

/** The build facts of a Fulcio certificate (core's BuildProvenance): reported here, judged by core. */
export interface SignerProvenance {
  readonly sourceRepository?: string | undefined;
  readonly sourceDigest?: string | undefined;
  readonly sourceRef?: string | undefined;
  /** The build signer URI with its `@ref`, e.g. https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1. */
  readonly signerWorkflow?: string | undefined;
  readonly runnerEnvironment?: string | undefined;
  readonly buildTrigger?: string | undefined;
  readonly runInvocation?: string | undefined;
}

/** The provenance claims of a verified certificate signer; undefined for a keyed one. */
export function provenanceOf(s: VerifiedSigner): SignerProvenance | undefined {
  if (s.kind !== 'certificate') return undefined;
  const c = s.claims;
  const p: Record<string, string> = {};
  const put = (k: keyof SignerProvenance, v: string | undefined) => {
    if (v !== undefined) p[k] = v;
  };
  put('sourceRepository', c.sourceRepositoryUri);
  put('sourceDigest', c.sourceRepositoryDigest);
  put('sourceRef', c.sourceRepositoryRef);
  put('signerWorkflow', c.buildSignerUri);
  put('runnerEnvironment', c.runnerEnvironment);
  put('buildTrigger', c.buildTrigger);
  put('runInvocation', c.runInvocationUri);
  return p as SignerProvenance;
}

/** Could-not-look codes of the registry reads worth retrying (@relkit/registry's TRANSIENT_CODES). */
const TRANSIENT = new Set<string>(TRANSIENT_CODES);

/** An error's own `transient` when it says, else whether its code is a transient registry code. */
function transientOf(e: unknown): boolean {
  const err = e as { transient?: unknown; code?: unknown } | null;
  if (typeof err?.transient === 'boolean') return err.transient;
  return typeof err?.code === 'string' && TRANSIENT.has(err.code);
}

export interface SignaturePortOptions {
  /** @relkit/registry's client (with credentials): the port reads signatures through it. */
  readonly registry: Pick<RegistryClient, 'referrers' | 'findManifest' | 'getBlob' | 'headManifest'>;
  /** Turns the policy's `key` / `trustedRoot` paths into file paths (e.g. relative to the config). */
  readonly resolvePath?: (path: string) => string;
  /**
   * GitHub's attestations API of the released repository, read beside the registry for
   * bundles `actions/attest*` stored without `push-to-registry`.
   */
  readonly attestationsApi?: AttestationsApi;
}

/**
 * The check as data: one sentence per rejection, the first verified signer, and which
 * attestation kinds were found and verified. Required attestations are not judged here: core's
 * `image-attestations` gate alone decides, so a signed image lacking one still reads `verified`.
 */
export function toSignatureCheck(r: ImageVerification): SignatureCheck {
  const signerOf = (s: VerifiedSigner) => ({
    identity: s.identity ?? `public key sha256:${s.keyFingerprint}`,
    issuer: s.issuer ?? '(keyed signature)',
    tlogIndex: s.tlogIndex,
    integratedTime: s.integratedTime,
  });
  const kinds = [
    ...new Set(
      r.attestations.map((a): AttestationRequirement | undefined =>
        a.category === 'slsa-provenance' ? 'slsa' : a.category.startsWith('sbom') ? 'sbom' : undefined,
      ),
    ),
  ].filter((k): k is AttestationRequirement => k !== undefined);
  switch (r.verdict) {
    case 'verified':
    case 'missing-attestation': {
      const provenance = provenanceOf(r.signers[0]!);
      const slsaSources = r.attestations
        .filter((a) => a.category === 'slsa-provenance')
        .map((a) => ({
          ...(a.slsaSource?.commit ? { sourceDigest: a.slsaSource.commit } : {}),
          ...(a.slsaSource?.ref ? { sourceRef: a.slsaSource.ref } : {}),
        }));
      return {
        state: 'verified',
        digest: r.digest,
        signer: signerOf(r.signers[0]!),
        attestations: kinds,
        ...(provenance ? { provenance } : {}),
        ...(slsaSources.length > 0 ? { slsaSources } : {}),
      };
    }
    case 'not-signed':
      return { state: 'unsigned', digest: r.digest };
    case 'rejected':
      return {
        state: 'rejected',
        digest: r.digest,
        reasons: r.findings
          .filter((f) => f.outcome === 'rejected')
          .map((f) => `${f.source}: ${f.reason?.message}`),
      };
    case 'could-not-look': {
      const code = r.lookupProblems[0]?.code ?? 'LOOKUP_FAILED';
      return { state: 'error', code, message: r.summary, transient: TRANSIENT.has(code) };
    }
  }
}

/** Every identity the policy accepts: identity / identityRegexp first, then `identities`. */
export function acceptedIdentities(policy: ImageSigningPolicy): SingleIdentityMatch[] {
  const one = (i: {
    readonly identity?: string | undefined;
    readonly identityRegexp?: string | undefined;
  }): SingleIdentityMatch[] =>
    i.identity !== undefined
      ? [{ identity: i.identity }]
      : i.identityRegexp !== undefined
        ? [{ identityRegexp: i.identityRegexp }]
        : [];
  return [...one(policy), ...(policy.identities ?? []).flatMap(one)];
}

/**
 * Signature verification as a port for core (structurally core's SignaturePort): verify(image,
 * digest, policy) → SignatureCheck. Trust roots and compiled policies are cached per policy.
 */
export function signaturePort(options: SignaturePortOptions) {
  const resolvePath = options.resolvePath ?? ((p: string) => p);
  const verifiers = new Map<string, Promise<BundleVerifier>>();
  const roots = new Map<string, Promise<TrustRoot>>();

  const verifierFor = (policy: ImageSigningPolicy): Promise<BundleVerifier> => {
    const key = JSON.stringify([
      policy.issuer,
      policy.identity,
      policy.identityRegexp,
      policy.identities,
      policy.key,
      policy.trustedRoot,
    ]);
    let v = verifiers.get(key);
    if (!v) {
      v = (async () => {
        // The pinned public-good root is parsed only when no other is configured.
        let trustRoot: TrustRoot;
        if (policy.trustedRoot) {
          const path = resolvePath(policy.trustedRoot);
          let r = roots.get(path);
          if (!r) roots.set(path, (r = loadTrustRootFile(path)));
          trustRoot = await r;
        } else trustRoot = publicGoodTrustRoot();
        let signer: SignerPolicy;
        if (policy.key) {
          const path = resolvePath(policy.key);
          let pem: string;
          try {
            pem = await readFile(path, 'utf8');
          } catch (e) {
            throw new SigstoreVerifyError(
              'POLICY_INVALID',
              `cannot read the public key ${path}: ${(e as Error).message}`,
            );
          }
          signer = { publicKey: pem };
        } else if ((policy.identities?.length ?? 0) > 0)
          signer = { anyOf: acceptedIdentities(policy), issuer: policy.issuer };
        else if (policy.identity !== undefined) signer = { identity: policy.identity, issuer: policy.issuer };
        else if (policy.identityRegexp !== undefined)
          signer = { identityRegexp: policy.identityRegexp, issuer: policy.issuer };
        else
          throw new SigstoreVerifyError('POLICY_INVALID', 'the signing policy names no identity and no key');
        return new BundleVerifier({ trustRoot, policy: signer });
      })();
      verifiers.set(key, v);
      v.catch(() => verifiers.delete(key));
    }
    return v;
  };

  const locate = (image: string, digest: string) => {
    const ref = parseReference(`${image}@${digest}`);
    return { registry: ref.registry, repository: ref.repository };
  };

  return {
    /**
     * Builds (and caches) the verifier of this policy now: its trust root read and parsed, its
     * trust chains warmed, while the caller still looks up the digest to verify. Errors are
     * left for verify, which meets them again (a failed build is not cached).
     */
    prepare(policy: ImageSigningPolicy): void {
      verifierFor(policy).catch(() => undefined);
    },

    async verify(
      image: string,
      digest: string,
      policy: ImageSigningPolicy,
      signal?: AbortSignal,
    ): Promise<SignatureCheck> {
      try {
        signal?.throwIfAborted();
        const verifier = await verifierFor(policy);
        const { registry, repository } = locate(image, digest);
        const r = await verifyImage(
          { repository, digest },
          {
            store: registrySignatureStore(options.registry, registry),
            verifier,
            ...(options.attestationsApi ? { attestationsApi: options.attestationsApi } : {}),
            // Only report which attestations verify: core's image-attestations gate judges them.
            ...(signal ? { signal } : {}),
          },
        );
        return toSignatureCheck(r);
      } catch (e) {
        const err = e as { code?: unknown; message?: unknown };
        return {
          state: 'error',
          code: typeof err.code === 'string' ? err.code : 'VERIFICATION_FAILED',
          message: typeof err.message === 'string' ? err.message : String(e),
          transient: transientOf(e),
        };
      }
    },

    /** Tags holding this digest's own signatures and attestations (legacy .sig/.att, fallback index). */
    async signatureTags(image: string, digest: string, signal?: AbortSignal): Promise<readonly string[]> {
      const { registry, repository } = locate(image, digest);
      const hex = digest.replace(/^sha256:/, '');
      const tags = [`sha256-${hex}.sig`, `sha256-${hex}.att`, `sha256-${hex}`];
      const found = await Promise.all(
        tags.map((tag) =>
          options.registry.headManifest({ registry, repository, tag, digest: undefined }, { signal }),
        ),
      );
      return tags.filter((_, i) => found[i] !== undefined);
    },
  };
}

export type SignaturePortAdapter = ReturnType<typeof signaturePort>;
