// File contents: read a file at a ref; commit one through the contents API (#455 silent no-op on demand).
import * as o from './objects.js';
import { requirePush, type Handler, type Resource } from './handler.js';
import { blobSha, err, signedCommitsRequired, type SimState } from './state.js';

export function contentsResource(s: SimState): Resource<'readFile' | 'silentNoOpCommits'> {
  const { base, commits, repo, resolve, filesAt, commitFiles, commitJson } = s;

  const handlers: Record<string, Handler> = {
    'repos/get-content': (c) => {
      const ref = c.query.get('ref') ?? c.repo.facts.defaultBranch;
      const sha = resolve(c.repo, ref);
      if (!sha) throw err(404, `No commit found for the ref ${ref}`);
      const path = c.op.params.path ?? '';
      const content = filesAt(sha).get(path);
      if (!content) throw err(404, 'Not Found');
      return { status: 200, body: o.contentFile(base, c.repo.facts, path, blobSha(content), content, ref) };
    },
    'repos/create-or-update-file-contents': (c) => {
      requirePush(c);
      const path = c.op.params.path ?? '';
      const branch = typeof c.body.branch === 'string' ? c.body.branch : c.repo.facts.defaultBranch;
      const head = c.repo.refs.get(`refs/heads/${branch}`);
      if (!head) throw err(404, `Branch ${branch} not found`);
      const existing = filesAt(head).get(path);
      if (existing && c.body.sha === undefined) throw err(422, '"sha" wasn\'t supplied.', { status: '422' });
      if (existing && c.body.sha !== blobSha(existing))
        throw err(409, `${path} does not match ${String(c.body.sha)}`);
      // GitHub signs an API commit only when an App (bot) makes it without a custom author
      // (docs: "About commit signature verification", signature verification for bots).
      const signed = c.token.kind === 'app' && c.body.author === undefined && c.body.committer === undefined;
      if (!signed && c.repo.signedCommitBranches.has(branch)) throw signedCommitsRequired();
      const content = Buffer.from(String(c.body.content), 'base64');
      // #455: the write "succeeds", a commit exists, but the file is what it was.
      const written = c.repo.silentNoOp ? {} : { [path]: content };
      const sha = commitFiles(c.repo, branch, written, String(c.body.message));
      const landed = filesAt(sha).get(path) ?? content;
      return {
        status: existing ? 200 : 201,
        body: {
          content: o.contentFile(base, c.repo.facts, path, blobSha(landed), undefined, branch),
          commit: commitJson(c.repo, commits.get(sha)!),
        },
      };
    },
  };
  const scenario: Resource<'readFile' | 'silentNoOpCommits'>['scenario'] = {
    readFile(fullName, ref, path) {
      const sha = resolve(repo(fullName), ref);
      return sha ? filesAt(sha).get(path)?.toString('utf8') : undefined;
    },
    silentNoOpCommits(fullName, on) {
      repo(fullName).silentNoOp = on;
    },
  };
  return { handlers, scenario };
}
