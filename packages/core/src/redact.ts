/**
 * Tokens never appear in output. Every front end passes what it prints through a redactor:
 * known secret values are replaced, and so are strings shaped like GitHub tokens, bearer /
 * basic credentials and user:password URLs, in case a secret arrives by another way.
 */
const PATTERNS: readonly RegExp[] = [
  /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g,
  /\b(Bearer|Basic|token)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /(\/\/)[^/\s:@]+:[^/\s@]+@/g,
];

const SECRET_ENV = /TOKEN|PASSWORD|SECRET|CREDENTIAL|AUTH/i;

/** Values of environment variables whose names say they hold a secret. */
export function secretsFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env)
    .filter(([k, v]) => SECRET_ENV.test(k) && v !== undefined)
    .map(([, v]) => v as string);
}

/** A redactor over secrets that may change (e.g. a token fetched after start-up). */
export function redactor(secrets: () => readonly (string | undefined)[]): (text: string) => string {
  return (text) => {
    let out = text;
    const known = secrets()
      .filter((s): s is string => typeof s === 'string' && s.length >= 6)
      .sort((a, b) => b.length - a.length);
    for (const s of known) out = out.split(s).join('***');
    for (const re of PATTERNS) {
      out = out.replace(re, (m, p1: string) =>
        p1 === '//' ? '//***@' : /^(Bearer|Basic|token)/i.test(m) ? `${p1} ***` : '***',
      );
    }
    return out;
  };
}
