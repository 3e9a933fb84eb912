// `release-cli image tag <ref> <tag>`: the network starts before the CLI loads. Loaded by the
// launcher (release-cli.js) on Node >= 22 only; it imports nothing of relkit's, so it costs a
// millisecond or two, and the ~25 ms (~40 ms over TLS) of loading and setting up the CLI then
// overlap the connection, the TLS handshake and the first round trip instead of preceding them.
//
// It opens the connection to the source's registry exactly as the registry client would
// (packages/registry/src/http.ts connectDirect: the same TLS options, so certificates are
// checked as strictly) and writes on it the two requests a retag starts with, byte for byte as
// the client's pipelining writes them (packages/registry/src/pipeline.ts requestHead): GET of the
// source manifest and HEAD of the target, both anonymous, as the client's first requests always
// are (credentials are attached only after a 401 challenge, so none can leave early). Then it
// leaves the connection on globalThis for the client: its pipelining takes it over, and a request
// it makes that is identical to one already written takes that one's answer instead of being
// written again. Everything else is the normal path: a 401 leads to the challenge, a token and a
// retry with authorization; a connection that failed (refused, a certificate not trusted) is
// not taken over, the client connects again and reports the failure as always; requests that
// differ (another user agent, a flag this does not know) are simply written anew.
//
// Only the plain cases: an explicit registry host, no forward proxy configured, arguments this
// recognises; anything else leaves the whole job to the CLI.

/** The key the registry client reads (packages/registry/src/pipeline.ts EARLY_CONNECTION). */
const EARLY_CONNECTION = Symbol.for('relkit.registry.early-connection');
/** packages/cli/src/commands/image.ts clientFor(). */
const USER_AGENT = 'release-cli (relkit)';
/** packages/registry/src/manifest.ts MANIFEST_ACCEPT. */
const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
// host[:port] (a name or a bracketed IPv6 address), repository, then a tag or a digest.
const REFERENCE = new RegExp(
  `^((?:\\[[0-9a-f:.]+\\]|[a-z0-9-]+(?:\\.[a-z0-9-]+)*)(?::[0-9]{1,5})?)/(${COMPONENT}(?:/${COMPONENT})*)` +
    `(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|@(sha256:[a-f0-9]{64}))$`,
);
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** A handshake that takes longer than this goes on while the CLI loads. */
const WAIT_CAP_MS = 1000;

/** As packages/registry/src/reference.ts isLoopbackRegistry. */
function isLoopback(host) {
  const hostname = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return (
    hostname === 'localhost' ||
    hostname === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) ||
    hostname.endsWith('.localhost')
  );
}

/**
 * What the early start would do for these arguments (after `image tag`), or undefined when it
 * leaves everything to the CLI: { origin, url (of the registry), heads (the requests' bytes) }.
 */
export function planEarlyImageTag(args, env) {
  const positionals = [];
  let insecure = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--insecure') insecure = true;
    else if (a === '--json') continue;
    else if (a === '--timeout') i++;
    else if (a.startsWith('--timeout=')) continue;
    else if (a.startsWith('-'))
      return undefined; // --help, `--`, or a flag the CLI may refuse
    else positionals.push(a);
  }
  if (positionals.length !== 2 || !TAG.test(positionals[1])) return undefined;
  // A forward proxy may be in use (HttpConnections then never pipelines): never go around it.
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'])
    if (env[name]) return undefined;
  const m = REFERENCE.exec(positionals[0]);
  if (!m) return undefined;
  const [, host, repository, tag, digest] = m;
  // Only an explicit registry (Docker's rule: a dot, a port or localhost); Docker Hub's
  // API lives elsewhere (registry-1.docker.io): the CLI handles those.
  if (!/[.:[]/.test(host) && host !== 'localhost') return undefined;
  if (host === 'docker.io' || host === 'index.docker.io') return undefined;
  let base;
  try {
    base = new URL(`${insecure || isLoopback(host) ? 'http' : 'https'}://${host}/`);
  } catch {
    return undefined;
  }
  const head = (method, reference) => {
    const url = new URL(`/v2/${repository}/manifests/${reference}`, base);
    return (
      `${method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n` +
      `user-agent: ${USER_AGENT}\r\naccept: ${MANIFEST_ACCEPT}\r\n\r\n`
    );
  };
  // In the order retag asks: the source, then the target (packages/registry/src/retag.ts).
  return {
    origin: base.origin,
    url: base,
    heads: [head('GET', digest ?? tag), head('HEAD', positionals[1])],
  };
}

/**
 * Opens the connection and writes the first requests; resolves once they are on the wire (or the
 * connection failed). Undefined when the plan says to leave it all to the CLI.
 */
export function startEarlyImageTag(args, env) {
  const plan = planEarlyImageTag(args, env);
  if (!plan) return;
  const host = plan.url.hostname.replace(/^\[|\]$/g, '');
  const secure = plan.url.protocol === 'https:';
  const port = Number(plan.url.port) || (secure ? 443 : 80);
  const net = process.getBuiltinModule('node:net');
  // As connectDirect in packages/registry/src/http.ts: verified like node:https (default CAs plus
  // NODE_EXTRA_CA_CERTS, the host name checked, SNI unless an IP address).
  const socket = secure
    ? process
        .getBuiltinModule('node:tls')
        .connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ALPNProtocols: ['http/1.1'] })
    : net.connect({ host, port });
  const chunks = [];
  const onData = (chunk) => chunks.push(chunk);
  // The error stays on the socket (destroyed): the client then connects again itself.
  const onError = () => undefined;
  socket.on('data', onData);
  socket.on('error', onError);
  socket.setNoDelay(true);
  const requests = plan.heads.map((head) => ({ head, traceKey: {} }));
  const started = process
    .getBuiltinModule('node:diagnostics_channel')
    .channel('relkit.pipeline.request.start');
  if (started.hasSubscribers) for (const r of requests) started.publish({ request: r.traceKey, socket });
  // One write: both requests leave in the same packet (TLS buffers them until the handshake).
  // Loading the CLI gives the event loop no turn, so nothing of this would move while it loads:
  // the launcher waits until the requests are on the wire (connected, TLS handshake done) or the
  // connection failed. That wait is for the network the retag needs anyway; then the CLI loads
  // while the answers are on their way.
  const written = new Promise((resolve) => {
    let waiting = true;
    // Ctrl-C during the wait (a slow handshake) would kill the process outright, the CLI not
    // loaded yet, where without the early start the CLI cancels the retag and says so (exit 1).
    // The wait ends instead, and the interrupt goes to the CLI's own SIGINT listener once it
    // adds one (packages/cli/src/run.ts); a second Ctrl-C before that kills, as usual.
    const interrupted = () => {
      process.on('newListener', function handOver(event) {
        if (event !== 'SIGINT') return;
        process.off('newListener', handOver);
        process.nextTick(() => process.emit('SIGINT', 'SIGINT'));
      });
      done();
    };
    const done = () => {
      // Once only: after the cap, the write's callback comes while the client may already
      // hold the connection (and have ref'd it for its answers); unref'ing it then would let
      // the process exit with the retag unfinished.
      if (!waiting) return;
      waiting = false;
      clearTimeout(cap);
      socket.off('close', done);
      process.off('SIGINT', interrupted);
      // The process must not wait for this connection: when the CLI ends without a request (a
      // usage error), it exits as it would have; the client refs it once a request is its own.
      socket.unref();
      resolve();
    };
    const cap = setTimeout(done, WAIT_CAP_MS);
    process.once('SIGINT', interrupted);
    socket.write(Buffer.from(plan.heads.join(''), 'latin1'), done);
    socket.once('close', done);
  });
  globalThis[EARLY_CONNECTION] = {
    origin: plan.origin,
    socket,
    requests,
    take() {
      socket.off('data', onData);
      socket.off('error', onError);
      if (socket.destroyed || socket.readableEnded) {
        socket.on('error', onError);
        socket.destroy();
        return undefined;
      }
      return chunks.length ? Buffer.concat(chunks) : Buffer.alloc(0);
    },
  };
  return written;
}
