import type { BranchObservation, GitHubReleaseObservation, ObservationError } from '../observations.js';
import type { Clock, ForgePort, LockForgePort, RegistryPort, SignaturePort } from '../ports.js';

/**
 * The narrow ports the publish phase needs. @relkit/github implements the forge side (the same
 * adapter that implements the promote ForgePort can implement both); @relkit/registry and
 * @relkit/sigstore-verify the image side. Observation methods report errors as data; actions throw.
 */

export type FileObservation =
  | { readonly state: 'found'; readonly path: string; readonly ref: string; readonly content: string }
  | { readonly state: 'missing'; readonly path: string; readonly ref: string }
  | ObservationError;

// The head of a branch: core's observation (prepare and promote's sync read branches too).
export type { BranchObservation } from '../observations.js';

/** A `repository_dispatch` event to another repository (the downstream smoke test). */
export interface DispatchRequest {
  /** OWNER/REPO receiving the event. */
  readonly repository: string;
  readonly eventType: string;
  readonly clientPayload: Readonly<Record<string, string>>;
}

export interface DraftReleaseRequest {
  readonly tag: string;
  readonly name: string;
  /** Markdown body: the CHANGELOG section without its heading. */
  readonly notes: string;
  readonly prerelease: boolean;
}

export interface FileCommitRequest {
  readonly branch: string;
  readonly path: string;
  /** The whole new content of the file. */
  readonly content: string;
  readonly message: string;
  /**
   * The branch head the change was computed against. The adapter must refuse (not silently
   * rebase) when the branch has moved, so a concurrent commit is never overwritten.
   */
  readonly parentSha: string;
}

/** Several files changed in ONE commit (the finalize commit with its mirrors and version files). */
export interface FilesCommitRequest {
  readonly branch: string;
  /** Each file's whole new content; files not listed keep theirs. */
  readonly files: readonly { readonly path: string; readonly content: string }[];
  readonly message: string;
  /** The branch head the change was computed against; refused (never rebased) if the branch moved. */
  readonly parentSha: string;
}

/**
 * The forge side of publish: promote's observations and its lock (the same lock, so publish,
 * promote and abandon never overlap), plus the writes only publish makes.
 */
export interface PublishForgePort
  extends
    Pick<ForgePort, 'observeTag' | 'listTags' | 'observeRelease' | 'observePullRequest' | 'observeSmoke'>,
    LockForgePort {
  /** The head commit of a branch. */
  observeBranch(branch: string, signal?: AbortSignal): Promise<BranchObservation>;
  /** A file's text at a ref (branch, tag or commit sha), read fresh (no cache). */
  readFile(path: string, ref: string, signal?: AbortSignal): Promise<FileObservation>;
  /**
   * Commits one file change through the API (a signed, bot-authored commit) and returns the new
   * commit's sha. Adapters read the file back at that sha and throw when it is not `content`;
   * core reads it back again anyway (the origin's 0.3.1 commit step was a silent no-op).
   */
  commitFile(change: FileCommitRequest, signal?: AbortSignal): Promise<{ readonly sha: string }>;
  /**
   * Commits several files in one commit (GitHub's git data API: blobs, tree, commit, then the
   * branch ref moved from `parentSha` only). Needed when finalize writes more than the CHANGELOG
   * (changelog mirrors, version files); adapters read every file back at the new commit.
   */
  commitFiles?(change: FilesCommitRequest, signal?: AbortSignal): Promise<{ readonly sha: string }>;
  /** Creates a lightweight tag (a refs/tags ref, no tag object) at a commit. */
  createTag(tag: string, sha: string, signal?: AbortSignal): Promise<void>;
  createDraftRelease(request: DraftReleaseRequest, signal?: AbortSignal): Promise<GitHubReleaseObservation>;
  dispatch(request: DispatchRequest, signal?: AbortSignal): Promise<void>;
}

/**
 * What publish needs from the CHANGELOG engine. Injected as functions so the publish phase does
 * not depend on the engine's internals; the CLI wires core's changelog module into it.
 */
export interface ChangelogOps {
  /**
   * The state of the section of `version`: `frozen` for `## [X.Y.Z] - TBD`, `dated` once finalized
   * (linked or not), `missing` when there is no such section, `other` for anything else.
   */
  sectionState(text: string, version: string): 'frozen' | 'dated' | 'missing' | 'other';
  /** Sets the release date (and the release link) of the frozen section; idempotent. */
  finalize(
    text: string,
    input: {
      readonly version: string;
      readonly date: string;
      readonly repository: string;
      readonly tagPrefix: string;
    },
  ): string;
  /** Release notes: the section body without its heading. */
  notes(text: string, version: string): string;
}

/**
 * The image side of verify-publish: observe a manifest, verify a digest (the promote ports'
 * methods of the same names). Never touches `latest`.
 */
export type PublishImagePorts = Pick<RegistryPort, 'observeManifest'> & Pick<SignaturePort, 'verify'>;

export interface PublishPorts {
  readonly forge: PublishForgePort;
  /** Core's CHANGELOG engine by default. */
  readonly changelog?: ChangelogOps;
  /** Needed by verify-publish only. */
  readonly images?: PublishImagePorts;
  readonly clock?: Clock;
  /** Waits between read-backs (read-after-write lag on refs); setTimeout by default. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}
