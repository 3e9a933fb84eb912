// connectPrepare: gitflow prepare's composition root, beside connectRelease and connectPublish.
import { createPrepareService, type PrepareService } from '@relkit/release-core';
import { prepareForgePort } from '@relkit/github';
import { connectGitHubRoles, loadConfig } from './connect.js';
import type { ConnectOptions } from './options.js';

/**
 * Builds the prepare service from the config and the environment, with connectPublish's token
 * roles: the freeze commit and the release branch with the commit token (RELKIT_COMMIT_TOKEN),
 * the release PR with the github token. No registry: prepare touches no image.
 */
export async function connectPrepare(options: ConnectOptions): Promise<PrepareService> {
  const { config } = loadConfig(options.cwd, options.configPath);
  const roles = await connectGitHubRoles(options);
  return createPrepareService(config, {
    forge: prepareForgePort(roles.github, config, { commit: roles.commit }),
  });
}
