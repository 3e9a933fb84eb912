// The decisions of `release-cli doctor`: pure functions from what was read to a check result.
// The probes (doctor.ts) gather; these judge; the front ends (CLI, Action, VS Code) only render.
import type { ReleaseConfig } from '@relkit/release-core';

/** pass, fail (with the fix), or skip: relkit could not or did not look (the detail says why). */
export type DoctorStatus = 'pass' | 'fail' | 'skip';

export interface DoctorCheck {
  /** Stable id for scripts, e.g. 'config', 'github-token', 'registry-push'. */
  readonly id: string;
  readonly title: string;
  readonly status: DoctorStatus;
  /** What was found (pass), what is wrong (fail) or why it was not checked (skip). */
  readonly detail: string;
  /** One sentence on what to do; set on every failure. */
  readonly fix?: string;
}

export interface DoctorReport {
  /** True when no check failed. Skipped checks do not fail the doctor: they are things relkit
   * cannot see from here (e.g. rulesets the simulator or the token cannot read), or checks that
   * depend on one that already failed, which fails the report anyway. */
  readonly ok: boolean;
  readonly checks: readonly DoctorCheck[];
}

export const pass = (id: string, title: string, detail: string): DoctorCheck => ({
  id,
  title,
  status: 'pass',
  detail,
});
export const fail = (id: string, title: string, detail: string, fix: string): DoctorCheck => ({
  id,
  title,
  status: 'fail',
  detail,
  fix,
});
export const skip = (id: string, title: string, why: string): DoctorCheck => ({
  id,
  title,
  status: 'skip',
  detail: `not checked (${why})`,
});

export function doctorReport(checks: readonly DoctorCheck[]): DoctorReport {
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}

/** The workflows `release-cli init` writes, relative to the repository root. */
export const PUBLISH_WORKFLOW = '.github/workflows/release-publish.yml';
export const PROMOTE_WORKFLOW = '.github/workflows/promote-release.yml';
export const ABANDON_WORKFLOW = '.github/workflows/abandon-release.yml';

/** `uses: owner/name@ref` lines of a workflow, as name → ref (local `./` actions left out). */
export function workflowPins(text: string): Map<string, string> {
  const pins = new Map<string, string>();
  for (const m of text.matchAll(/^\s*-?\s*uses:\s*['"]?([^@\s'"]+)@([^\s'"#]+)/gm)) {
    const [, name, ref] = m;
    if (name && ref && !name.startsWith('./')) pins.set(name, ref);
  }
  return pins;
}

/**
 * A generated workflow against the one `init` would write now: present, and every action it
 * shares with the template pinned to the template's ref. Steps a project added are its own.
 */
export function checkWorkflow(path: string, actual: string | undefined, expected: string): DoctorCheck {
  const id = `workflow:${path}`;
  const title = `workflow ${path}`;
  if (actual === undefined)
    return fail(id, title, 'missing', 'run `release-cli init` (or restore the file) and commit it');
  const have = workflowPins(actual);
  const stale = [...workflowPins(expected)].filter(([name, ref]) => have.has(name) && have.get(name) !== ref);
  if (stale.length > 0) {
    return fail(
      id,
      title,
      `outdated pins: ${stale.map(([n, ref]) => `${n}@${have.get(n)} (now @${ref})`).join(', ')}`,
      'update these `uses:` lines, or regenerate with `release-cli init --force` and re-apply your changes',
    );
  }
  return pass(id, title, `present; ${have.size} action pin(s) current`);
}

/**
 * The prefix `release-cli init --workflow-prefix` gave the workflow files, read back from the
 * signing identity init wrote (it names the publish workflow file).
 */
export function workflowPrefixOf(config: ReleaseConfig): string {
  const re = config.signing?.identityRegexp ?? '';
  const m = /\/workflows\/((?:[A-Za-z0-9_-]|\\\.)*)release-publish\\\.yml/.exec(re);
  return m?.[1]?.replace(/\\(.)/g, '$1') ?? '';
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The signing policy must be anchored to this repository's publish workflow: the identity
 * regexp (always matched as ^…$) accepts the identity the generated publish workflow signs
 * with, and no other repository's. A policy naming another workflow file (the README's old
 * `release.yml`) fails here instead of at the signature gate of the first promote.
 */
export function checkSigningPolicy(config: ReleaseConfig, publishWorkflow = PUBLISH_WORKFLOW): DoctorCheck {
  const id = 'signing-policy';
  const title = 'signing policy anchored to the publish workflow';
  const s = config.signing;
  if (!s)
    return fail(
      id,
      title,
      'no signing policy: promote cannot verify who built the images',
      'add "signing" to release.config.json (`release-cli init` writes one)',
    );
  const all = [{ identity: s.identity, identityRegexp: s.identityRegexp }, ...(s.identities ?? [])].filter(
    (i) => i.identity !== undefined || i.identityRegexp !== undefined,
  );
  if (s.key !== undefined && all.length === 0) return pass(id, title, `keyed signing with ${s.key}`);
  const sample = (repo: string) =>
    `https://github.com/${repo}/${publishWorkflow}@refs/heads/${config.releaseBranch.replace('{version}', '1.2.3')}`;
  const own = sample(config.repository);
  const foreign = sample('someone-else/fork');
  let accepts: (identity: string) => boolean;
  try {
    // signing.identities (a migrated workflow) widen what is accepted: any of them counts.
    const each = all.map((i) => {
      const re = i.identityRegexp !== undefined ? new RegExp(`^(?:${i.identityRegexp})$`) : undefined;
      return (identity: string) => (re ? re.test(identity) : identity === i.identity);
    });
    accepts = (identity) => each.some((a) => a(identity));
  } catch (e) {
    return fail(id, title, `identityRegexp is not a valid regexp: ${(e as Error).message}`, 'fix the regexp');
  }
  const suggested = `https://github\\.com/${escapeRegExp(config.repository)}/${escapeRegExp(publishWorkflow)}@refs/heads/release/.+`;
  if (accepts(foreign))
    return fail(
      id,
      title,
      'the identity policy also accepts signatures from other repositories',
      `set signing.identityRegexp to ${JSON.stringify(suggested)}`,
    );
  if (!accepts(own))
    return fail(
      id,
      title,
      `the identity policy does not accept ${own} (what ${publishWorkflow} signs with)`,
      `set signing.identityRegexp to ${JSON.stringify(suggested)}`,
    );
  return pass(id, title, `accepts ${publishWorkflow} on release branches of ${config.repository} only`);
}
