// Registry probes of the doctor: pull through the client, push scope through the token service
// alone (a token asked for pull,push, and the access it grants), so nothing is ever written.
import type { RegistryClient } from '@relkit/registry';
import {
  defaultCredentials,
  parseChallenge,
  parseReference,
  type CredentialProvider,
} from '@relkit/registry';
import { fail, pass, skip, type DoctorCheck } from './checks.js';

type Env = Readonly<Record<string, string | undefined>>;

const errorText = (e: unknown) => {
  const err = e as { message?: string; code?: unknown };
  return `${err.message ?? String(e)}${typeof err.code === 'string' ? ` [${err.code}]` : ''}`;
};

const LOGIN_FIX =
  'log in with `docker login <host>` (or set RELKIT_REGISTRY_USERNAME / RELKIT_REGISTRY_PASSWORD; GITHUB_TOKEN for ghcr.io)';

export async function probeRegistryPull(
  client: RegistryClient,
  image: string,
  signal?: AbortSignal,
): Promise<DoctorCheck> {
  const id = `registry-pull:${image}`;
  const title = `registry: pull ${image}`;
  try {
    const latest = await client.headManifest(`${image}:latest`, { signal });
    return pass(id, title, latest ? `reachable; latest is ${latest.digest.slice(0, 19)}…` : 'reachable');
  } catch (e) {
    return fail(id, title, errorText(e), LOGIN_FIX);
  }
}

/** The `access` claim of a JWT registry token, when the token is a JWT; undefined otherwise. */
export function grantedActions(token: string, repository: string): string[] | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      access?: { type?: string; name?: string; actions?: string[] }[];
    };
    if (!Array.isArray(claims.access)) return undefined;
    return claims.access
      .filter((a) => a.type === 'repository' && a.name === repository)
      .flatMap((a) => a.actions ?? []);
  } catch {
    return undefined;
  }
}

/**
 * Push scope without a write: asks the registry's token service for pull,push on the image's
 * repository and reads what the token grants. Registries with Basic auth only show push rights
 * at the first write, so that case is a skip.
 */
export async function probeRegistryPush(
  client: RegistryClient,
  image: string,
  env: Env,
  signal?: AbortSignal,
  credentials: CredentialProvider = defaultCredentials(env),
): Promise<DoctorCheck> {
  const id = `registry-push:${image}`;
  const title = `registry: push scope on ${image}`;
  try {
    const ref = parseReference(image);
    const base = client.baseUrl(ref.registry);
    const ping = await fetch(`${base}/v2/`, { signal: signal ?? null });
    if (ping.ok) return pass(id, title, 'the registry asks for no credentials');
    const challenge = parseChallenge(ping.headers.get('www-authenticate'));
    if (!challenge || challenge.scheme !== 'bearer' || !challenge.params.realm)
      return skip(id, title, 'the registry uses Basic auth: push rights show only at the first write');
    const cred = await credentials(ref.registry, signal);
    if (cred?.kind === 'bearer')
      return skip(id, title, 'a ready bearer token is configured; its scope is opaque');
    if (cred?.kind === 'identity-token')
      return skip(id, title, 'an identity token is configured; push rights show at the first write');
    const realm = new URL(challenge.params.realm);
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    realm.searchParams.set('scope', `repository:${ref.repository}:pull,push`);
    const headers: Record<string, string> = {};
    if (cred?.kind === 'basic')
      headers.authorization = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
    const res = await fetch(realm, { headers, signal: signal ?? null });
    if (res.status === 401 || res.status === 403)
      return fail(
        id,
        title,
        `the token service refused the ${cred ? 'credentials' : 'anonymous request'}`,
        LOGIN_FIX,
      );
    if (!res.ok) return fail(id, title, `the token service answered ${res.status}`, 'try again later');
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token ?? '';
    const actions = grantedActions(token, ref.repository);
    if (actions === undefined) return pass(id, title, 'the token service issued a pull,push token');
    return actions.includes('push') || actions.includes('*')
      ? pass(id, title, `granted ${actions.join(', ')}`)
      : fail(
          id,
          title,
          `the token service grants ${actions.join(', ') || 'nothing'}, not push${cred ? '' : ' (no credentials found)'}`,
          `${LOGIN_FIX}, with an account that may push to ${ref.repository}`,
        );
  } catch (e) {
    return fail(id, title, errorText(e), 'check that the registry is reachable from here (proxy, DNS, TLS)');
  }
}
