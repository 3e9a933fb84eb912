// connectPublish: the publish phase's composition root, beside connectRelease.
import { createPublishService, type PublishService } from '@relkit/release-core';
import { connectGitHub, connectImages, loadConfig } from './connect.js';
import type { ConnectOptions } from './options.js';
import { publishForgePort } from '@relkit/github';

/**
 * Builds the publish service from the config and the environment, with the same rules as
 * connectRelease: the token the way gh finds it (GH_TOKEN, GITHUB_TOKEN, gh's hosts.yml), the API
 * at RELKIT_GITHUB_API_URL or GITHUB_API_URL. The registry and signature adapters (verify-publish
 * only) come from connectImages.
 */
export async function connectPublish(options: ConnectOptions): Promise<PublishService> {
  const { config, path } = loadConfig(options.cwd, options.configPath);
  const gh = await connectGitHub(options);
  const images = connectImages(config, path, options.env, gh);
  return createPublishService(config, {
    forge: publishForgePort(gh, config),
    images: {
      observeManifest: (image, reference, signal) =>
        images.registry.observeManifest(image, reference, signal),
      verify: (image, digest, policy, signal) => images.signatures.verify(image, digest, policy, signal),
    },
  });
}
