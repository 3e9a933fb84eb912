/**
 * Tokens never appear in output. Every line the CLI prints goes through this: known secret
 * values from the environment are replaced, and so are strings shaped like GitHub tokens,
 * bearer tokens and basic-auth URLs.
 */
const SECRET_ENV = /TOKEN|PASSWORD|SECRET|CREDENTIAL|AUTH/i;
const PATTERNS: readonly RegExp[] = [
  /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /(\/\/)[^/\s:@]+:[^/\s@]+@/g,
];

export function makeRedactor(env: Readonly<Record<string, string | undefined>>): (text: string) => string {
  const secrets = Object.entries(env)
    .filter(([k, v]) => SECRET_ENV.test(k) && v !== undefined && v.length >= 6)
    .map(([, v]) => v as string)
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const s of secrets) out = out.split(s).join('***');
    for (const re of PATTERNS) {
      out = out.replace(re, (m, p1: string) =>
        p1 === '//' ? '//***@' : /^(Bearer|Basic)/i.test(m) ? `${p1} ***` : '***',
      );
    }
    return out;
  };
}
