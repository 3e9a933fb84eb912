// release.config.json as `release-cli init` writes it.
import { architecturesOf, workflowFileName, type InitInput } from './input.js';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Where the JSON Schema of release.config.json lives in relkit's repository. */
export const CONFIG_SCHEMA_PATH = 'schema/release.config.schema.json';

/**
 * The `$schema` of a generated config: the schema committed in relkit's repository at the very
 * commit (or tag) the workflows' relkit action names, so it exists exactly when the action does
 * and describes the config that action reads. None for a local action (`./`).
 */
export function configSchemaUrl(action: string): string | undefined {
  const m = /^([A-Za-z0-9-]+\/[A-Za-z0-9._-]+)@([^\s/]+)$/.exec(action);
  return m ? `https://raw.githubusercontent.com/${m[1]}/${m[2]}/${CONFIG_SCHEMA_PATH}` : undefined;
}

export function releaseConfig(input: InitInput): string {
  const schema = configSchemaUrl(input.action);
  const publish = escapeRegExp(workflowFileName(input, 'release-publish'));
  const config = {
    ...(schema ? { $schema: schema } : {}),
    repository: input.repository,
    baseBranch: 'main',
    ...(input.integrationBranch ? { integrationBranch: input.integrationBranch } : {}),
    releaseBranch: 'release/{version}',
    changelog: 'CHANGELOG.md',
    images: [{ name: input.image, platforms: architecturesOf(input).map((a) => `linux/${a}`) }],
    signing: {
      issuer: 'https://token.actions.githubusercontent.com',
      // Only the publish workflow, run on a release branch, may sign what promote accepts.
      identityRegexp: `https://github\\.com/${escapeRegExp(input.repository)}/\\.github/workflows/${publish}@refs/heads/release/.+`,
      requireAttestations: ['slsa', 'sbom'],
    },
    ...(input.smoke ? { smoke: { repository: input.smoke, success: 'published' } } : {}),
    requireApproval: true,
    // No merge method: the first of merge, squash, rebase the repository allows is used.
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
