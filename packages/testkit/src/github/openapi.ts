import { Ajv, type ValidateFunction, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import subsetJson from './openapi-subset.json' with { type: 'json' };

/** One place where a request or a response disagrees with GitHub's OpenAPI description. */
export interface OpenApiViolation {
  readonly kind: 'request' | 'response';
  /** "METHOD /path?query" as the simulator saw it. */
  readonly request: string;
  /** The matched operation, e.g. "GET /repos/{owner}/{repo}/releases", if any. */
  readonly operation: string | undefined;
  readonly status?: number;
  readonly problems: readonly string[];
}

/** The OpenAPI operation a concrete request matched, with its path parameters. */
export interface MatchedOperation {
  readonly method: string;
  readonly template: string;
  readonly operationId: string;
  readonly params: Readonly<Record<string, string>>;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required?: boolean;
  readonly schema?: JsonObject;
}

const SCHEMA_ID = 'https://relkit.test/github-openapi-subset.json';
const subset = subsetJson as unknown as JsonObject;

/** Where the committed subset came from (package and version). */
export const OPENAPI_SOURCE = subset['x-relkit-source'] as { package: string; version: string };

/**
 * OpenAPI 3.0 schemas are not JSON Schema: `nullable: true` has to become a `null` type (and a
 * `null` enum member), otherwise every `"published_at": null` of a draft would fail.
 */
function translate(node: Json, parentKey?: string): Json {
  if (Array.isArray(node)) return node.map((n) => translate(n));
  if (node === null || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'nullable' && parentKey !== 'properties') continue;
    out[k] = translate(v, k);
  }
  if (node.nullable === true && parentKey !== 'properties') {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    if (out.type === undefined) {
      // A nullable $ref / allOf / oneOf: allow null beside the whole thing.
      const { ...rest } = out;
      return { anyOf: [rest, { type: 'null' }] };
    }
  }
  return out;
}

function pointer(parts: readonly string[]): string {
  return '#/' + parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

function formatErrors(errors: readonly ErrorObject[] | null | undefined, where: string): string[] {
  return (errors ?? [])
    .slice(0, 8)
    .map((e) => `${where}${e.instancePath || ''} ${e.message ?? 'is invalid'}${paramsText(e)}`);
}

function paramsText(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if ('additionalProperty' in p) return `: ${String(p.additionalProperty)}`;
  if ('allowedValues' in p) return `: ${JSON.stringify(p.allowedValues)}`;
  return '';
}

/** Validates requests and responses against the committed subset of GitHub's OpenAPI description. */
export class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly doc: JsonObject;
  private readonly routes: { method: string; template: string; re: RegExp; names: string[] }[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    this.doc = translate(subset) as JsonObject;
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    // ajv-formats ships CommonJS with a default export; under NodeNext it arrives wrapped.
    const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
      addFormatsModule) as (ajv: Ajv) => Ajv;
    addFormats(this.ajv);
    this.ajv.addSchema({ ...this.doc, $id: SCHEMA_ID });
    const paths = this.doc.paths as Record<string, JsonObject>;
    for (const [template, item] of Object.entries(paths)) {
      for (const method of Object.keys(item)) {
        if (method === 'parameters') continue;
        const names: string[] = [];
        const multi = new Set(
          this.parameters(template, method)
            .filter((p) => p.in === 'path' && (p as unknown as JsonObject)['x-multi-segment'] === true)
            .map((p) => p.name),
        );
        const source = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
          names.push(name);
          return multi.has(name) ? '(.+?)' : '([^/]+)';
        });
        this.routes.push({ method: method.toUpperCase(), template, re: new RegExp(`^${source}$`), names });
      }
    }
    // Longest literal templates first, so /releases/tags/{tag} wins over /releases/{release_id}.
    this.routes.sort(
      (a, b) => b.template.replace(/\{[^}]+\}/g, '').length - a.template.replace(/\{[^}]+\}/g, '').length,
    );
  }

  /** Every "METHOD /template" the subset describes. */
  operations(): string[] {
    return this.routes.map((r) => `${r.method} ${r.template}`).sort();
  }

  match(method: string, pathname: string): MatchedOperation | undefined {
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const m = r.re.exec(pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1] ?? '')));
      const op = this.operation(r.template, r.method.toLowerCase());
      return { method: r.method, template: r.template, operationId: String(op.operationId), params };
    }
    return undefined;
  }

  private operation(template: string, method: string): JsonObject {
    return (this.doc.paths as Record<string, Record<string, JsonObject>>)[template]![method]!;
  }

  private deref<T>(node: Json): T {
    let cur = node;
    for (let i = 0; i < 10 && cur && typeof cur === 'object' && !Array.isArray(cur) && '$ref' in cur; i++) {
      const ref = String(cur.$ref);
      cur = ref
        .slice(2)
        .split('/')
        .reduce<Json>((n, k) => (n as JsonObject)[k.replace(/~1/g, '/').replace(/~0/g, '~')]!, this.doc);
    }
    return cur as T;
  }

  private parameters(template: string, method: string): Parameter[] {
    const item = (this.doc.paths as Record<string, JsonObject>)[template]!;
    const shared = (item.parameters ?? []) as Json[];
    const own = (this.operation(template, method).parameters ?? []) as Json[];
    return [...shared, ...own].map((p) => this.deref<Parameter>(p));
  }

  private validator(parts: readonly string[]): ValidateFunction {
    const ref = SCHEMA_ID + pointer(parts);
    let v = this.compiled.get(ref);
    if (!v) {
      v = this.ajv.compile({ $ref: ref });
      this.compiled.set(ref, v);
    }
    return v;
  }

  /** Problems with a request: path and query parameters, and the JSON body. */
  checkRequest(op: MatchedOperation, query: URLSearchParams, body: unknown): string[] {
    const method = op.method.toLowerCase();
    const problems: string[] = [];
    const params = this.parameters(op.template, method);
    for (const p of params) {
      if (p.in === 'header') continue;
      const raw = p.in === 'path' ? op.params[p.name] : (query.get(p.name) ?? undefined);
      if (raw === undefined) {
        if (p.required) problems.push(`missing required ${p.in} parameter "${p.name}"`);
        continue;
      }
      const value = coerce(raw, p.schema);
      const check = this.ajv.compile(p.schema ?? {});
      if (!check(value)) problems.push(...formatErrors(check.errors, `${p.in} parameter "${p.name}"`));
    }
    for (const name of query.keys())
      if (!params.some((p) => p.in === 'query' && p.name === name))
        problems.push(`query parameter "${name}" is not defined for ${op.method} ${op.template}`);
    const opNode = this.operation(op.template, method);
    const requestBody = opNode.requestBody
      ? this.deref<{ required?: boolean; content?: Record<string, unknown> }>(opNode.requestBody)
      : undefined;
    if (requestBody?.content?.['application/json']) {
      if (body === undefined) {
        if (requestBody.required) problems.push('missing required JSON request body');
      } else {
        const v = this.validator([
          'paths',
          op.template,
          method,
          'requestBody',
          'content',
          'application/json',
          'schema',
        ]);
        if (!v(body)) problems.push(...formatErrors(v.errors, 'request body'));
      }
    } else if (
      body !== undefined &&
      !(typeof body === 'object' && body !== null && Object.keys(body).length === 0)
    ) {
      problems.push(`${op.method} ${op.template} takes no request body`);
    }
    return problems;
  }

  /** Problems with a response: the status must be documented and the body must match its schema. */
  checkResponse(op: MatchedOperation, status: number, body: unknown): string[] {
    const method = op.method.toLowerCase();
    const responses = this.operation(op.template, method).responses as JsonObject;
    const key = String(status) in responses ? String(status) : 'default' in responses ? 'default' : undefined;
    if (!key) return [`status ${status} is not documented for ${op.method} ${op.template}`];
    const response = this.deref<{ content?: Record<string, unknown> }>(responses[key]!);
    const raw = responses[key] as JsonObject;
    const json = response.content?.['application/json'];
    if (!json) {
      return body === undefined
        ? []
        : [`status ${status} of ${op.method} ${op.template} has no body, one was sent`];
    }
    if (body === undefined) return [`status ${status} of ${op.method} ${op.template} needs a JSON body`];
    const parts =
      typeof raw.$ref === 'string'
        ? [
            ...raw.$ref
              .slice(2)
              .split('/')
              .map((s) => s.replace(/~1/g, '/')),
            'content',
            'application/json',
            'schema',
          ]
        : ['paths', op.template, method, 'responses', key, 'content', 'application/json', 'schema'];
    const v = this.validator(parts);
    return v(body) ? [] : formatErrors(v.errors, 'response body');
  }

  /** Whether the operation's OpenAPI entry lists this status. */
  documents(op: MatchedOperation, status: number): boolean {
    const responses = this.operation(op.template, op.method.toLowerCase()).responses as JsonObject;
    return String(status) in responses;
  }

  /** Validates any value against a named component schema (used to cross-check recorded fixtures). */
  checkComponent(name: string, value: unknown): string[] {
    const v = this.validator(['components', 'schemas', name]);
    return v(value) ? [] : formatErrors(v.errors, name);
  }
}

function coerce(raw: string, schema: JsonObject | undefined): unknown {
  const type = schema?.type;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}
