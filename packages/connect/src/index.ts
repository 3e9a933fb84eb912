// @relkit/connect: the composition root shared by release-cli, the GitHub Action and the VS Code
// extension. It reads release.config.json, finds credentials and wires the registry, sigstore and
// GitHub adapters into @relkit/release-core's ports; front ends call connectRelease /
// connectPublish / connectPrepare and render what the services return.
export type { ConnectOptions, ReleaseConnectOptions } from './options.js';
export { CONFIG_FILE, findConfig, loadConfig } from './connect.js';
export { DEFAULT_TIMEOUT_SECONDS, gitHubApiUrl, networkTimeoutMs } from './connect.js';
export {
  connectCleanup,
  connectRelease,
  connectPorts,
  connectGitHub,
  connectGitHubRoles,
  connectImages,
} from './connect.js';
export type { GitHubRoles } from './connect.js';
export { resolveRoleTokens } from './role-tokens.js';
export type { RoleName, RoleToken, RoleTokens } from './role-tokens.js';
export { connectPublish } from './publish.js';
export { connectPrepare } from './prepare.js';
export * from './doctor/index.js';
export * from './init/index.js';
