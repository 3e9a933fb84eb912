// connectPublish: the publish phase's composition root, beside connectRelease.
import { createPublishService, type PublishService } from '@relkit/release-core';
import { connectGitHubRoles, connectImages, loadConfig, networkTimeoutMs } from './connect.js';
import type { ConnectOptions } from './options.js';
import { publishForgePort } from '@relkit/github';

/**
 * Builds the publish service from the config and the environment, with the same rules as
 * connectRelease: a client per token role (connectGitHubRoles: RELKIT_GITHUB_TOKEN,
 * RELKIT_COMMIT_TOKEN, RELKIT_SMOKE_TOKEN, each defaulting to the one before; github's the way gh
 * finds it: GH_TOKEN, GITHUB_TOKEN, gh's hosts.yml), the API
 * at RELKIT_GITHUB_API_URL or GITHUB_API_URL. The registry and signature adapters (verify-publish
 * only) come from connectImages.
 */
export async function connectPublish(options: ConnectOptions): Promise<PublishService> {
  const { config, path } = loadConfig(options.cwd, options.configPath);
  const roles = await connectGitHubRoles(options);
  const gh = roles.github;
  const images = connectImages(config, path, options.env, gh, networkTimeoutMs(options));
  return createPublishService(config, {
    forge: publishForgePort(gh, config, { commit: roles.commit, smoke: roles.smoke }),
    images: {
      observeManifest: (image, reference, signal) =>
        images.registry.observeManifest(image, reference, signal),
      verify: (image, digest, policy, signal) => images.signatures.verify(image, digest, policy, signal),
    },
  });
}
