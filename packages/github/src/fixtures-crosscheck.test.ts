// Cross-check: the simulator's responses against recorded real GitHub responses from
// @octokit/fixtures, for the endpoints a fixture scenario covers.
import { createRequire } from 'node:module';
import { OpenApiValidator, startGitHubSimulator } from '@relkit/testkit';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const R = 'acme/app';

describe('cross-check with recorded real GitHub responses (@octokit/fixtures)', () => {
  const validator = new OpenApiValidator();
  const fixture = (name: string) =>
    require(`@octokit/fixtures/scenarios/api.github.com/${name}/normalized-fixture.json`) as {
      method: string;
      path: string;
      status: number;
      response: unknown;
    }[];
  const keys = (v: unknown) => Object.keys(v as object).sort();

  it.each([
    ['git-refs', 'post', /\/git\/refs$/, 'GET /repos/{owner}/{repo}/git/ref/{ref}', 'git-ref'],
    [
      'release-assets',
      'get',
      /\/releases\/tags\//,
      'GET /repos/{owner}/{repo}/releases/tags/{tag}',
      'release',
    ],
    ['create-status', 'get', /\/statuses$/, 'GET /repos/{owner}/{repo}/commits/{ref}/statuses', 'status'],
  ])(
    '%s: the recorded response validates and the simulator sends the same fields',
    async (name, method, path, _op, schema) => {
      const recorded = fixture(name).find((f) => f.method === method && path.test(f.path))!;
      const real = Array.isArray(recorded.response) ? recorded.response[0] : recorded.response;
      expect(validator.checkComponent(schema, real)).toEqual([]);
      const mine = await simulatedObject(schema);
      // Every field the real API sent, the simulator sends too (it may send newer fields).
      expect(keys(real).filter((k) => !keys(mine).includes(k))).toEqual([]);
    },
  );

  it('create-file: the recorded PUT contents response has the shape the simulator sends', async () => {
    const recorded = fixture('create-file').find((f) => f.method === 'put')!.response as {
      content: object;
      commit: object;
    };
    const s = await startGitHubSimulator();
    try {
      s.createRepo(R);
      const res = await fetch(`${s.url}/repos/${R}/contents/test.txt`, {
        method: 'PUT',
        headers: { authorization: `token ${s.pushToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'test', content: Buffer.from('Hello World').toString('base64') }),
      });
      const mine = (await res.json()) as { content: object; commit: object };
      expect(keys(recorded.content).filter((k) => !keys(mine.content).includes(k))).toEqual([]);
      expect(keys(recorded.commit).filter((k) => !keys(mine.commit).includes(k))).toEqual([]);
      s.assertNoViolations();
    } finally {
      await s.stop();
    }
  });
});

async function simulatedObject(schema: string): Promise<unknown> {
  const s = await startGitHubSimulator();
  try {
    const main = s.createRepo(R);
    const get = async (p: string) =>
      (await (
        await fetch(s.url + p, { headers: { authorization: `token ${s.pushToken}` } })
      ).json()) as unknown;
    if (schema === 'git-ref') return await get(`/repos/${R}/git/ref/heads/main`);
    if (schema === 'release') {
      s.seedRelease(R, { tag: 'v1.0.0' });
      return await get(`/repos/${R}/releases/tags/v1.0.0`);
    }
    s.addStatus(R, main, { context: 'ci', state: 'success' });
    return ((await get(`/repos/${R}/commits/${main}/statuses`)) as unknown[])[0];
  } finally {
    s.assertNoViolations();
    await s.stop();
  }
}
