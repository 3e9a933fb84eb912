// Version files: a line such as `devkit:0.3.1` in a README, set to the released version in the
// finalize commit. The pattern's first capture group is the version; everything else stays.
import { ReleaseError } from '../errors.js';

function matchOf(text: string, pattern: string): RegExpExecArray | null {
  // `d`: the capture group's indices, so only the group is replaced; `m`: ^ and $ per line.
  return new RegExp(pattern, 'dm').exec(text);
}

/** The version the file currently states, or undefined when the pattern does not match. */
export function statedVersion(text: string, pattern: string): string | undefined {
  return matchOf(text, pattern)?.[1];
}

/** The text with the first match's first capture group replaced by `version`. */
export function withVersion(text: string, path: string, pattern: string, version: string): string {
  const m = matchOf(text, pattern);
  const at = m?.indices?.[1];
  if (!m || !at) {
    throw new ReleaseError(
      'PLAN_FAILED',
      `${path} has no match for its version pattern /${pattern}/ (versionFiles in release.config.json)`,
    );
  }
  return text.slice(0, at[0]) + version + text.slice(at[1]);
}
