// What a bad network or a hostile proxy can do to an answer after its headers: cut it short, or
// make it huge (a compression bomb). Forced by a relay on 127.0.0.1 in front of the simulator.
import { gzipSync } from 'node:zlib';
import { rejectionOf } from '@relkit/testkit';
import { describe, expect, it } from 'vitest';
import { GitHubError } from './errors.js';
import { MAX_ANSWER_BYTES } from './lean-fetch.js';
import { cutShort, useRelay } from './__tests__/relay.js';
import { forgeFor, R, REPO, useSimulator } from './__tests__/support.js';

const t = useSimulator();
const startRelay = useRelay(t);

describe('an answer cut short (JSON that does not parse)', () => {
  it('is retried when it is a read, and never used as data', async () => {
    const relayed = await startRelay(/^GET \/repos\/acme\/app$/, cutShort, 1);
    const forge = forgeFor(t.sim, { baseUrl: relayed.url });
    // Before: @octokit/request handed the cut text over as `data`, and canPush read
    // `permissions.push` of a string: undefined ("cannot tell"), without an error.
    expect(await forge.canPush(REPO)).toBe(true);
    expect(relayed.log.filter((l) => l === 'GET /repos/acme/app')).toHaveLength(2);
  });

  it('fails a read as UNAVAILABLE, naming the request, when every try is cut', async () => {
    const relayed = await startRelay(/^GET \/repos\/acme\/app$/, cutShort);
    const e = await rejectionOf(forgeFor(t.sim, { baseUrl: relayed.url }).canPush(REPO), GitHubError);
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.message).toContain('the answer to GET /repos/acme/app is not the JSON it claims');
    expect(relayed.log.filter((l) => l === 'GET /repos/acme/app')).toHaveLength(4);
  });

  it('leaves a write applied once: a lost commit answer is re-sent (content-addressed), the lock ref is looked for, not re-sent', async () => {
    const relayed = await startRelay(/^POST \/repos\/acme\/app\/git\/(commits|refs)$/, cutShort, 1);
    const forge = forgeFor(t.sim, { baseUrl: relayed.url, readBackAttempts: 3 });
    // Before: the cut commit answer was used as data, its `sha` undefined: no lock commit.
    const r = await forge.writeLock(REPO, 'release', undefined, '{"holder":"run-1"}');
    if (!r.written) throw new Error('lock not taken');
    const sha = t.sim.refSha(R, 'refs/relkit-locks/release');
    expect(sha).toBe(r.sha);
    expect(t.sim.commitInfo(R, sha!)?.message).toBe('relkit-lock\n\n{"holder":"run-1"}');
    expect(relayed.log.filter((l) => l === 'POST /repos/acme/app/git/commits')).toHaveLength(2);
    expect(relayed.log.filter((l) => l === 'POST /repos/acme/app/git/refs')).toHaveLength(1);
  });
});

describe('an answer past MAX_ANSWER_BYTES', () => {
  it('a gzip bomb is refused at once, not retried: UNEXPECTED_RESPONSE naming what relkit was doing', async () => {
    expect(MAX_ANSWER_BYTES).toBe(64 * 1024 * 1024);
    // ~65 KB on the wire, 64 MiB + 1 byte once inflated. Before: inflated whole, then used.
    const bomb = gzipSync(Buffer.alloc(MAX_ANSWER_BYTES + 1, ' '), { level: 1 });
    const relayed = await startRelay(/^GET \/repos\/acme\/app$/, (socket) =>
      socket.end(
        Buffer.concat([
          Buffer.from(
            `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\ncontent-length: ${bomb.length}\r\n\r\n`,
          ),
          bomb,
        ]),
      ),
    );
    const e = await rejectionOf(forgeFor(t.sim, { baseUrl: relayed.url }).canPush(REPO), GitHubError);
    expect(e.code).toBe('UNEXPECTED_RESPONSE');
    expect(e.message).toBe(
      `reading acme/app failed: the answer to GET ${new URL(relayed.url).host}/repos/acme/app is larger than 64 MiB: refused`,
    );
    expect(relayed.log).toEqual(['GET /repos/acme/app']);
  });
});
