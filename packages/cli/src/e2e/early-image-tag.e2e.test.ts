// `release-cli image tag` starts the network before the CLI loads (bin/early-image-tag.js): the
// launcher connects and writes the anonymous GET (source) and HEAD (target), and the registry
// client takes the connection over. The real process against the real registry: the early
// requests are taken over, never written twice, never carry credentials, and every outcome —
// token auth, Basic auth, TLS, an untrusted certificate, a refused connection — is the one the
// CLI gives without the early start (its bundle run directly).
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runIsolated, type IsolatedRun } from './isolated-run.js';
import { startClosingRelay, startResettingRelay, startSlowStart } from './relays.js';
import {
  pushTestImage,
  skopeoDigest,
  startFaultProxy,
  startRegistry,
  startTlsFront,
  type LocalRegistry,
  type PushedImage,
} from '@relkit/testkit';

const BIN = fileURLToPath(new URL('../../bin/release-cli.js', import.meta.url));
/** The bundle the launcher imports: run directly, it is the CLI without the early start. */
const BUNDLE = fileURLToPath(new URL('../../dist/bundle/release-cli.js', import.meta.url));
/** Reports on stderr whether the registry client took the early connection over. */
const WATCH_EARLY = `data:text/javascript,${encodeURIComponent(
  "process.getBuiltinModule('node:diagnostics_channel').subscribe('relkit.pipeline.early.adopt', () => process._rawDebug('[early connection taken over]'));",
)}`;
const TAKEN_OVER = '[early connection taken over]';

const run = (
  entry: string,
  args: readonly string[],
  env: Record<string, string> = {},
  started?: (child: ChildProcess) => void,
) => runIsolated(entry, args, env, ['--import', WATCH_EARLY], started);
/** The CLI's own output, without the watcher's line. */
const own = (text: string) => text.replace(`${TAKEN_OVER}\n`, '');

/** The early start changes nothing the user sees: exit code, stdout and stderr as the bundle's. */
function expectSameOutcome(
  early: IsolatedRun,
  late: IsolatedRun,
  normalize: (stderr: string) => string = own,
) {
  expect({ code: early.code, stdout: early.stdout, stderr: normalize(early.stderr) }).toEqual({
    code: late.code,
    stdout: late.stdout,
    stderr: normalize(late.stderr),
  });
}

describe('release-cli image tag starts the network before the CLI loads', { timeout: 120_000 }, () => {
  let registry: LocalRegistry;
  let token: LocalRegistry;
  let basic: LocalRegistry;
  const images: Record<string, PushedImage> = {};
  beforeAll(async () => {
    [registry, token, basic] = await Promise.all([
      startRegistry({ auth: 'none' }),
      startRegistry({ auth: 'token' }),
      startRegistry({ auth: 'basic' }),
    ]);
    for (const [name, r] of Object.entries({ registry, token, basic }))
      images[name] = await pushTestImage(r, { repository: 'acme/app', tag: '1.2.3', seed: name });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([registry?.stop(), token?.stop(), basic?.stop()]);
  });

  it('plain HTTP: the early GET and HEAD are taken over, nothing is written twice, the tag is read back', async () => {
    const proxy = await startFaultProxy(registry.url);
    try {
      const r = await run(BIN, ['image', 'tag', `${proxy.host}/acme/app:1.2.3`, 'early-plain']);
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stderr).toContain(TAKEN_OVER);
      expect(r.stdout).toBe(
        `${proxy.host}/acme/app:early-plain → ${images.registry!.digest} (was nothing)\n`,
      );
      // GET source and HEAD target (written early), PUT and the read-back HEAD: 4 requests.
      expect(proxy.log.map((l) => `${l.method} ${l.path} ${l.status}`)).toEqual([
        'GET /v2/acme/app/manifests/1.2.3 200',
        'HEAD /v2/acme/app/manifests/early-plain 404',
        'PUT /v2/acme/app/manifests/early-plain 201',
        'HEAD /v2/acme/app/manifests/early-plain 200',
      ]);
      expect(await skopeoDigest(registry, 'acme/app:early-plain')).toBe(images.registry!.digest);
      proxy.resetLog();
      // Already current: the two early requests are all there is.
      const again = await run(BIN, ['image', 'tag', `${proxy.host}/acme/app:1.2.3`, 'early-plain', '--json']);
      expect(again.code, describeRun(again)).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ changed: false, digest: images.registry!.digest });
      expect(proxy.log.map((l) => `${l.method} ${l.status}`)).toEqual(['GET 200', 'HEAD 200']);
    } finally {
      await proxy.stop();
    }
  });

  it('token auth with credentials: the early requests go anonymous, the 401 leads to a token and the retry', async () => {
    const proxy = await startFaultProxy(token.url);
    try {
      const { username, password } = token.credentials!;
      const r = await run(BIN, ['image', 'tag', `${proxy.host}/acme/app:1.2.3`, 'early-token'], {
        RELKIT_REGISTRY_USERNAME: username,
        RELKIT_REGISTRY_PASSWORD: password,
      });
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stderr).toContain(TAKEN_OVER);
      const log = proxy.log.map((l) => `${l.method} ${l.status}`);
      // Anonymous first (the 401s prove no credentials went early), then with the token.
      expect(log.slice(0, 2).sort()).toEqual(['GET 401', 'HEAD 401']);
      expect(log.slice(2)).toEqual(['GET 200', 'HEAD 404', 'PUT 201', 'HEAD 200']);
      expect(await skopeoDigest(token, 'acme/app:early-token')).toBe(images.token!.digest);
    } finally {
      await proxy.stop();
    }
  });

  it('Basic auth with credentials: the same; without credentials, the same refusal as without the early start', async () => {
    const proxy = await startFaultProxy(basic.url);
    try {
      const { username, password } = basic.credentials!;
      const r = await run(BIN, ['image', 'tag', `${proxy.host}/acme/app:1.2.3`, 'early-basic'], {
        RELKIT_REGISTRY_USERNAME: username,
        RELKIT_REGISTRY_PASSWORD: password,
      });
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stderr).toContain(TAKEN_OVER);
      expect(proxy.log.slice(0, 2).map((l) => l.status)).toEqual([401, 401]);
      expect(await skopeoDigest(basic, 'acme/app:early-basic')).toBe(images.basic!.digest);
      const args = ['image', 'tag', `${proxy.host}/acme/app:1.2.3`, 'early-basic-anon'];
      const [early, late] = [await run(BIN, args), await run(BUNDLE, args)];
      expect(early.stderr).toContain(TAKEN_OVER);
      expect(early.code, describeRun(early)).not.toBe(0);
      expectSameOutcome(early, late);
    } finally {
      await proxy.stop();
    }
  });

  it('TLS: the handshake starts early and the certificate is checked as strictly', async () => {
    const front = await startTlsFront(registry.host);
    try {
      const trusted = { NODE_EXTRA_CA_CERTS: front.caPath };
      const r = await run(BIN, ['image', 'tag', `${front.host}/acme/app:1.2.3`, 'early-tls'], trusted);
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stderr).toContain(TAKEN_OVER);
      expect(r.stdout).toBe(`${front.host}/acme/app:early-tls → ${images.registry!.digest} (was nothing)\n`);
      expect(await skopeoDigest(registry, 'acme/app:early-tls')).toBe(images.registry!.digest);
      // Not trusted: the early connection fails its check (taken over or not, depending on
      // whether the handshake ended before the CLI had loaded), and the CLI reports exactly
      // what it reports without the early start.
      const args = ['image', 'tag', `${front.host}/acme/app:1.2.3`, 'early-untrusted'];
      const [early, late] = [await run(BIN, args), await run(BUNDLE, args)];
      expect(early.code, describeRun(early)).toBe(1);
      expect(early.stderr).toContain('is not trusted');
      expectSameOutcome(early, late);
    } finally {
      await front.stop();
    }
  });

  it('a TLS handshake slower than the launcher waits: the CLI loads meanwhile, takes the connection over and finishes', async () => {
    // The launcher waits at most 1 s for the early requests to be on the wire, then loads the
    // CLI. Here the server's first bytes are held 1.5 s, so the handshake, and the write of the
    // early requests, end after the client has taken the connection over and waits for answers
    // on it. (The write's late callback once unref'd the connection again: the process then
    // exited with code 13, the retag unfinished.)
    const front = await startTlsFront(registry.host);
    const slow = await startSlowStart(front.host, 1500);
    try {
      // As the front's own host (an IPv4-mapped address): a remote registry, reached over TLS.
      const host = `[::ffff:7f00:1]:${slow.port}`;
      const r = await run(BIN, ['image', 'tag', `${host}/acme/app:1.2.3`, 'early-slow-tls'], {
        NODE_EXTRA_CA_CERTS: front.caPath,
      });
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stderr).toContain(TAKEN_OVER);
      expect(r.stdout).toBe(`${host}/acme/app:early-slow-tls → ${images.registry!.digest} (was nothing)\n`);
      expect(slow.connections()).toBe(1);
      expect(await skopeoDigest(registry, 'acme/app:early-slow-tls')).toBe(images.registry!.digest);
      // Not trusted, and found out only after the client took the connection over: the same
      // refusal as without the early start.
      const args = ['image', 'tag', `${host}/acme/app:1.2.3`, 'early-slow-untrusted'];
      const [early, late] = [await run(BIN, args), await run(BUNDLE, args)];
      expect(early.code, describeRun(early)).toBe(1);
      expect(early.stderr).toContain(TAKEN_OVER);
      expect(early.stderr).toContain('is not trusted');
      expectSameOutcome(early, late);
    } finally {
      await slow.stop();
      await front.stop();
    }
  });

  it('a refused connection: the same error and exit code as without the early start', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((r) => server.close(r));
    const args = ['image', 'tag', `127.0.0.1:${port}/acme/app:1.2.3`, 'latest', '--timeout', '5'];
    const [early, late] = [await run(BIN, args), await run(BUNDLE, args)];
    expect(early.code, describeRun(early)).toBe(1);
    expect(early.stderr).toContain('ECONNREFUSED');
    // GET and HEAD both fail after retries with jittered backoff: either may be the one named.
    const request = (text: string) => own(text).replace(/^(release-cli image tag: )(GET|HEAD) \S+/, '$1…');
    expectSameOutcome(early, late, request);
  });

  it('nothing starts early with a forward proxy configured, or arguments it does not know', async () => {
    const proxy = await startFaultProxy(registry.url);
    try {
      const viaProxy = await run(BIN, ['image', 'tag', `${proxy.host}/acme/app:1.2.3`, 'early-none'], {
        // Loopback is never proxied, so the retag still works; the early start stays out.
        HTTPS_PROXY: 'http://127.0.0.1:9',
      });
      expect(viaProxy.code, describeRun(viaProxy)).toBe(0);
      expect(viaProxy.stderr).not.toContain(TAKEN_OVER);
      const requests = proxy.log.length;
      const help = await run(BIN, ['image', 'tag', `${proxy.host}/acme/app:1.2.3`, 'early-none', '--help']);
      expect(help.code, describeRun(help)).toBe(0);
      expect(help.stderr).not.toContain(TAKEN_OVER);
      expect(proxy.log.length).toBe(requests);
    } finally {
      await proxy.stop();
    }
  });

  it('an answer that stops mid-body: --timeout ends the retag with the timeout error, as without the early start', async () => {
    // The registry answers the early GET with its head and part of its body, then nothing more,
    // on the connection the client took over. (Here the answer comes once the client waits for
    // it: the CLI's loading gives the event loop no turn. pipeline.early.test.ts forces the case
    // of an answer that came before, which once ignored the abort.)
    const server = net.createServer((s) => {
      s.on('error', () => undefined);
      let text = '';
      let stalled = false;
      s.on('data', (c: Buffer) => {
        text += c.toString('latin1');
        for (let end = text.indexOf('\r\n\r\n'); end >= 0 && !stalled; end = text.indexOf('\r\n\r\n')) {
          const line = text.slice(0, text.indexOf('\r\n'));
          text = text.slice(end + 4);
          if (line.startsWith('HEAD')) s.write('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
          else {
            stalled = true;
            s.write(
              'HTTP/1.1 200 OK\r\ncontent-type: application/vnd.oci.image.manifest.v1+json\r\n' +
                'content-length: 1000\r\n\r\n{"schemaVersion":',
            );
          }
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const args = ['image', 'tag', `127.0.0.1:${port}/acme/app:1.2.3`, 'stalled', '--timeout', '1'];
      const [early, late] = [await run(BIN, args), await run(BUNDLE, args)];
      expect(early.stderr).toContain(TAKEN_OVER);
      expect(early.code, describeRun(early)).toBe(1);
      expect(early.stderr).toContain('did not answer within 1 s');
      expectSameOutcome(early, late);
    } finally {
      server.close();
    }
  });

  it('a manifest declared too large: refused at once, as without the early start', async () => {
    // The early GET's answer declares 100 MB, sends a little, then nothing: the client refuses
    // it unread and the connection it took over must end at once, or the HEAD behind it keeps
    // the process until its timeout. (pipeline.early.test.ts forces the answer that came
    // before the take-over, which once kept the connection.)
    const server = net.createServer((s) => {
      s.on('error', () => undefined);
      s.once('data', (c: Buffer) =>
        s.write(
          c.toString('latin1').startsWith('HEAD')
            ? 'HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n'
            : 'HTTP/1.1 200 OK\r\ncontent-type: application/vnd.oci.image.manifest.v1+json\r\n' +
                'content-length: 100000000\r\n\r\n{"schemaVersion":',
        ),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const args = ['image', 'tag', `127.0.0.1:${port}/acme/app:1.2.3`, 'too-large'];
      const [early, late] = [await run(BIN, args), await run(BUNDLE, args)];
      expect(early.stderr).toContain(TAKEN_OVER);
      expect(early.code, describeRun(early)).toBe(1);
      expect(early.stderr).toContain('above the limit');
      expectSameOutcome(early, late);
    } finally {
      server.close();
    }
  });

  it('SIGINT or SIGTERM while the early connection still handshakes: the same end as without the early start', async () => {
    // The server's first bytes never come: the launcher is still waiting for the handshake when
    // the signal arrives (sent as soon as the connection is accepted), the CLI not yet loaded.
    // (SIGINT then killed the process, where the CLI reports the cancelled retag.)
    const front = await startTlsFront(registry.host);
    const slow = await startSlowStart(front.host, Infinity);
    try {
      const host = `[::ffff:7f00:1]:${slow.port}`;
      const args = ['image', 'tag', `${host}/acme/app:1.2.3`, 'early-interrupted'];
      const env = { NODE_EXTRA_CA_CERTS: front.caPath };
      let accepted = 0;
      const signalled = (signal: NodeJS.Signals) => (child: ChildProcess) => {
        void slow.connected(++accepted).then(() => child.kill(signal));
      };
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        const early = await run(BIN, args, env, signalled(signal));
        const late = await run(BUNDLE, args, env, signalled(signal));
        // SIGINT: the CLI cancels the retag and says so (exit 1); SIGTERM ends the process.
        expect(early.code ?? early.signal, describeRun(early)).toBe(signal === 'SIGINT' ? 1 : 'SIGTERM');
        expect({
          code: early.code,
          signal: early.signal,
          stdout: early.stdout,
          stderr: own(early.stderr),
        }).toEqual({
          code: late.code,
          signal: late.signal,
          stdout: late.stdout,
          stderr: own(late.stderr),
        });
      }
      expect(slow.connections()).toBe(4);
    } finally {
      await slow.stop();
      await front.stop();
    }
  });

  it('a slow TLS handshake that ends in a closed connection: the retry finishes the retag, as without the early start', async () => {
    // The first connection is held past the launcher's wait, taken over by the client, then
    // closed before the handshake ends; the next connections are relayed.
    const front = await startTlsFront(registry.host);
    const env = { NODE_EXTRA_CA_CERTS: front.caPath };
    try {
      const outcomes = [];
      for (const [entry, tag] of [
        [BIN, 'early-slow-closed'],
        [BUNDLE, 'late-slow-closed'],
      ] as const) {
        const slow = await startSlowStart(front.host, 1200, { closeFirst: true });
        try {
          const host = `[::ffff:7f00:1]:${slow.port}`;
          const r = await run(entry, ['image', 'tag', `${host}/acme/app:1.2.3`, tag], env);
          expect(r.code, describeRun(r)).toBe(0);
          expect(r.stdout).toBe(`${host}/acme/app:${tag} → ${images.registry!.digest} (was nothing)\n`);
          expect(await skopeoDigest(registry, `acme/app:${tag}`)).toBe(images.registry!.digest);
          outcomes.push(r);
        } finally {
          await slow.stop();
        }
      }
      expect(outcomes[0]!.stderr).toContain(TAKEN_OVER);
      expect(own(outcomes[0]!.stderr)).toBe(own(outcomes[1]!.stderr));
    } finally {
      await front.stop();
    }
  });

  it('a slow TLS handshake that never ends: --timeout ends the retag with the timeout error, as without the early start', async () => {
    const front = await startTlsFront(registry.host);
    const slow = await startSlowStart(front.host, Infinity);
    try {
      const host = `[::ffff:7f00:1]:${slow.port}`;
      const args = ['image', 'tag', `${host}/acme/app:1.2.3`, 'early-never', '--timeout', '0.5'];
      const env = { NODE_EXTRA_CA_CERTS: front.caPath };
      const [early, late] = [await run(BIN, args, env), await run(BUNDLE, args, env)];
      expect(early.stderr).toContain(TAKEN_OVER);
      expect(early.code, describeRun(early)).toBe(1);
      expect(early.stderr).toContain('did not answer within 0.5 s');
      // GET and HEAD both run out of time: either may be the one named.
      const request = (text: string) => own(text).replace(/\((GET|HEAD) [^)]+\)/, '(…)');
      expectSameOutcome(early, late, request);
    } finally {
      await slow.stop();
      await front.stop();
    }
  });

  it('the server closes after the first early answer: the GET is not written again, the HEAD is, as without the early start', async () => {
    // The early GET is answered, then the connection closes (FIN) with the early HEAD unanswered:
    // the client's GET has its answer; its HEAD goes again on a connection of its own.
    const outcomes = [];
    for (const [entry, tag] of [
      [BIN, 'early-closed'],
      [BUNDLE, 'late-closed'],
    ] as const) {
      const relay = await startClosingRelay(registry.host);
      try {
        const r = await run(entry, ['image', 'tag', `${relay.host}/acme/app:1.2.3`, tag]);
        expect(r.code, describeRun(r)).toBe(0);
        expect(r.stdout).toBe(`${relay.host}/acme/app:${tag} → ${images.registry!.digest} (was nothing)\n`);
        expect(await skopeoDigest(registry, `acme/app:${tag}`)).toBe(images.registry!.digest);
        const requests = relay.requests.map((l) => l.replace(/ \S+ HTTP\/1\.1$/, ''));
        expect(requests.filter((m) => m === 'GET')).toEqual(['GET']);
        expect(requests.filter((m) => m === 'PUT')).toEqual(['PUT']);
        outcomes.push(r);
      } finally {
        await relay.stop();
      }
    }
    expect(outcomes[0]!.stderr).toContain(TAKEN_OVER);
    expect(own(outcomes[0]!.stderr)).toBe(own(outcomes[1]!.stderr));
  });

  it('a reset right after the PUT is written: the retag is retried and read back, as without the early start', async () => {
    // On the connection taken over: `before`, the PUT never reached the registry; `answered`,
    // it did and its answer had begun when the reset came. Either way the client cannot know
    // the tag moved: the manifest PUT (idempotent, the same bytes) goes again, and the
    // read-back, not the PUT's answer, proves the tag.
    for (const when of ['before', 'answered'] as const) {
      const outcomes = [];
      for (const [entry, tag] of [
        [BIN, `early-reset-${when}`],
        [BUNDLE, `late-reset-${when}`],
      ] as const) {
        const relay = await startResettingRelay(registry.host, 'PUT ', when);
        try {
          const r = await run(entry, ['image', 'tag', `${relay.host}/acme/app:1.2.3`, tag]);
          expect(r.code, describeRun(r)).toBe(0);
          expect(r.stdout).toBe(`${relay.host}/acme/app:${tag} → ${images.registry!.digest} (was nothing)\n`);
          expect(await skopeoDigest(registry, `acme/app:${tag}`)).toBe(images.registry!.digest);
          // The PUT that reached the registry before the reset (answered), then the retry.
          expect(relay.passed).toEqual(
            Array(when === 'answered' ? 2 : 1).fill(`PUT /v2/acme/app/manifests/${tag} HTTP/1.1`),
          );
          outcomes.push(r);
        } finally {
          await relay.stop();
        }
      }
      expect(outcomes[0]!.stderr).toContain(TAKEN_OVER);
      expect(own(outcomes[0]!.stderr)).toBe(own(outcomes[1]!.stderr));
    }
  });

  it('token auth behind a TLS handshake slower than the launcher waits: the 401s, the token, the retry', async () => {
    const front = await startTlsFront(token.host);
    const slow = await startSlowStart(front.host, 1200);
    try {
      const host = `[::ffff:7f00:1]:${slow.port}`;
      const { username, password } = token.credentials!;
      const r = await run(BIN, ['image', 'tag', `${host}/acme/app:1.2.3`, 'early-slow-token'], {
        NODE_EXTRA_CA_CERTS: front.caPath,
        RELKIT_REGISTRY_USERNAME: username,
        RELKIT_REGISTRY_PASSWORD: password,
      });
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stderr).toContain(TAKEN_OVER);
      expect(r.stdout).toBe(`${host}/acme/app:early-slow-token → ${images.token!.digest} (was nothing)\n`);
      expect(slow.connections()).toBe(1);
      expect(await skopeoDigest(token, 'acme/app:early-slow-token')).toBe(images.token!.digest);
    } finally {
      await slow.stop();
      await front.stop();
    }
  });
});
