import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OciWriter } from '../oci-writer.js';
import { startReleaseWorld, type ReleaseWorld } from '../world.js';
import type { Prng } from './prng.js';
import {
  createKillSwitch,
  startChaosProxy,
  type ChaosLogEntry,
  type ChaosProxy,
  type KillSwitch,
} from './proxy.js';
import { readLockSnapshot, type LockSnapshot } from './lock-state.js';

/**
 * A release world (registry, GitHub simulator, Sigstore mocks: all in this process or its own
 * children, never in the CLI process that gets killed) with a chaos proxy in front of the
 * registry and one in front of the GitHub API. The workspace's config and environment name the
 * proxies, so every request the CLI sends passes one of them.
 */
export interface ChaosWorld {
  readonly world: ReleaseWorld;
  readonly registryProxy: ChaosProxy;
  readonly githubProxy: ChaosProxy;
  readonly kill: KillSwitch;
  /** Environment for the CLI: the world's, with the GitHub API through its proxy. */
  readonly env: Readonly<Record<string, string>>;
  /** Every request for `<image>:latest` (manifest PUTs, GETs, HEADs), in the order answered. */
  latestEvents(): readonly ChaosLogEntry[];
  /** Successful merges of the release PR the simulator performed. */
  merges(): number;
  /** Successful updates of the X.Y.Z release that set draft: false (publishing it). */
  publishes(): number;
  /** What the world looks like now (read outside the proxies). */
  observe(): Promise<WorldObservation>;
  stop(): Promise<void>;
}

export interface WorldObservation {
  readonly latest: string | undefined;
  readonly releaseDraft: boolean | undefined;
  readonly merged: boolean;
  readonly lock: LockSnapshot;
}

export async function startChaosWorld(options: {
  prng: Prng;
  latencyMs: readonly [number, number];
}): Promise<ChaosWorld> {
  // Basic auth: the proxy forwards the credentials as they are (a token realm would be a third host).
  const world = await startReleaseWorld({ auth: 'basic' });
  const kill = createKillSwitch();
  let registryProxy: ChaosProxy | undefined;
  let githubProxy: ChaosProxy | undefined;
  try {
    registryProxy = await startChaosProxy(world.registry.url, {
      prng: options.prng.fork('registry-latency'),
      latencyMs: options.latencyMs,
      kill,
    });
    githubProxy = await startChaosProxy(world.github.url, {
      prng: options.prng.fork('github-latency'),
      latencyMs: options.latencyMs,
      kill,
    });
  } catch (e) {
    await registryProxy?.stop();
    await world.stop();
    throw e;
  }
  const config = readFileSync(world.configPath, 'utf8');
  writeFileSync(world.configPath, config.replaceAll(world.registry.host, registryProxy.host));
  const dockerConfig = join(world.env.DOCKER_CONFIG!, 'config.json');
  const docker = JSON.parse(readFileSync(dockerConfig, 'utf8')) as { auths: Record<string, unknown> };
  docker.auths[registryProxy.host] = docker.auths[world.registry.host];
  writeFileSync(dockerConfig, JSON.stringify(docker));

  const latestPath = `/v2/${world.imageRepository}/manifests/latest`;
  const rp = registryProxy;
  const gp = githubProxy;
  const mergePath = `/repos/${world.repository}/pulls/${world.pullRequest}/merge`;
  return {
    world,
    registryProxy: rp,
    githubProxy: gp,
    kill,
    env: { ...world.env, RELKIT_GITHUB_API_URL: gp.url },
    latestEvents: () => rp.log.filter((e) => e.path.split('?')[0] === latestPath),
    merges: () =>
      world.github.requests.filter((r) => r.method === 'PUT' && r.path === mergePath && r.status === 200)
        .length,
    publishes: () => {
      const ids = world.github
        .releases(world.repository)
        .filter((r) => r.tag === world.version)
        .map((r) => `/repos/${world.repository}/releases/${r.id}`);
      return world.github.requests.filter(
        (r) =>
          r.method === 'PATCH' &&
          ids.includes(r.path) &&
          r.status === 200 &&
          (r.body as { draft?: unknown } | undefined)?.draft === false,
      ).length;
    },
    async observe() {
      const latest = await OciWriter.for(world.registry).getManifest(world.imageRepository, 'latest');
      return {
        latest: latest?.digest,
        releaseDraft: world.github.releases(world.repository).find((r) => r.tag === world.version)?.draft,
        merged: world.github.pull(world.repository, world.pullRequest).merged,
        lock: await readLockSnapshot(world.github, world.repository),
      };
    },
    async stop() {
      await rp.stop();
      await gp.stop();
      await world.stop();
    },
  };
}
