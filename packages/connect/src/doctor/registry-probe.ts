// Registry probes of the doctor, both through the registry client (its proxies, CA trust and
// credentials): pull by reading latest, push scope by the grant of a pull,push token. Nothing is
// ever written.
import type { RegistryClient } from '@relkit/registry';
import { fail, pass, skip, type DoctorCheck } from './checks.js';

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

/**
 * Push scope without a write: the registry client asks the token service for pull,push on the
 * image's repository and reports what the token grants. Registries with Basic auth only show
 * push rights at the first write, so that case is a skip.
 */
export async function probeRegistryPush(
  client: RegistryClient,
  image: string,
  signal?: AbortSignal,
): Promise<DoctorCheck> {
  const id = `registry-push:${image}`;
  const title = `registry: push scope on ${image}`;
  try {
    const access = await client.repositoryAccess(image, { signal });
    if (access.scheme === 'none') return pass(id, title, 'the registry asks for no credentials');
    if (access.scheme === 'basic')
      return skip(id, title, 'the registry uses Basic auth: push rights show only at the first write');
    if (access.credential === 'bearer')
      return skip(id, title, 'a ready bearer token is configured; its scope is opaque');
    const { actions } = access;
    if (actions === undefined) return pass(id, title, 'the token service issued a pull,push token');
    return actions.includes('push') || actions.includes('*')
      ? pass(id, title, `granted ${actions.join(', ')}`)
      : fail(
          id,
          title,
          `the token service grants ${actions.join(', ') || 'nothing'}, not push${access.credential === 'none' ? ' (no credentials found)' : ''}`,
          `${LOGIN_FIX}, with an account that may push to ${image}`,
        );
  } catch (e) {
    const unauthorized = (e as { code?: unknown }).code === 'UNAUTHORIZED';
    return fail(
      id,
      title,
      errorText(e),
      unauthorized ? LOGIN_FIX : 'check that the registry is reachable from here (proxy, DNS, TLS)',
    );
  }
}
