/**
 * The structural rule for certificate identity regexps (config `signing.identityRegexp`).
 *
 * A regexp is accepted only when every identity it can match begins with
 * `https://<host>/<owner>/<repo>/` for the configured repository or a trusted signer
 * (`signing.trustedSigners`); with GitHub Actions' issuer the host must be github.com.
 *
 * Decided soundly from the regexp's fixed beginning: the literal characters it starts with,
 * up to the first character that is not a literal (`.`, `[`, `(`, `\d`, …) or a literal made
 * optional by a quantifier (`?`, `*`, `{`). The regexp is always anchored (`^(?:…)$`), so a
 * match must start with that text. A top-level alternation (`a|b`) has no common beginning and
 * is refused. So `https://github\.com/acme/app/.*` passes; `https://github.com/acme/app/.*`
 * (the dots match any character), `https://github\.com/acme/app.*` (also matches
 * acme/app-evil), `.*github\.com/acme/app/.*`, `https://github\.com/.*` and `[^x]+` do not.
 */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

const SYNTAX = new Set([...'\\^$.*+?()[]{}|/-']);
const META = new Set([...'.*+?()[]{}|^$']);

/** The literal text every match of the anchored regexp starts with. */
export function fixedPrefix(source: string): string {
  let out = '';
  let i = source.startsWith('^') ? 1 : 0;
  while (i < source.length) {
    const c = source[i] as string;
    let literal: string;
    let length: number;
    if (c === '\\') {
      const n = source[i + 1];
      if (n === undefined || !SYNTAX.has(n)) break; // \d, \w, \u…: a class or an escape we do not read
      literal = n;
      length = 2;
    } else if (META.has(c)) break;
    else {
      literal = c;
      length = 1;
    }
    const next = source[i + length];
    if (next === '*' || next === '?' || next === '{') break; // the literal may be absent
    out += literal;
    if (next === '+') break; // present at least once; what follows is not fixed
    i += length;
  }
  return out;
}

/** Whether the regexp has a `|` outside every group and character class. */
export function hasTopLevelAlternation(source: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

export interface IdentityPinning {
  /** The configured repository, OWNER/REPO. */
  readonly repository: string;
  /** Other repositories whose workflows may sign (reusable release workflows), OWNER/REPO. */
  readonly trustedSigners?: readonly string[];
  readonly issuer: string;
}

/** Why the regexp does not pin scheme, host and `owner/repo/`; undefined when it does. */
export function identityRegexpProblem(source: string, pinning: IdentityPinning): string | undefined {
  try {
    new RegExp(`^(?:${source})$`, 'u');
  } catch (e) {
    return `invalid regexp: ${(e as Error).message}`;
  }
  const allowed = [pinning.repository, ...(pinning.trustedSigners ?? [])];
  const expect = `it must start with https://github\\.com/${allowed[0]}/ (dots escaped; the repository ${allowed.length > 1 ? 'or a trusted signer ' : ''}followed by "/")`;
  if (hasTopLevelAlternation(source)) {
    return `a top-level alternation (a|b) does not pin the repository; ${expect}, with any alternation after it`;
  }
  const prefix = fixedPrefix(source);
  const m = /^https:\/\/([^/]+)\/([^/]+)\/([^/]+)\//i.exec(prefix);
  if (!m) {
    return `its fixed beginning "${prefix}" does not pin scheme, host and repository; ${expect}`;
  }
  const [, host, owner, repo] = m as unknown as [string, string, string, string];
  if (pinning.issuer === GITHUB_ACTIONS_ISSUER && host.toLowerCase() !== 'github.com') {
    return `the issuer is GitHub Actions, so the identity host must be github.com, not "${host}"`;
  }
  const named = `${owner}/${repo}`.toLowerCase();
  if (!allowed.some((r) => r.toLowerCase() === named)) {
    return `it pins ${owner}/${repo}, which is neither the repository (${pinning.repository}) nor listed in signing.trustedSigners`;
  }
  return undefined;
}
