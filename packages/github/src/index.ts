// @relkit/github: the forge port over @octokit/rest (+ throttling and retry plugins).
export { GitHubError } from './errors.js';
export type { GitHubErrorCode } from './errors.js';
export { parseRepository } from './repository.js';
export type { RepositoryName } from './repository.js';
export { GitHubForge } from './forge.js';
export type { GitHubForgeOptions } from './forge.js';
export { forgePort } from './release-port.js';
export type { ForgePortOptions } from './release-port.js';
export { publishForgePort } from './publish-port.js';
export {
  packagesPort,
  containerPackageOf,
  DEFAULT_PACKAGES_TOKEN_NAME,
  PACKAGES_PERMISSIONS,
} from './packages-port.js';
export type { PackagesPortOptions } from './packages-port.js';
export type { PublishForgePortOptions } from './publish-port.js';
export { createClient, toGitHubError, checkApiUrl, DEFAULT_TIMEOUT_MS } from './client.js';
export type { ForgeOctokit, GitHubClientOptions, RateLimitEvent } from './client.js';
export { resolveGitHubToken, tokenFromHostsYml } from './token.js';
export { TOKEN_ROLES, asRole, roleLacks, roleRefusal } from './token-roles.js';
export type { TokenRole, TokenRoleFacts } from './token-roles.js';
export type { ResolvedToken, ResolveTokenOptions, TokenSource } from './token.js';
export { summarizeChecks, normalizeCheck } from './checks.js';
export type { RawCheck } from './checks.js';
export { evaluateApproval, classifyMergeability } from './pull-requests.js';
export type { RawReview } from './pull-requests.js';
export { branchPort, prepareForgePort } from './branch-port.js';
export type { BranchPortOptions } from './branch-port.js';
export type {
  Approval,
  BranchComparisonInfo,
  BranchNames,
  CheckResult,
  CheckSummary,
  CheckVerdict,
  ContainerPackage,
  ContainerVersion,
  RepositoryAccess,
  DispatchInput,
  DispatchReceipt,
  DraftReleaseInput,
  DraftReleaseResult,
  FileCommitInput,
  FilesCommitInput,
  FileCommitResult,
  LockCommit,
  LockWrite,
  MakeLatest,
  MergeInput,
  MergeMethod,
  MergeResult,
  Mergeability,
  PublishResult,
  PullRequestClose,
  PullRequestInfo,
  PullRequestOpen,
  PullRequestReport,
  RefCreateResult,
  ReleaseInfo,
  ReleaseLookup,
  ReviewDecision,
  SmokeRule,
  SmokeSignal,
  TagDeletion,
  TagResult,
  WorkflowRunInfo,
} from './types.js';
