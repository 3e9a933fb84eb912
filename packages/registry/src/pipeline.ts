import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable as ReadableType } from 'node:stream';

/*
 * HTTP/1.1 with pipelining, for the short requests of a retag (manifest HEAD, GET and PUT):
 * requests that may share a connection are written back to back on it without waiting for the
 * answers before them, and the server answers them in order (RFC 9112 §9.3.2; Go's net/http —
 * distribution — reads a connection's requests one after another). HEAD(target) and GET(source)
 * then cost one round trip on one connection (one TLS handshake), and the read-back HEAD rides
 * the PUT's round trip. node:http cannot pipeline, hence this small client on a bare socket.
 *
 * Only direct connections (no forward proxy: one may split pipelined requests) and only
 * requests with their body in bytes come here. A server that does not pipeline is learnt:
 * requests still unanswered when it closes the connection (or says `Connection: close`, or a
 * pipelined request times out) are sent again — on their own connection — and that origin gets
 * no more pipelining. Only HEAD, GET and PUT (idempotent) are sent again; a request whose answer
 * had begun is never sent twice.
 */

const { Readable } = process.getBuiltinModule('node:stream');
const dc = process.getBuiltinModule('node:diagnostics_channel');
// For benchmarks' accounting (bench/trace.mjs), as node:http's own http.client.* channels.
const requestStart = dc.channel('relkit.pipeline.request.start');
const responseFinish = dc.channel('relkit.pipeline.response.finish');
/** The client took over a connection opened before it existed (EarlyConnection). */
const earlyAdopted = dc.channel('relkit.pipeline.early.adopt');

/** Longest status line plus headers accepted (Node's default is 16 KiB). */
const MAX_HEAD_BYTES = 64 * 1024;
/** Requests written on one connection before their answers are in. */
const MAX_DEPTH = 4;
const RESENDABLE = new Set(['GET', 'HEAD', 'PUT']);
const MAX_RESENDS = 2;

export interface PipelineAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: ReadableType;
}

export interface PipelineCall {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | undefined;
  readonly signal: AbortSignal;
  /** May be written behind other such requests still waiting for their answers. */
  readonly pipeline: boolean;
  /**
   * Called once the request is written on a connection that takes pipelined requests: one of
   * them sent now goes right behind it, in the same round trip.
   */
  readonly onPipelining?: (() => void) | undefined;
}

interface Pending {
  readonly url: URL;
  readonly call: PipelineCall;
  readonly resolve: (a: PipelineAnswer) => void;
  readonly reject: (e: Error) => void;
  /** Set once the status line is in: from then on the request is never sent again. */
  answered: boolean;
  /** Written while an earlier request on its connection still waited for its answer. */
  behind: boolean;
  resends: number;
  conn: Connection | undefined;
  onAbort: (() => void) | undefined;
  /** Set on the stand-in for a request written early (EarlyConnection). */
  early?: EarlyRequest | undefined;
  /** What the tracer knows the request by (the early write's key, once claimed). */
  traceKey?: object | undefined;
}

type Connect = (url: URL) => Socket;

/**
 * A connection opened, and requests written on it, before the client existed: release-cli's
 * launcher does that for `image tag` (packages/cli/bin/early-image-tag.js) while the CLI loads.
 * The first client with a request for its origin takes it over: the answers to what was written
 * go to requests identical byte for byte (requestHead) instead of those being written again;
 * answers nobody asks for are read and dropped. Only anonymous GET and HEAD may be written early.
 */
export interface EarlyConnection {
  readonly origin: string;
  readonly socket: Socket;
  /** What was written, in order: each request's head (no body), and a key for the tracer. */
  readonly requests: readonly { readonly head: string; readonly traceKey: object }[];
  /** Stops buffering: the bytes received so far, or undefined when the connection is gone. */
  take(): Buffer | undefined;
}

/** Where the early connection waits (globalThis: the launcher and the bundle share no module). */
export const EARLY_CONNECTION = Symbol.for('relkit.registry.early-connection');

/** An answer to an early request nobody claimed is kept up to this size, then the connection goes. */
const MAX_UNCLAIMED_BODY = 8 * 1024 * 1024;

/** A request written early, waiting for the identical request of the client to claim it. */
interface EarlyRequest {
  readonly head: string;
  readonly traceKey: object;
  readonly pending: Pending;
  claimed: boolean;
  /** The connection failed before its answer: not claimable, the client sends its own. */
  failed: boolean;
  answer: PipelineAnswer | undefined;
  /** The body read so far while unclaimed; then `sink` gets the rest. */
  readonly chunks: Buffer[];
  size: number;
  ended: boolean;
  bodyError: Error | undefined;
  sink: ReadableType | undefined;
  /** The request that claimed the answer while its body was still coming (abortable till then). */
  claimant?: Pending | undefined;
}

/** The bytes a request starts with (request line and headers), or why it cannot be sent. */
export function requestHead(url: URL, call: PipelineCall): string | TypeError {
  let head = `${call.method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  const headers: Record<string, string> = { ...call.headers };
  if (call.body) headers['content-length'] = String(call.body.byteLength);
  for (const [k, v] of Object.entries(headers)) {
    if (/[\r\n:]/.test(k) || /[\r\n\0]/.test(v)) return new TypeError(`invalid header ${JSON.stringify(k)}`);
    head += `${k}: ${v}\r\n`;
  }
  return `${head}\r\n`;
}

/** The pipelining connections of one client, by origin. */
export class PipelinedConnections {
  private readonly pools = new Map<string, Connection[]>();
  /** Origins that closed on pipelined requests or let one time out: one request at a time. */
  private readonly noPipelining = new Set<string>();
  /** Whether this client took over an early connection (EarlyConnection). */
  private adopted = false;

  constructor(
    private readonly connect: Connect,
    private readonly afterFirstWrite: () => void,
  ) {}

  exchange(url: URL, call: PipelineCall): Promise<PipelineAnswer> {
    return new Promise<PipelineAnswer>((resolve, reject) => {
      const p: Pending = {
        url,
        call,
        resolve,
        reject,
        answered: false,
        behind: false,
        resends: 0,
        conn: undefined,
        onAbort: undefined,
      };
      if (call.signal.aborted) {
        reject(abortError(call.signal));
        return;
      }
      p.onAbort = () => this.abort(p);
      call.signal.addEventListener('abort', p.onAbort, { once: true });
      this.dispatch(p);
    });
  }

  private dispatch(p: Pending): void {
    const origin = p.url.origin;
    if (p.resends === 0 && this.claimEarly(origin, p)) return;
    const live = (this.pools.get(origin) ?? []).filter((c) => c.open);
    let conn = live.find((c) => c.queue.length === 0);
    const pipelining = p.call.pipeline && !this.noPipelining.has(origin);
    if (!conn && pipelining)
      conn = live.find((c) => c.queue.length < MAX_DEPTH && c.queue.every((q) => q.call.pipeline));
    if (!conn) {
      conn = new Connection(this.connect(p.url), p.url, this);
      live.push(conn);
    }
    this.pools.set(origin, live);
    p.conn = conn;
    conn.send(p);
    if (pipelining) p.call.onPipelining?.();
  }

  /**
   * Takes over the early connection to `origin`, if there is one, and gives `p` the answer to
   * the identical request written on it early. False: `p` goes out as usual.
   */
  private claimEarly(origin: string, p: Pending): boolean {
    const early = (globalThis as Record<symbol, EarlyConnection | undefined>)[EARLY_CONNECTION];
    if (early?.origin === origin) {
      delete (globalThis as Record<symbol, unknown>)[EARLY_CONNECTION];
      const received = early.take();
      if (received) {
        const conn = new Connection(early.socket, new URL(origin), this);
        const live = (this.pools.get(origin) ?? []).filter((c) => c.open);
        live.push(conn);
        this.pools.set(origin, live);
        this.adopted = true;
        if (earlyAdopted.hasSubscribers) earlyAdopted.publish({ socket: early.socket });
        conn.adopt(early.requests, received);
      }
    }
    if (!this.adopted || p.call.body || !p.call.pipeline || this.noPipelining.has(origin)) return false;
    const head = requestHead(p.url, p.call);
    if (typeof head !== 'string') return false;
    for (const conn of this.pools.get(origin) ?? []) {
      const e = conn.earlyRequests.find((r) => !r.claimed && !r.failed && r.head === head);
      if (!e) continue;
      e.claimed = true;
      p.traceKey = e.traceKey;
      const at = conn.queue.indexOf(e.pending);
      if (at >= 0 && !e.pending.answered) {
        // Not answered yet: p takes the stand-in's place in the queue, as if written there.
        p.conn = conn;
        p.behind = e.pending.behind;
        conn.queue[at] = p;
        conn.ref();
        p.call.onPipelining?.();
        return true;
      }
      if (!e.answer) {
        e.claimed = false;
        e.failed = true;
        continue;
      }
      // Answered already: p gets the answer, its body as read so far and the rest as it comes.
      p.answered = true;
      const sink = new Readable({ read: () => undefined });
      sink.on('error', () => undefined);
      for (const c of e.chunks) sink.push(c);
      e.chunks.length = 0;
      if (e.bodyError) sink.destroy(e.bodyError);
      else if (e.ended) sink.push(null);
      if (e.bodyError || e.ended) this.settle(p);
      else {
        // The rest of the body is waited for: p stays abortable until it is in (as a request
        // whose body is being read), since only the connection's end can fail a stalled body.
        // Settled at once, p let a server that stopped mid-body keep the process waiting past
        // any timeout, on a connection ref'd for the rest (unref'd again once only stand-ins
        // are left).
        e.sink = sink;
        e.claimant = p;
        p.conn = conn;
        conn.ref();
        // Dropped unread (a manifest declared too large): as for an answer of its own (the
        // reader's 'close' in parse), the rest can't be skipped safely and the connection goes.
        // Left open, it read on a body nobody wanted while what waited behind it timed out.
        sink.once('close', () => {
          if (!e.ended && !e.bodyError) conn.destroy(new Error('the answer was not read to its end'));
        });
      }
      p.call.onPipelining?.();
      p.resolve({ status: e.answer.status, headers: e.answer.headers, body: sink });
      return true;
    }
    return false;
  }

  /** @internal an early request's answer came before anyone claimed it: read it aside. */
  earlyAnswer(conn: Connection, e: EarlyRequest, a: PipelineAnswer): void {
    e.answer = a;
    a.body.on('data', (c: Buffer) => {
      if (e.sink) {
        e.sink.push(c);
        return;
      }
      e.chunks.push(c);
      e.size += c.length;
      if (e.size > MAX_UNCLAIMED_BODY) conn.destroy(new Error('an unclaimed early answer is too large'));
    });
    a.body.on('end', () => {
      e.ended = true;
      e.sink?.push(null);
      if (e.claimant) this.settle(e.claimant);
    });
    a.body.on('error', (err: Error) => {
      e.bodyError = err;
      e.sink?.destroy(err);
      if (e.claimant) this.settle(e.claimant);
    });
  }

  /** @internal a connection ended: requests it did not answer go out again, or fail. */
  requeue(from: Connection, unanswered: Pending[], error: Error, pipelinedLost: boolean): void {
    if (pipelinedLost) this.noPipelining.add(from.url.origin);
    for (const p of unanswered) {
      p.conn = undefined;
      if (p.early) {
        // Written early and not claimed: nobody waits for it, and the client sends its own.
        p.early.failed = true;
        continue;
      }
      if (p.call.signal.aborted) continue;
      if (p !== unanswered[0] || error === SERVER_CLOSED) {
        // Never answered (the server closed before reading it, or said it would): safe to resend
        // an idempotent request.
        if (RESENDABLE.has(p.call.method) && p.resends < MAX_RESENDS) {
          p.resends++;
          this.dispatch(p);
          continue;
        }
      }
      this.settle(p);
      p.reject(error);
    }
  }

  /** @internal */
  firstWrite(): void {
    this.afterFirstWrite();
  }

  /** @internal the request is done with (answered and read, or failed): no abort any more. */
  settle(p: Pending): void {
    if (p.onAbort) p.call.signal.removeEventListener('abort', p.onAbort);
  }

  private abort(p: Pending): void {
    const error = abortError(p.call.signal);
    const conn = p.conn;
    // HTTP/1.1 cannot cancel one request of a connection: the connection goes (an answer being
    // read fails with the abort), and requests pipelined behind go out again. A pipelined
    // request that timed out teaches the origin not to pipeline.
    if (conn) {
      if (p.behind) this.noPipelining.add(conn.url.origin);
      conn.destroy(error, p);
    }
    if (!p.answered) {
      this.settle(p);
      p.reject(error);
    }
  }
}

/** Marks a close the server announced (Connection: close) or made cleanly between answers. */
const SERVER_CLOSED = new Error('the server closed the connection');

class Connection {
  readonly queue: Pending[] = [];
  /** Requests written before the client existed (EarlyConnection), claimed or not. */
  earlyRequests: EarlyRequest[] = [];
  open = true;
  private buffered: Buffer = Buffer.alloc(0);
  /** The body being read for queue[0], when its head is in. */
  private body: BodyReader | undefined;
  private wroteOnce = false;
  private closeAfter = false;

  constructor(
    private readonly socket: Socket,
    readonly url: URL,
    private readonly owner: PipelinedConnections,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(SERVER_CLOSED));
    socket.on('end', () => {
      // A body delimited by the close ends here; otherwise the server stopped answering.
      if (this.body?.untilClose) this.finishBody();
      this.fail(SERVER_CLOSED);
    });
  }

  /**
   * Takes over an early connection: its requests wait for their answers in this queue (stand-
   * ins the client's identical requests claim), and what already came is read.
   */
  adopt(requests: EarlyConnection['requests'], received: Buffer): void {
    this.wroteOnce = true;
    const never = new AbortController().signal;
    for (const [i, r] of requests.entries()) {
      const method = r.head.slice(0, r.head.indexOf(' '));
      const stand: Pending = {
        url: this.url,
        call: { method, headers: {}, signal: never, pipeline: true },
        resolve: (a) => this.owner.earlyAnswer(this, e, a),
        reject: () => {
          e.failed = true;
        },
        answered: false,
        behind: i > 0,
        resends: 0,
        conn: this,
        onAbort: undefined,
        traceKey: r.traceKey,
      };
      const e: EarlyRequest = {
        head: r.head,
        traceKey: r.traceKey,
        pending: stand,
        claimed: false,
        failed: false,
        answer: undefined,
        chunks: [],
        size: 0,
        ended: false,
        bodyError: undefined,
        sink: undefined,
      };
      stand.early = e;
      this.earlyRequests.push(e);
      this.queue.push(stand);
    }
    // In flight: what the answers need can load now (HttpConnections' loadWhileWaiting).
    this.owner.firstWrite();
    if (received.length) this.onData(received);
  }

  /** @internal a claimed early request is waited for: the process stays for its answer. */
  ref(): void {
    this.socket.ref();
  }

  send(p: Pending): void {
    p.behind = this.queue.length > 0;
    this.queue.push(p);
    this.socket.ref();
    const head = requestHead(p.url, p.call);
    if (typeof head !== 'string') {
      this.remove(p);
      this.owner.settle(p);
      p.reject(head);
      return;
    }
    const bytes = p.call.body?.byteLength
      ? Buffer.concat([Buffer.from(head, 'latin1'), p.call.body])
      : Buffer.from(head, 'latin1');
    const channelled = requestStart.hasSubscribers;
    if (channelled) requestStart.publish({ request: p, socket: this.socket });
    if (!this.wroteOnce) {
      this.wroteOnce = true;
      this.socket.write(bytes, () => this.owner.firstWrite());
    } else this.socket.write(bytes);
  }

  remove(p: Pending): void {
    const i = this.queue.indexOf(p);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** Ends the connection; an answer being read fails with `error`, the unanswered go again. */
  destroy(error: Error, except?: Pending): void {
    this.end(error, false, except);
  }

  private fail(error: Error): void {
    // A close with pipelined requests waiting: the server dropped them (or announced the
    // close): that origin stops pipelining.
    this.end(
      error,
      this.queue.some((q) => !q.answered && q.behind),
    );
  }

  private end(error: Error, pipelinedLost: boolean, except?: Pending): void {
    if (!this.open) return;
    this.open = false;
    this.socket.destroy();
    const body = this.body;
    this.body = undefined;
    if (body) {
      const p = this.queue.shift();
      body.fail(
        error === SERVER_CLOSED ? new Error('the connection closed in the middle of an answer') : error,
      );
      if (p) this.owner.settle(p);
    }
    const left = this.queue.splice(0).filter((q) => q !== except);
    this.owner.requeue(this, left, except ? SERVER_CLOSED : error, pipelinedLost);
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    try {
      this.parse();
    } catch (e) {
      const error = e as Error;
      const p = this.queue[0];
      if (p && !p.answered) {
        this.queue.shift();
        this.owner.settle(p);
        p.reject(error);
      }
      this.destroy(error);
    }
  }

  private parse(): void {
    for (;;) {
      if (this.body) {
        if (!this.body.feed(this)) return;
        this.finishBody();
        if (!this.open) return;
        continue;
      }
      const p = this.queue[0];
      if (!p) {
        if (this.buffered.length) throw new Error('the server sent bytes no request asked for');
        return;
      }
      const end = this.buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.buffered.length > MAX_HEAD_BYTES) throw new Error('the response headers are too large');
        return;
      }
      if (end > MAX_HEAD_BYTES) throw new Error('the response headers are too large');
      const lines = this.buffered.subarray(0, end).toString('latin1').split('\r\n');
      this.buffered = this.buffered.subarray(end + 4);
      const m = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
      if (!m) throw new Error(`the server sent a malformed status line`);
      const status = Number(m[2]);
      const headers: IncomingHttpHeaders = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon <= 0 || /[\s]/.test(line[0] ?? '')) throw new Error('the server sent a malformed header');
        const name = line.slice(0, colon).toLowerCase();
        if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) throw new Error('the server sent a malformed header');
        const value = line.slice(colon + 1).trim();
        const had = headers[name];
        if (had === undefined) headers[name] = value;
        else if (Array.isArray(had)) had.push(value);
        else (headers as Record<string, string | string[]>)[name] = [had, value];
      }
      if (status < 200) continue; // 1xx: the real answer follows
      const connection = String(headers.connection ?? '').toLowerCase();
      if (m[1] === '0' ? !/keep-alive/.test(connection) : /close/.test(connection)) this.closeAfter = true;
      const te = String(headers['transfer-encoding'] ?? '').toLowerCase();
      const cl = headers['content-length'];
      let reader: BodyReader;
      if (p.call.method === 'HEAD' || status === 204 || status === 304) reader = new BodyReader('none', 0);
      else if (te) {
        if (!/(^|,)\s*chunked\s*$/.test(te)) throw new Error(`unsupported transfer-encoding ${te}`);
        reader = new BodyReader('chunked', 0);
      } else if (cl !== undefined) {
        const v = Array.isArray(cl) ? cl[0] : cl;
        if (!/^\d{1,15}$/.test(v ?? '') || (Array.isArray(cl) && cl.some((x) => x !== v)))
          throw new Error('the server sent an invalid content-length');
        reader = new BodyReader('length', Number(v));
      } else {
        reader = new BodyReader('close', 0);
        this.closeAfter = true;
      }
      p.answered = true;
      this.body = reader;
      reader.stream.on('close', () => {
        // The reader stopped early (destroyed the body): the rest of it can't be skipped safely.
        if (this.body === reader && !reader.done)
          this.destroy(new Error('the answer was not read to its end'));
      });
      p.resolve({ status, headers, body: reader.stream });
      if (this.closeAfter && this.queue.length > 1) {
        // The server will close after this answer: what was pipelined behind goes elsewhere.
        this.owner.requeue(this, this.queue.splice(1), SERVER_CLOSED, true);
      }
    }
  }

  private finishBody(): void {
    const body = this.body;
    if (!body) return;
    body.done = true;
    this.body = undefined;
    const p = this.queue.shift();
    body.stream.push(null);
    if (p) {
      this.owner.settle(p);
      if (responseFinish.hasSubscribers) responseFinish.publish({ request: p.traceKey ?? p });
    }
    if (this.closeAfter) {
      this.open = false;
      this.socket.destroy();
      const left = this.queue.splice(0);
      this.owner.requeue(this, left, SERVER_CLOSED, left.length > 0);
      return;
    }
    // Only early requests nobody claimed left: nothing the process need wait for.
    if (this.queue.every((q) => q.early)) this.socket.unref();
  }

  /** @internal for BodyReader */
  take(max: number): Buffer {
    const n = Math.min(max, this.buffered.length);
    const out = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    return out;
  }

  /** @internal */
  peek(): Buffer {
    return this.buffered;
  }

  /** @internal */
  pause(): void {
    this.socket.pause();
  }

  /** @internal */
  resume(): void {
    this.socket.resume();
  }
}

/** Reads one answer's body off the connection: by length, chunked, until close, or none. */
class BodyReader {
  readonly stream: ReadableType;
  done = false;
  private conn: Connection | undefined;
  private chunkLeft = -1; // chunked: bytes left of the current chunk, -1 = at a size line
  private trailers = false;

  constructor(
    private readonly kind: 'none' | 'length' | 'chunked' | 'close',
    private left: number,
  ) {
    this.stream = new Readable({ read: () => this.conn?.resume() });
    // A failure before anyone reads (a malformed chunk in the same packet as the head) must not
    // crash the process as an unhandled 'error'; a reader still gets it (stream.errored).
    this.stream.on('error', () => undefined);
  }

  get untilClose(): boolean {
    return this.kind === 'close';
  }

  fail(error: Error): void {
    if (!this.done) this.stream.destroy(error);
  }

  /** Takes what the connection holds; true when the body is complete. */
  feed(conn: Connection): boolean {
    this.conn = conn;
    switch (this.kind) {
      case 'none':
        return true;
      case 'close': {
        const b = conn.take(Infinity);
        if (b.length) this.push(b, conn);
        return false;
      }
      case 'length': {
        const b = conn.take(this.left);
        this.left -= b.length;
        if (b.length) this.push(b, conn);
        return this.left === 0;
      }
      case 'chunked':
        return this.chunked(conn);
    }
  }

  private chunked(conn: Connection): boolean {
    for (;;) {
      if (this.trailers) {
        const buf = conn.peek();
        const end = buf.indexOf('\r\n');
        if (end < 0) {
          if (buf.length > MAX_HEAD_BYTES) throw new Error('chunked trailers are too large');
          return false;
        }
        conn.take(end + 2);
        if (end === 0) return true; // the empty line after the trailers
        continue;
      }
      if (this.chunkLeft === -1) {
        const buf = conn.peek();
        const end = buf.indexOf('\r\n');
        if (end < 0) {
          if (buf.length > 1024) throw new Error('a chunk size line is too long');
          return false;
        }
        const sizeText = buf.subarray(0, end).toString('latin1').split(';')[0]!.trim();
        if (!/^[0-9a-fA-F]{1,12}$/.test(sizeText)) throw new Error('the server sent a malformed chunk size');
        conn.take(end + 2);
        const size = Number.parseInt(sizeText, 16);
        if (size === 0) {
          this.trailers = true;
          continue;
        }
        this.chunkLeft = size;
      }
      if (this.chunkLeft > 0) {
        const b = conn.take(this.chunkLeft);
        this.chunkLeft -= b.length;
        if (b.length) this.push(b, conn);
        if (this.chunkLeft > 0) return false;
      }
      // the CRLF after the chunk's data
      const buf = conn.peek();
      if (buf.length < 2) return false;
      if (buf[0] !== 13 || buf[1] !== 10) throw new Error('the server sent a malformed chunk');
      conn.take(2);
      this.chunkLeft = -1;
    }
  }

  private push(b: Buffer, conn: Connection): void {
    // Backpressure: a slow reader pauses the socket (and so the answers behind this one).
    if (!this.stream.push(b)) conn.pause();
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}
