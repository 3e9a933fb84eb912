import type { BranchPort, Clock, LockForgePort } from '../ports.js';
import type { FilesCommitRequest, PublishForgePort } from '../publish/ports.js';

/**
 * The forge side of prepare: branches and pull requests (BranchPort), the file reads and the
 * API commit publish uses, the version tags, and the one release lock. The freeze commit goes
 * through `commitFiles` (git data API: the branch ref moves from the observed head only, never
 * forced), so a concurrent push to the integration branch is never overwritten.
 */
export interface PrepareForgePort
  extends BranchPort, Pick<PublishForgePort, 'readFile' | 'observeTag' | 'listTags'>, LockForgePort {
  commitFiles(change: FilesCommitRequest, signal?: AbortSignal): Promise<{ readonly sha: string }>;
}

export interface PreparePorts {
  readonly forge: PrepareForgePort;
  readonly clock?: Clock;
  /** Waits between read-backs (read-after-write lag on refs); setTimeout by default. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}
