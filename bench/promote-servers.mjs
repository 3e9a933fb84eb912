// The services of bench/promote.bench.mjs, in a process of their own (started with
// child_process.fork, driven over its IPC channel): so the measured relkit process pays only its
// own CPU, not the registry's, the GitHub simulator's (OpenAPI validation of every request and
// answer), the mock Sigstore's or the latency proxies'.
//
// Per world: startReleaseWorld() (real registry with token auth, GitHub simulator, mock
// Sigstore; signed two-platform 1.2.3, latest on 1.2.2, draft release, approved PR, smoke
// release) and three fault proxies that add the latency to every request: one in front of the
// registry (the config's image host is rewritten to it), one in front of the GitHub simulator
// (RELKIT_GITHUB_API_URL) and one in front of the registry's token realm. The registry names its
// realm in the WWW-Authenticate challenge; the registry proxy's answers get that header
// rewritten so token requests also go through a proxy and pay the latency, as they do on ghcr.io.
// Requests are timed with node:diagnostics_channel (`http.server.request.start` on the
// proxies' ports), in epoch milliseconds (performance.timeOrigin + now) so the parent can lay
// them next to its own clock.
//
// Messages (parent → here → parent, matched by `id`):
//   { op: 'world' }                  → { key, world: what a relkit run needs (paths, env, names) }
//   { op: 'latency', key, ms }       → {}
//   { op: 'mark', key }              → { mark }  (timeline position; reset of the proxies' counts)
//   { op: 'log', key, mark }         → { entries, counts }
//   { op: 'latest', key }            → { digest }  (what `latest` names, read past the proxies)
//   { op: 'stop', key }              → {}
import dc from 'node:diagnostics_channel';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { skopeoDigest, startFaultProxy, startReleaseWorld } from '@relkit/testkit';

const now = () => performance.timeOrigin + performance.now();

/** port → { name, realm?: { from, to } } for the proxies of the live worlds. */
const proxyPorts = new Map();
/** Every request seen by a proxy: { src, method, path, status, start, end } (epoch ms). */
const timeline = [];
dc.subscribe('http.server.request.start', ({ request, response, socket }) => {
  const p = proxyPorts.get(socket.localPort);
  if (!p) return;
  const e = { src: p.name, method: request.method, path: request.url, status: 0, start: now(), end: NaN };
  timeline.push(e);
  if (p.realm) {
    const writeHead = response.writeHead;
    response.writeHead = function (status, ...rest) {
      const h = rest.at(-1);
      if (h && typeof h === 'object' && typeof h['www-authenticate'] === 'string')
        h['www-authenticate'] = h['www-authenticate'].replace(p.realm.from, p.realm.to);
      return writeHead.call(this, status, ...rest);
    };
  }
  response.on('finish', () => {
    e.end = now();
    e.status = response.statusCode;
  });
  response.on('close', () => {
    if (!Number.isFinite(e.end)) e.end = now();
  });
});

const portOf = (url) => Number(new URL(url).port);
const worlds = new Map();
let nextKey = 1;

async function proxiedWorld() {
  const world = await startReleaseWorld();
  const stops = [() => world.stop()];
  try {
    const realm = new URL(world.registry.tokenIssuer.url).origin;
    const [reg, gh, tok] = await Promise.all([
      startFaultProxy(world.registry.url),
      startFaultProxy(world.github.url),
      startFaultProxy(realm),
    ]);
    const ports = [portOf(reg.url), portOf(gh.url), portOf(tok.url)];
    stops.push(
      () => reg.stop(),
      () => gh.stop(),
      () => tok.stop(),
      async () => ports.forEach((p) => proxyPorts.delete(p)),
    );
    proxyPorts.set(ports[0], { name: 'registry', realm: { from: realm, to: tok.url } });
    proxyPorts.set(ports[1], { name: 'github' });
    proxyPorts.set(ports[2], { name: 'token' });

    const config = JSON.parse(readFileSync(world.configPath, 'utf8'));
    config.images = config.images.map((i) => ({ ...i, name: i.name.replace(world.registry.host, reg.host) }));
    const configPath = join(world.workspace, 'release.bench.config.json');
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    const dockerDir = join(world.workspace, '.docker-bench');
    mkdirSync(dockerDir, { recursive: true });
    const { username, password } = world.registry.credentials;
    const auth = Buffer.from(`${username}:${password}`).toString('base64');
    const authfile = join(dockerDir, 'config.json');
    writeFileSync(authfile, JSON.stringify({ auths: { [reg.host]: { auth } } }));
    return {
      world,
      proxies: [reg, gh, tok],
      stop: async () => {
        for (const s of stops.reverse()) await s().catch(() => undefined);
      },
      info: {
        workspace: world.workspace,
        configPath,
        authfile,
        env: { ...world.env, RELKIT_GITHUB_API_URL: gh.url, DOCKER_CONFIG: dockerDir },
        githubUrl: gh.url,
        image: `${reg.host}/${world.imageRepository}`,
        repository: world.repository,
        smokeRepository: world.smokeRepository,
        version: world.version,
        images: world.images,
        pullRequest: world.pullRequest,
      },
    };
  } catch (e) {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    throw e;
  }
}

/** Lets the last responses' 'finish' events run before the timeline is read. */
const settle = () => new Promise((r) => setTimeout(r, 5));

const ops = {
  async world() {
    const w = await proxiedWorld();
    const key = nextKey++;
    worlds.set(key, w);
    return { key, world: w.info };
  },
  async latency({ key, ms }) {
    worlds.get(key).proxies.forEach((p) => p.setLatency(ms));
    return {};
  },
  async mark({ key }) {
    worlds.get(key).proxies.forEach((p) => p.resetLog());
    return { mark: timeline.length };
  },
  async log({ key, mark }) {
    await settle();
    const [reg, gh, tok] = worlds.get(key).proxies;
    return {
      entries: timeline.slice(mark),
      counts: { registry: reg.log.length, token: tok.log.length, github: gh.log.length },
    };
  },
  async latest({ key }) {
    const { world } = worlds.get(key);
    return { digest: await skopeoDigest(world.registry, `${world.imageRepository}:latest`) };
  },
  async stop({ key }) {
    const w = worlds.get(key);
    worlds.delete(key);
    await w?.stop();
    return {};
  },
};

process.on('message', async (m) => {
  try {
    process.send({ id: m.id, ok: true, ...(await ops[m.op](m)) });
  } catch (e) {
    process.send({ id: m.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
process.on('disconnect', async () => {
  for (const w of worlds.values()) await w.stop();
  process.exit(0);
});
process.send({ ready: true });
