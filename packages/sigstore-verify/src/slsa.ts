import type { InTotoStatement } from './subject.js';

/** What a SLSA provenance v1 statement says the build was made from. */
export interface SlsaSource {
  /** The git commit of the source, e.g. the release commit. */
  readonly commit?: string;
  /** The git ref the build ran on, e.g. refs/tags/1.2.3. */
  readonly ref?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/**
 * The source of a SLSA provenance v1 predicate: the git dependency of `resolvedDependencies`
 * (`git+https://…@ref` with `digest.gitCommit`), as GitHub's workflow build type
 * (https://actions.github.io/buildtypes/workflow/v1) and slsa-github-generator write it, and
 * the ref of `externalParameters.workflow` when the URI has none. Undefined when it names no
 * git source. Only read from a statement whose signature verified.
 */
export function slsaSourceOf(statement: InTotoStatement | undefined): SlsaSource | undefined {
  const def = obj(obj(statement?.predicate)?.buildDefinition);
  if (!def) return undefined;
  const deps = Array.isArray(def.resolvedDependencies) ? def.resolvedDependencies : [];
  const git = deps
    .map(obj)
    .find((d) => str(d?.uri)?.startsWith('git+') === true && str(obj(d?.digest)?.gitCommit) !== undefined);
  const uri = str(git?.uri);
  const commit = str(obj(git?.digest)?.gitCommit);
  const at = uri?.lastIndexOf('@') ?? -1;
  const ref =
    (uri && at > 0 && uri.slice(at + 1).startsWith('refs/') ? uri.slice(at + 1) : undefined) ??
    str(obj(obj(def.externalParameters)?.workflow)?.ref);
  if (commit === undefined && ref === undefined) return undefined;
  return { ...(commit ? { commit } : {}), ...(ref ? { ref } : {}) };
}
