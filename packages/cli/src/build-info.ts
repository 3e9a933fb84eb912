// Which relkit this CLI is: the repository and commit it was built from, recorded by the build
// (tools/bundle-cli.mjs and tools/build-action.mjs define __RELKIT_BUILD_INFO__ from
// `git rev-parse HEAD` and package.json's repository). `release-cli init` pins relkit's action to
// that commit. Run from unbundled sources (tests, tsc's dist/) or built without git, there is no
// commit: init falls back to the version tag and says so.

export interface BuildInfo {
  /** OWNER/REPO of relkit's GitHub repository. */
  readonly repository: string;
  /** The commit the CLI was built from (40 hex digits), when the build could tell. */
  readonly commit?: string | undefined;
  /** The @relkit/cli version (package.json). */
  readonly version: string;
}

declare const __RELKIT_BUILD_INFO__: BuildInfo | undefined;

/** OWNER/REPO from package.json's `repository` (a string or { url }). */
export function repositoryOf(repository: unknown): string | undefined {
  const url =
    typeof repository === 'string'
      ? repository
      : typeof repository === 'object' && repository !== null && 'url' in repository
        ? String((repository as { url: unknown }).url)
        : undefined;
  const m = url && /github(?:\.com[:/]|:)([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/.exec(url);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

function fromPackageJson(): BuildInfo {
  const { readFileSync } = process.getBuiltinModule('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
    repository?: unknown;
  };
  return { repository: repositoryOf(pkg.repository) ?? 'relkit/relkit', version: pkg.version };
}

let cached: BuildInfo | undefined;
/** Read on first use only: most commands never need it. */
export function buildInfo(): BuildInfo {
  cached ??= typeof __RELKIT_BUILD_INFO__ === 'object' ? __RELKIT_BUILD_INFO__ : fromPackageJson();
  return cached;
}

/** relkit's action as the generated workflows reference it: by commit, else by version tag. */
export function defaultAction(info: BuildInfo = buildInfo()): { action: string; pinned: boolean } {
  return info.commit
    ? { action: `${info.repository}@${info.commit}`, pinned: true }
    : { action: `${info.repository}@v${info.version}`, pinned: false };
}
