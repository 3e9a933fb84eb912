// @relkit/github: the forge port over @octokit/rest.
export { GitHubError } from './errors.js';
export type { GitHubErrorCode } from './errors.js';
export { parseRepository } from './repository.js';
export type { RepositoryName } from './repository.js';
