import type {
  BranchComparison,
  BranchObservation,
  GitHubReleaseObservation,
  ManifestObservation,
  ObservationError,
  PullRequestObservation,
  PullRequestSummary,
  SignatureObservation,
  SmokeObservation,
  TagObservation,
} from './observations.js';
import type { SigningPolicy } from './config.js';
import type { StoredLock } from './engine/lock-state.js';

/**
 * Ports: what core needs from the outside world. Adapters (@relkit/registry,
 * @relkit/sigstore-verify, @relkit/github) implement them; core never imports an adapter.
 * Observation methods report errors as data (state 'error'); action methods throw.
 */
export interface RegistryPort {
  /** The manifest a tag or digest names, with platforms; never follows an index to a child. */
  observeManifest(image: string, reference: string, signal?: AbortSignal): Promise<ManifestObservation>;
  /** Tags of an image (all pages). */
  listTags(image: string, signal?: AbortSignal): Promise<readonly string[]>;
  /**
   * Points `tag` at exactly `digest` (byte-exact manifest copy). By default it skips when the
   * tag already has the digest and reads the tag back afterwards; the executor, which checks
   * before and reads back itself, turns both off (`checked: true`) to save two round trips.
   */
  retag(
    image: string,
    digest: string,
    tag: string,
    options?: { readonly signal?: AbortSignal | undefined; readonly checked?: boolean },
  ): Promise<{ digest: string; skipped: boolean }>;
  /** Deletes a manifest by digest (removes every tag pointing at it). */
  deleteManifest(image: string, digest: string, signal?: AbortSignal): Promise<void>;
  /**
   * Optional: the executor is about to write to this image, after one guard read. An adapter
   * may get ready meanwhile (a push token), so the write waits for nothing. Never throws:
   * whatever fails here fails again, and is reported, at the write.
   */
  prepareWrite?(image: string, signal?: AbortSignal): void;
}

export interface SignaturePort {
  /**
   * Optional: makes ready what verifying against this policy needs that no image decides (trust
   * root, compiled policy), while the digest to verify is still being looked up, so the
   * signature lookups go out as soon as it is known. Never throws: whatever fails here fails
   * again, and is reported, at verify.
   */
  prepare?(policy: SigningPolicy): void;
  /** Verifies the signatures of image@digest against the policy; errors as data. */
  verify(
    image: string,
    digest: string,
    policy: SigningPolicy,
    signal?: AbortSignal,
  ): Promise<SignatureObservation>;
  /** Tags holding this digest's own signatures/attestations (legacy .sig/.att, fallback index). */
  signatureTags?(image: string, digest: string, signal?: AbortSignal): Promise<readonly string[]>;
}

export interface ForgePort {
  observeRelease(tag: string, signal?: AbortSignal): Promise<GitHubReleaseObservation>;
  observeSmoke(tag: string, signal?: AbortSignal): Promise<SmokeObservation>;
  observePullRequest(head: string, base: string, signal?: AbortSignal): Promise<PullRequestObservation>;
  observeTag(tag: string, signal?: AbortSignal): Promise<TagObservation>;
  /** Tags starting with a prefix (for candidate discovery). */
  listTags(prefix: string, signal?: AbortSignal): Promise<readonly string[]>;
  /**
   * Publishes the draft release of a tag (draft → false), choosing make_latest explicitly, and
   * returns it read back. `id`: the draft's id as just observed, which spares the adapter a lookup.
   */
  publishRelease(
    tag: string,
    options: { makeLatest: boolean; id?: number },
    signal?: AbortSignal,
  ): Promise<GitHubReleaseObservation>;
  /**
   * Merges with a head-sha guard, so a PR that moved is not merged. Returns the merge commit sha,
   * read back. Unless `checked` (the caller re-ran the PR gates just before), the adapter
   * re-checks the PR itself first.
   */
  mergePullRequest(
    number: number,
    options: {
      sha: string;
      /** Undefined: the first method the repository allows. */
      method?: 'merge' | 'squash' | 'rebase' | undefined;
      title?: string;
      checked?: boolean;
    },
    signal?: AbortSignal,
  ): Promise<{ sha: string }>;
  /** Closes a PR with a comment (abandon). */
  closePullRequest(number: number, comment: string, signal?: AbortSignal): Promise<void>;
  /** Deletes the draft release of a tag; refuses a published one (that would burn the tag). */
  deleteDraftRelease(tag: string, signal?: AbortSignal): Promise<void>;
  /** Deletes a tag ref (abandon only: never a tag with a published release). */
  deleteTag(tag: string, signal?: AbortSignal): Promise<void>;
  deleteBranch(branch: string, signal?: AbortSignal): Promise<void>;
  /**
   * The release lock `name` as stored: its current state's record and the version that a
   * conditional write names; undefined when the lock was never written.
   */
  readLock(name: string, signal?: AbortSignal): Promise<StoredLock | undefined>;
  /**
   * Writes `record` as the lock's next state, only if the lock still is at version `from`
   * (undefined: only if it does not exist). One conditional write (on GitHub: a commit whose
   * parent is `from`, and a non-forced ref update the forge refuses unless it fast-forwards);
   * `written: false` when someone wrote first. Core decides what records say (lock-state.ts).
   */
  writeLock(
    name: string,
    from: string | undefined,
    record: string,
    signal?: AbortSignal,
  ): Promise<{ written: true; version: string } | { written: false }>;
  /**
   * The lock's version alone, in one round trip (on GitHub: the ref, without its commit), so
   * that a run can start observing as soon as it knows which state it will write over, and
   * read what that state says (readLockRecord) meanwhile. Optional with readLockRecord: a forge
   * whose readLock is one round trip already (a test world) leaves both out.
   */
  readLockVersion?(name: string, signal?: AbortSignal): Promise<string | undefined>;
  /** What the lock's state `version` says (its record); a version once read stays readable. */
  readLockRecord?(name: string, version: string, signal?: AbortSignal): Promise<string>;
  /**
   * Stores `record` as a possible next state over `from` WITHOUT moving the lock, and returns
   * its version: a run makes its "released" state while it works, so that releasing is only
   * moveLock. Optional with moveLock (without them, a release is one writeLock).
   */
  stageLock?(name: string, from: string, record: string, signal?: AbortSignal): Promise<string>;
  /**
   * Moves the lock from `from` to the staged state `to` (whose parent is `from`): the same
   * conditional write as writeLock's, false when someone moved the lock first.
   */
  moveLock?(name: string, from: string, to: string, signal?: AbortSignal): Promise<boolean>;
}

/** The forge's lock operations (engine/lock.ts): what a port that takes the release lock offers. */
export type LockForgePort = Pick<
  ForgePort,
  'readLock' | 'writeLock' | 'readLockVersion' | 'readLockRecord' | 'stageLock' | 'moveLock'
>;

/** One version of a container package as the GitHub Packages API lists it. */
export interface PackageVersion {
  /** The package version id (what a delete names). */
  readonly id: number;
  /** The manifest digest (the API's `name`, sha256:…). */
  readonly digest: string;
  /** Its tags (`metadata.container.tags`); none for a platform manifest or an orphan. */
  readonly tags: readonly string[];
}

/**
 * Package versions of a container image in a registry that manages them outside the OCI API
 * (ghcr.io: the GitHub Packages API). `image` is the image as the config names it.
 */
export interface PackagesPort {
  /** Every version of the image's package (all pages). */
  listVersions(image: string, signal?: AbortSignal): Promise<readonly PackageVersion[]>;
  /** Deletes one version; false when it was already gone. */
  deleteVersion(image: string, id: number, signal?: AbortSignal): Promise<boolean>;
}

/** A pull request to open (prepare's release PR, the integration sync PR). */
export interface OpenPullRequestRequest {
  readonly head: string;
  readonly base: string;
  readonly title: string;
  /** Markdown; adapters cap it at the forge's limit. */
  readonly body: string;
  readonly draft: boolean;
}

/**
 * Branches and pull requests, for gitflow: `prepare` cuts the release branch from the
 * integration branch and opens the release PR; promote brings the integration branch up to date
 * after the merge. Ref writes are never forced.
 */
export interface BranchPort {
  observeBranch(branch: string, signal?: AbortSignal): Promise<BranchObservation>;
  /** How `head` relates to `base` (compare base...head); errors as data. */
  compareBranches(base: string, head: string, signal?: AbortSignal): Promise<BranchComparison>;
  /** Creates a branch at a commit; the branch already there at that commit counts as done. */
  createBranch(branch: string, sha: string, signal?: AbortSignal): Promise<void>;
  /**
   * Moves a branch from `fromSha` to `toSha` without force: refused (throws) when the branch is
   * not at `fromSha` or `toSha` does not contain it. Reads the branch back.
   */
  fastForwardBranch(branch: string, fromSha: string, toSha: string, signal?: AbortSignal): Promise<void>;
  /** The PR `head` → `base`: the open one, else the newest merged, else the newest closed one. */
  findPullRequest(
    head: string,
    base: string,
    signal?: AbortSignal,
  ): Promise<PullRequestSummary | { readonly state: 'missing' } | ObservationError>;
  openPullRequest(request: OpenPullRequestRequest, signal?: AbortSignal): Promise<PullRequestSummary>;
}

export interface Clock {
  now(): Date;
}

export interface ReleasePorts {
  readonly registry: RegistryPort;
  readonly signatures: SignaturePort;
  readonly forge: ForgePort;
  /** Gitflow: bringing the integration branch up to date after promote merged (optional). */
  readonly branches?: BranchPort;
  readonly clock?: Clock;
  /** The GitHub Packages API, for RC clean-up on ghcr.io (see cleanup/route.ts). */
  readonly packages?: PackagesPort;
}
