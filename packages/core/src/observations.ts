import type { ReleaseVersion } from './version.js';

/**
 * Observations: what the registry and GitHub say about one release, gathered through the
 * ports. Everything relkit decides is a pure function of these; relkit keeps no state of its own.
 *
 * Every observation distinguishes "absent" from "could not look" (`error`): a rate-limited
 * signature lookup must never read as "unsigned", and a 5xx must never read as "no release".
 */

export interface ObservationError {
  readonly state: 'error';
  /** Stable code from the adapter (e.g. RATE_LIMITED, UNAUTHORIZED). */
  readonly code: string;
  readonly message: string;
  /**
   * True when looking again later may give an answer (network, timeout, 5xx, rate limit): the
   * world was not seen. False when the answer itself is the problem (unauthorized, invalid).
   */
  readonly transient: boolean;
}

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string | undefined;
  readonly digest: string;
}

export type ManifestObservation =
  | {
      readonly state: 'found';
      readonly digest: string;
      readonly mediaType: string;
      /** True for an OCI index or a Docker manifest list. */
      readonly multiArch: boolean;
      readonly platforms: readonly Platform[];
    }
  | { readonly state: 'missing' }
  | ObservationError;

export interface Signer {
  readonly identity: string;
  readonly issuer: string;
  readonly tlogIndex?: string | undefined;
  readonly integratedTime?: string | undefined;
}

/**
 * What the signing certificate says the image was built from: Fulcio's extensions under
 * 1.3.6.1.4.1.57264.1, as GitHub Actions fills them. Reported by the signature port, judged by
 * the image-provenance gate. Absent for keyed signatures.
 */
export interface BuildProvenance {
  /** .12, e.g. https://github.com/acme/app. */
  readonly sourceRepository?: string | undefined;
  /** .13: the commit the workflow ran on. */
  readonly sourceDigest?: string | undefined;
  /** .14, e.g. refs/heads/release/1.2.3 or refs/tags/1.2.3. */
  readonly sourceRef?: string | undefined;
  /** .9 build signer URI with its @ref, e.g. https://github.com/acme/app/.github/workflows/release.yml@refs/heads/release/1.2.3. */
  readonly signerWorkflow?: string | undefined;
  /** .11: github-hosted or self-hosted. */
  readonly runnerEnvironment?: string | undefined;
  /** .20, e.g. push. */
  readonly buildTrigger?: string | undefined;
  /** .21: the workflow run. */
  readonly runInvocation?: string | undefined;
}

/** The source a SLSA provenance attestation names (`resolvedDependencies`' git commit and ref). */
export interface SlsaSourceObservation {
  readonly sourceDigest?: string | undefined;
  readonly sourceRef?: string | undefined;
}

export type SignatureObservation =
  | {
      readonly state: 'verified';
      readonly digest: string;
      readonly signer: Signer;
      /** Attestation kinds found and verified for this digest. */
      readonly attestations: readonly ('slsa' | 'sbom')[];
      /** The signing certificate's build facts (of the signer reported above). */
      readonly provenance?: BuildProvenance | undefined;
      /** One per verified SLSA provenance attestation: the source it names (empty when none). */
      readonly slsaSources?: readonly SlsaSourceObservation[] | undefined;
    }
  /** Signatures were found, but none satisfied the policy. */
  | { readonly state: 'rejected'; readonly digest: string; readonly reasons: readonly string[] }
  | { readonly state: 'unsigned'; readonly digest: string }
  | { readonly state: 'not-checked' }
  | ObservationError;

export interface ImageObservation {
  /** Image name without tag, e.g. ghcr.io/acme/app. */
  readonly image: string;
  /** The X.Y.Z tag. */
  readonly version: ManifestObservation;
  readonly latest: ManifestObservation;
  /** Which version tag `latest` currently points at (same digest), when one does. */
  readonly latestVersion?: string | undefined;
  /** The signature of the X.Y.Z digest (the index, for a multi-arch image). */
  readonly signature: SignatureObservation;
  /** Signatures of each platform digest, when the policy asks for them. */
  readonly platformSignatures?: readonly SignatureObservation[] | undefined;
  /** Candidate tags of this version present on the image (for cleanup). */
  readonly candidateTags?: readonly { readonly tag: string; readonly digest: string }[] | undefined;
}

export type GitHubReleaseObservation =
  | {
      readonly state: 'draft' | 'published';
      readonly id: number;
      readonly tag: string;
      readonly url: string;
      readonly prerelease: boolean;
    }
  | { readonly state: 'missing' }
  | ObservationError;

export type SmokeObservation =
  | {
      readonly state: 'draft' | 'prerelease' | 'published';
      readonly repository: string;
      readonly tag: string;
      readonly url: string;
    }
  | { readonly state: 'missing'; readonly repository: string; readonly tag: string }
  | { readonly state: 'not-configured' }
  | ObservationError;

export interface CheckObservation {
  readonly name: string;
  /** Of the latest run of this check name only. */
  readonly state: 'success' | 'pending' | 'failure' | 'neutral' | 'skipped';
  readonly url?: string | undefined;
}

export type Mergeability =
  'clean' | 'behind' | 'blocked' | 'dirty' | 'unstable' | 'unknown' | 'draft' | 'has_hooks';

export type PullRequestObservation =
  | {
      readonly state: 'open' | 'merged' | 'closed';
      readonly number: number;
      readonly url: string;
      readonly head: string;
      readonly base: string;
      readonly headSha: string;
      readonly draft: boolean;
      /** 'unknown' when GitHub could not say (e.g. no review decision and no reviews readable). */
      readonly approved: boolean | 'unknown';
      /**
       * Whether an approval counted in `approved` was given on `headSha` itself. An approval of an
       * older commit does not cover what was pushed after it (the pr-approved gate refuses it
       * unless `pullRequest.acceptStaleApprovals`).
       */
      readonly approvedOnHead: boolean;
      /** The check runs and statuses of `headSha` (latest run per check). */
      readonly checks: readonly CheckObservation[];
      readonly mergeable: Mergeability;
      readonly mergeCommitSha?: string | undefined;
    }
  | { readonly state: 'missing'; readonly head: string; readonly base: string }
  | ObservationError;

export type TagObservation =
  | { readonly state: 'found'; readonly tag: string; readonly sha: string }
  | { readonly state: 'missing'; readonly tag: string }
  | ObservationError;

export interface Observations {
  /** The version observed, parsed once at the edge (its JSON is the text, e.g. "1.2.3"). */
  readonly version: ReleaseVersion;
  readonly observedAt: string;
  readonly images: readonly ImageObservation[];
  readonly release: GitHubReleaseObservation;
  readonly smoke: SmokeObservation;
  readonly pullRequest: PullRequestObservation;
  readonly versionTag: TagObservation;
  /** Candidate git tags of this version (X.Y.Z-rcN), oldest first. */
  readonly candidateTags: readonly string[];
}

/**
 * Codes of could-not-look failures worth retrying, for errors that do not say so themselves
 * (adapters' errors carry `transient`; node's network errors and bare coded errors do not).
 */
const TRANSIENT_CODES = new Set([
  'NETWORK',
  'TIMEOUT',
  'UNAVAILABLE',
  'RATE_LIMITED',
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Whether a thrown error is a could-not-look worth retrying: its own `transient` when it has
 * one, else its code (or its cause's), else fetch's bare "fetch failed".
 */
export function isTransient(e: unknown, depth = 0): boolean {
  if (typeof e !== 'object' || e === null || depth > 4) return false;
  const err = e as { transient?: unknown; code?: unknown; cause?: unknown; message?: unknown };
  if (typeof err.transient === 'boolean') return err.transient;
  if (typeof err.code === 'string' && TRANSIENT_CODES.has(err.code)) return true;
  if (err.cause !== undefined && err.cause !== e) return isTransient(err.cause, depth + 1);
  return e instanceof TypeError && typeof err.message === 'string' && /fetch failed/i.test(err.message);
}

/** Turns a thrown adapter error into an observation error (code + message), never a crash. */
export function asObservationError(e: unknown): ObservationError {
  const err = e as { code?: unknown; message?: unknown };
  return {
    state: 'error',
    code: typeof err?.code === 'string' ? err.code : 'UNKNOWN',
    message: typeof err?.message === 'string' ? err.message : String(e),
    transient: isTransient(e),
  };
}

/** Awaits an observation; a thrown error becomes `onError(the observation error)`, never a crash. */
export async function settle<T>(p: Promise<T>, onError: (e: ObservationError) => T): Promise<T> {
  try {
    return await p;
  } catch (e) {
    return onError(asObservationError(e));
  }
}

/** The head commit of a branch. */
export type BranchObservation =
  | { readonly state: 'found'; readonly branch: string; readonly sha: string }
  | { readonly state: 'missing'; readonly branch: string }
  | ObservationError;

/**
 * How `head` relates to `base` (GitHub's compare `base...head`): `ahead` when head has commits
 * base lacks and base none that head lacks, `behind` the other way round, `diverged` when both.
 */
export type BranchComparison =
  | {
      readonly state: 'found';
      readonly status: 'identical' | 'ahead' | 'behind' | 'diverged';
      readonly aheadBy: number;
      readonly behindBy: number;
    }
  | ObservationError;

/** A pull request as prepare and the integration sync see it (no checks, no reviews). */
export type PullRequestSummary = {
  readonly state: 'open' | 'merged' | 'closed';
  readonly number: number;
  readonly url: string;
  readonly head: string;
  readonly base: string;
  readonly draft: boolean;
  readonly headSha: string;
};
