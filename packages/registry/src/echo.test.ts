import type http from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { rejectionOf, loopbackHttpServers } from '@relkit/testkit';
import { RegistryClient } from './client.js';
import { staticCredentials } from './credentials.js';
import { RegistryError } from './errors.js';

// Registries (loopback, 127.0.0.1) that echo the request back in their error answers, as a
// hostile or misconfigured one (or a proxy in front of it) does: the RegistryError message quotes
// what the registry said, and must not carry the credentials or the tokens issued for them.

const loopback = loopbackHttpServers();
const serve = async (handler: http.RequestListener) => (await loopback.serve(handler)).host;
afterEach(() => loopback.stopAll());

const unique = (prefix: string) => `${prefix}${randomBytes(24).toString('hex')}`;
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Every 10-character piece of a secret: none may appear (a cut token leaves a prefix). */
function expectNoPieceOf(text: string, secret: string): void {
  for (let i = 0; i + 10 <= secret.length; i++) {
    expect(text, `a piece of the secret at ${i}`).not.toContain(secret.slice(i, i + 10));
  }
}

/** A token registry: its own /token issues `token`; every other request is answered by `echo`. */
async function echoingTokenRegistry(
  token: string,
  echo: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void,
): Promise<string> {
  let self = '';
  self = await serve((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.url?.startsWith('/token')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
        return;
      }
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${self}/token",service="svc"` }).end();
        return;
      }
      echo(req, res, body);
    });
  });
  return self;
}

describe('a registry that echoes the request in its error answer', () => {
  it('a plain-text 400 quoting the issued token across the 200-character cut: no piece of it', async () => {
    const token = unique('opaque-registry-token-');
    const host = await echoingTokenRegistry(token, (req, res) => {
      const sent = req.headers.authorization!.replace(/^Bearer /, '');
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`${'.'.repeat(160)} rejected ${sent} (bad)`);
    });
    const client = new RegistryClient({
      credentials: staticCredentials(host, { kind: 'basic', username: 'u', password: unique('pw-') }),
    });
    const e = await rejectionOf(client.getManifest(`${host}/acme/app:1.0.0`), RegistryError);
    expect(e.message).toContain('rejected ***');
    expectNoPieceOf(e.message, token);
  });

  it('a JSON 500 quoting the Authorization header of a Basic registry: neither the password nor its base64', async () => {
    const password = unique('basic-pw-');
    const host = await serve((req, res) => {
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
        return;
      }
      const message = `bad request: authorization=${req.headers.authorization} password=${password}`;
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ code: 'UNKNOWN', message }] }));
    });
    const client = new RegistryClient({
      retries: 0,
      credentials: staticCredentials(host, { kind: 'basic', username: 'relkit-bot', password }),
    });
    const e = await rejectionOf(client.getManifest(`${host}/acme/app:1.0.0`), RegistryError);
    expect(e.message).toContain('bad request');
    expectNoPieceOf(e.message, password);
    expect(e.message).not.toContain(b64(`relkit-bot:${password}`).slice(0, 20));
  });

  it('a JSON 403 quoting the bearer token and the identity token it was exchanged for (form-encoded)', async () => {
    const token = unique('issued-');
    const refresh = `${unique('refresh/')}+=`;
    let form = '';
    const host = await serve((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (req.url?.startsWith('/token')) {
          form = body;
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ access_token: token }));
          return;
        }
        if (!req.headers.authorization) {
          res
            .writeHead(401, {
              'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="svc"`,
            })
            .end();
          return;
        }
        const message = `denied for ${req.headers.authorization}; login was ${form}`;
        res
          .writeHead(403, { 'content-type': 'application/json' })
          .end(JSON.stringify({ errors: [{ code: 'DENIED', message }] }));
      });
    });
    const client = new RegistryClient({
      credentials: staticCredentials(host, { kind: 'identity-token', token: refresh }),
    });
    const e = await rejectionOf(client.getManifest(`${host}/acme/app:1.0.0`), RegistryError);
    expect(e.code).toBe('DENIED');
    expect(form).toContain(encodeURIComponent(refresh).slice(0, 20));
    expectNoPieceOf(e.message, token);
    expectNoPieceOf(e.message, refresh);
    expectNoPieceOf(e.message, new URLSearchParams({ s: refresh }).toString().slice(2));
  });
});
