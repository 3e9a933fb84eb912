/**
 * Tokens never appear in output. Every front end passes what it prints through a redactor,
 * which masks two things:
 *
 * - the exact secret values the process holds (secret environment variables, registry
 *   credentials and tokens the adapters obtained, see holdSecret), and their base64 forms —
 *   whole (`user:password` as in a Basic header) and as part of any longer base64 text;
 * - strings shaped like credentials, in case a secret arrives by another way: GitHub tokens
 *   (ghp_, gho_, ghs_, ghu_, ghr_, github_pat_), JWTs, `Bearer`/`Basic`/`token` credentials and
 *   user:password in URLs.
 *
 * Shapes are chosen so prose is left alone: "token requirements" or "Basic information" in a
 * CHANGELOG come out byte for byte. A word after Bearer/token counts as a credential only when
 * it mixes letters and digits; after Basic only when it decodes to `user:password` — except in an
 * `Authorization:` header, where any value is masked.
 */
const GITHUB_TOKEN = /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const SCHEME_CREDENTIAL = /\b(Bearer|token)(\s+)([A-Za-z0-9._~+/-]{8,}=*)/gi;
const BASIC_CREDENTIAL = /\b(Basic)(\s+)([A-Za-z0-9+/]{4,}={0,2})/gi;
// Any userinfo (`//token@host`, `//user:p@ss@host` with an unescaped @ in the password), up to
// the last @ before the host; not a digest (`//app@sha256:…`).
const URL_CREDENTIAL = /(\/\/)(?:[^/\s@]+@)+(?!sha\d+:)/g;
// In an Authorization header (as printed, or inspected: `authorization: 'Basic …'`) any value is a credential.
const AUTH_HEADER = /(\bauthorization["']?\s*[:=]\s*["']?(?:Bearer|Basic|token)\s+)[^\s'",;]+/gi;

const SECRET_ENV = /TOKEN|PASSWORD|SECRET|CREDENTIAL|AUTH/i;
const MIN_SECRET = 6;

/** Values of environment variables whose names say they hold a secret. */
export function secretsFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  const out = Object.entries(env)
    .filter(([k, v]) => SECRET_ENV.test(k) && v !== undefined)
    .map(([, v]) => v as string);
  // FOO_USERNAME + FOO_PASSWORD: the pair is what a Basic header encodes.
  for (const [k, user] of Object.entries(env)) {
    const m = /^(.*)USER(?:NAME)?$/i.exec(k);
    const pass = m ? (env[`${m[1]}PASSWORD`] ?? env[`${m[1]}password`]) : undefined;
    if (user && pass) out.push(`${user}:${pass}`);
  }
  return out;
}

// Secrets the adapters obtained while running (docker-config credentials, registry tokens).
// Kept on globalThis so every copy of this module in one process (the extension's two
// bundles, say) shares the same list.
const HELD = Symbol.for('relkit.redact.heldSecrets');
function held(): Set<string> {
  const g = globalThis as { [HELD]?: Set<string> };
  return (g[HELD] ??= new Set());
}

/** Registers a secret this process now holds, so every redactor masks it from now on. */
export function holdSecret(value: string | undefined): void {
  if (typeof value === 'string' && value.length >= MIN_SECRET) held().add(value);
}

/** The secrets registered with holdSecret. */
export function heldSecrets(): readonly string[] {
  return [...held()];
}

/**
 * What a secret can look like in output: itself, its base64 (standard and URL-safe), and the
 * part of its base64 that is the same wherever it sits inside longer base64 text (one for each
 * of the three byte alignments) — so `user:password` encoded together is masked too.
 */
function forms(raw: string): string[] {
  // A secret set with a trailing newline or spaces (`export TOKEN="$(cat file)"`, a pasted
  // value) is sent trimmed by the adapters, so the trimmed value is the one a server echoes.
  const secret = raw.trim() || raw;
  const bytes = Buffer.from(secret, 'utf8');
  const out = new Set<string>([raw, secret]);
  // Percent-encoded, as in a URL's userinfo or query, or a form body (an identity token's
  // refresh_token=…) a server echoes back.
  out.add(encodeURIComponent(secret));
  out.add(new URLSearchParams({ s: secret }).toString().slice(2));
  const add = (b64: string) => {
    out.add(b64);
    out.add(b64.replace(/\+/g, '-').replace(/\//g, '_'));
  };
  add(bytes.toString('base64'));
  add(bytes.toString('base64').replace(/=+$/, ''));
  for (let k = 0; k < 3; k++) {
    const b64 = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    // Characters touched by the k filler bytes or by whatever follows the secret are dropped.
    const core = b64.slice([0, 2, 3][k], 4 * Math.floor((k + bytes.length) / 3));
    if (core.length >= 8) add(core);
  }
  return [...out].filter((f) => f.length >= MIN_SECRET);
}

const B64_RUN = '[A-Za-z0-9+/_-]*';
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

const mixesLettersAndDigits = (s: string) => /[A-Za-z]/.test(s) && /[0-9]/.test(s);

function decodesToUserPassword(b64: string): boolean {
  if (b64.replace(/=+$/, '').length % 4 === 1) return false;
  const text = Buffer.from(b64, 'base64').toString('utf8');
  // eslint-disable-next-line no-control-regex
  return /^[^:\x00-\x1f\x7f\uFFFD]*:[^\x00-\x1f\x7f\uFFFD]*$/.test(text);
}

/** Masks credential shapes; used on its own where no secret values are known. */
export function redactShapes(text: string): string {
  return text
    .replace(AUTH_HEADER, (_m, head: string) => `${head}***`)
    .replace(GITHUB_TOKEN, '***')
    .replace(JWT, '***')
    .replace(SCHEME_CREDENTIAL, (m, scheme: string, space: string, value: string) =>
      mixesLettersAndDigits(value) ? `${scheme}${space}***` : m,
    )
    .replace(BASIC_CREDENTIAL, (m, scheme: string, space: string, value: string) =>
      decodesToUserPassword(value) ? `${scheme}${space}***` : m,
    )
    .replace(URL_CREDENTIAL, '//***@');
}

/**
 * A redactor over secrets that may change (e.g. a token fetched after start-up); secrets
 * registered with holdSecret are always included.
 */
export function redactor(secrets: () => readonly (string | undefined)[]): (text: string) => string {
  let cacheKey = '';
  let cached: string[] = [];
  return (text) => {
    const known = [...secrets(), ...heldSecrets()].filter(
      (s): s is string => typeof s === 'string' && s.length >= MIN_SECRET,
    );
    const key = known.join('\u0000');
    if (key !== cacheKey) {
      cacheKey = key;
      cached = [...new Set(known.flatMap(forms))].sort((a, b) => b.length - a.length);
    }
    let out = text;
    for (const s of cached) {
      if (!out.includes(s)) continue;
      // An encoded form takes the whole base64 word around it: its edges encode the secret too.
      out = /^[A-Za-z0-9+/_-]+=*$/.test(s)
        ? out.replace(new RegExp(`${B64_RUN}${escapeRegExp(s.replace(/=+$/, ''))}${B64_RUN}=*`, 'g'), '***')
        : out.split(s).join('***');
    }
    return redactShapes(out);
  };
}
