// Every action of another repository that the generated workflows use, in ONE table: pinned to
// the full commit SHA of a release tag of the action's current major (a tag can be moved, a
// commit cannot), with the tag as the trailing comment. Annotated tags are peeled: the SHA is the
// commit's, never the tag object's. The inputs the templates pass are checked against each
// action's action.yml at exactly that commit (packages/cli/test-data/actions/, read with
// `git show <sha>:action.yml`); `release-cli doctor` reports a workflow whose pins differ.
//
// To update: pick the newest release tag of the major, `git rev-list -n1 <tag>`, replace the
// row, add the new action.yml snapshot and run the init tests.

export interface ActionPin {
  /** OWNER/REPO of the action. */
  readonly action: string;
  /** The current major, as its moving tag is named. */
  readonly major: string;
  /** The release tag the SHA belongs to. */
  readonly tag: string;
  /** The commit that tag names (40 hex digits). */
  readonly sha: string;
}

export const ACTION_PINS = {
  checkout: {
    action: 'actions/checkout',
    major: 'v7',
    tag: 'v7.0.1',
    sha: '3d3c42e5aac5ba805825da76410c181273ba90b1',
  },
  createGitHubAppToken: {
    action: 'actions/create-github-app-token',
    major: 'v3',
    tag: 'v3.1.1',
    sha: '1b10c78c7865c340bc4f6099eb2f838309f1e8c3',
  },
  // Provenance (no predicate input) and the SBOM (sbom-path) both; actions/attest-build-provenance
  // v4 is a thin wrapper around it.
  attest: {
    action: 'actions/attest',
    major: 'v4',
    tag: 'v4.2.2',
    sha: '1e69f48acb82d1966a394da916b4c1698aa569d6',
  },
  setupBuildx: {
    action: 'docker/setup-buildx-action',
    major: 'v4',
    tag: 'v4.3.0',
    sha: '37fe631027851001ddb9b187196cc803df7f5f0e',
  },
  login: {
    action: 'docker/login-action',
    major: 'v4',
    tag: 'v4.1.0',
    sha: '4907a6ddec9925e35a0a9e82d7399ccc52663121',
  },
  buildPush: {
    action: 'docker/build-push-action',
    major: 'v7',
    tag: 'v7.3.0',
    sha: '53b7df96c91f9c12dcc8a07bcb9ccacbed38856a',
  },
  cosignInstaller: {
    action: 'sigstore/cosign-installer',
    major: 'v4',
    tag: 'v4.1.2',
    sha: '6f9f17788090df1f26f669e9d70d6ae9567deba6',
  },
  sbom: {
    action: 'anchore/sbom-action',
    major: 'v0',
    tag: 'v0.24.0',
    sha: 'e22c389904149dbc22b58101806040fa8d37a610',
  },
} as const satisfies Record<string, ActionPin>;

export type PinnedAction = keyof typeof ACTION_PINS;

/** The `uses:` value of a pinned action, with its tag as the trailing comment. */
export function uses(name: PinnedAction): string {
  const p = ACTION_PINS[name];
  return `${p.action}@${p.sha} # ${p.tag}`;
}
