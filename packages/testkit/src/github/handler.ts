// How a resource answers a REST operation: a Handler gets the matched operation, the parsed query
// and body, the caller's token and the repository; it returns status, body and headers or throws
// an HttpError. Pagination is GitHub's (per_page, page, Link header).
import type { MatchedOperation } from './openapi.js';
import type { JsonObject, UrlBase } from './objects.js';
import { err, type Repo, type SimToken } from './state.js';
import type { GitHubSimulator } from './types.js';

export interface Ctx {
  op: MatchedOperation;
  query: URLSearchParams;
  body: JsonObject;
  token: SimToken;
  repo: Repo;
  headers: Record<string, string>;
}
export type Handler = (c: Ctx) => { status: number; body?: unknown; headers?: Record<string, string> };

/** A resource of the simulator: the REST operations it answers and its part of the scenario API. */
export interface Resource<K extends keyof GitHubSimulator> {
  readonly handlers: Record<string, Handler>;
  readonly scenario: Pick<GitHubSimulator, K>;
}

export const requirePush = (c: Ctx) => {
  if (!c.token.push) throw err(403, 'Resource not accessible by integration');
};

/** The paginate of one simulator (its Link headers carry the API root). */
export const paginator =
  (base: UrlBase) => (c: Ctx, items: unknown[], wrap?: (page: unknown[]) => JsonObject) => {
    const perPage = Math.min(100, Number(c.query.get('per_page') ?? 30));
    const page = Math.max(1, Number(c.query.get('page') ?? 1));
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    const link = (n: number, rel: string) => {
      const q = new URLSearchParams(c.query);
      q.set('page', String(n));
      q.set('per_page', String(perPage));
      return `<${base.api}${pathOf(c.op)}?${q}>; rel="${rel}"`;
    };
    const links = [];
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
    if (links.length) headers.link = links.join(', ');
    return { status: 200, body: wrap ? wrap(slice) : slice, headers };
  };

const pathOf = (op: MatchedOperation) =>
  op.template.replace(/\{([^}]+)\}/g, (_, n: string) =>
    encodeURIComponent(op.params[n] ?? '').replace(/%2F/g, '/'),
  );
