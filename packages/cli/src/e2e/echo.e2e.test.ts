// The real release-cli process against loopback registries (127.0.0.1) that echo the request
// back in their error answers, as a hostile or misconfigured registry does: the password (plain,
// percent-encoded, base64 in the Basic header) and a token a token service issued (in no
// environment variable) must reach neither stdout, stderr nor the --json document, with
// Node's debug logs on too.
import type http from 'node:http';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loopbackHttpServers } from '@relkit/testkit';
import { describeRun, runIsolated } from './isolated-run.js';

const BIN = fileURLToPath(new URL('../../bin/release-cli.js', import.meta.url));

const loopback = loopbackHttpServers();
const serve = async (handler: http.RequestListener) => (await loopback.serve(handler)).host;
afterEach(() => loopback.stopAll());

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Every 10-character piece of each form of a secret: none may be printed. */
function expectNothingOf(output: string, secrets: readonly string[], run: Parameters<typeof describeRun>[0]) {
  for (const s of secrets)
    for (let i = 0; i + 10 <= s.length; i++)
      expect(output.includes(s.slice(i, i + 10)), `printed ${s.slice(i, i + 10)}\n${describeRun(run)}`).toBe(
        false,
      );
}

const DEBUG = { NODE_DEBUG: 'http,net,tls' };

describe('release-cli against a registry that echoes the request', { timeout: 60_000 }, () => {
  it('a Basic registry quoting the Authorization header and the password: none of their forms printed', async () => {
    const username = 'relkit-bot';
    const password = `pw/${randomBytes(12).toString('hex')}+@ x`;
    const host = await serve((req, res) => {
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
        return;
      }
      const message = `denied: ${req.headers.authorization} (${password}, ${encodeURIComponent(password)})`;
      res
        .writeHead(403, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ code: 'DENIED', message }] }));
    });
    const run = await runIsolated(
      BIN,
      ['image', 'tag', `${host}/acme/app:1.0.0`, 'echo', '--json', '--timeout', '10'],
      {
        ...DEBUG,
        RELKIT_REGISTRY_USERNAME: username,
        // As pasted from a file: the newline is no part of what a server echoes.
        RELKIT_REGISTRY_PASSWORD: `${password}\n`,
      },
    );
    expect(run.code, describeRun(run)).toBe(1);
    expect(JSON.parse(run.stdout).error.code, describeRun(run)).toBe('DENIED');
    expectNothingOf(
      run.stdout + run.stderr,
      [password, encodeURIComponent(password), b64(`${username}:${password}`)],
      run,
    );
  });

  it('a token registry quoting the issued token in a long plain-text answer (cut at 200 characters)', async () => {
    const token = `issued-${randomBytes(32).toString('hex')}`;
    let self = '';
    self = await serve((req, res) => {
      if (req.url?.startsWith('/token')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
        return;
      }
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${self}/token",service="svc"` }).end();
        return;
      }
      const sent = req.headers.authorization.replace(/^Bearer /, '');
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`${'.'.repeat(160)} rejected ${sent}`);
    });
    const run = await runIsolated(
      BIN,
      ['image', 'tag', `${self}/acme/app:1.0.0`, 'echo', '--json', '--timeout', '10'],
      {
        ...DEBUG,
        RELKIT_REGISTRY_USERNAME: 'u',
        RELKIT_REGISTRY_PASSWORD: `pw-${randomBytes(8).toString('hex')}`,
      },
    );
    expect(run.code, describeRun(run)).toBe(1);
    expect(run.stdout, describeRun(run)).toContain('rejected ***');
    expectNothingOf(run.stdout + run.stderr, [token], run);
  });
});
