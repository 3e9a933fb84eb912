import type {
  GitHubReleaseObservation,
  ManifestObservation,
  PullRequestObservation,
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
}

export interface Clock {
  now(): Date;
}

export interface ReleasePorts {
  readonly registry: RegistryPort;
  readonly signatures: SignaturePort;
  readonly forge: ForgePort;
  readonly clock?: Clock;
}
