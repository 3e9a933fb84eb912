// Accounting for one whole-process retag, preloaded with `node --import ./bench/trace.mjs` in
// separate runs from the timed ones (it costs a little itself). At exit it appends one JSON line
// to $BENCH_TRACE_FILE: HTTP round trips (waves of requests that overlap in time), requests,
// connections and TLS handshakes (new sessions) used, and milliseconds of Node's own start-up,
// of everything before the first request (module loading, argument parsing, set-up), of the
// network part (first request to last answer), of module loading and set-up that ran while the
// network had started (overlapMs) and of CPU (user + system, the whole process).
const dc = process.getBuiltinModule('node:diagnostics_channel');
const { appendFileSync } = process.getBuiltinModule('node:fs');
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const cpuAtPreload = cpuMs();
const requests = [];
const byRequest = new WeakMap();
const sockets = new Set();
// relkit's pipelining client (packages/registry/src/pipeline.ts) publishes the same two events
// on its own channels, with the socket the request was written on.
dc.subscribe('relkit.pipeline.request.start', ({ request, socket }) => {
  const r = { start: performance.now(), cpu: cpuMs(), end: undefined, socket };
  byRequest.set(request, r);
  requests.push(r);
  sockets.add(socket);
});
dc.subscribe('relkit.pipeline.response.finish', ({ request }) => {
  const r = byRequest.get(request);
  if (r) r.end = performance.now();
});
// release-cli's launcher opens the connection and writes the first requests before the CLI has
// loaded (packages/cli/bin/early-image-tag.js); the client publishes when it takes them over:
// from the first request to then, module loading and set-up overlapped the network.
let earlyTakeover;
dc.subscribe('relkit.pipeline.early.adopt', () => {
  earlyTakeover ??= performance.now();
});
dc.subscribe('http.client.request.start', ({ request }) => {
  const r = { start: performance.now(), cpu: cpuMs(), end: undefined, socket: undefined };
  byRequest.set(request, r);
  requests.push(r);
  const onSocket = (s) => {
    r.socket = s;
    sockets.add(s);
  };
  if (request.socket) onSocket(request.socket);
  else request.once('socket', onSocket);
});
dc.subscribe('http.client.response.finish', ({ request }) => {
  const r = byRequest.get(request);
  if (r) r.end = performance.now();
});
process.once('exit', () => {
  const sorted = [...requests].sort((a, b) => a.start - b.start);
  let roundTrips = 0;
  let waveEnd = -1;
  for (const r of sorted) {
    // A request sent while an earlier one is still waiting rides the same round trip.
    if (r.start >= waveEnd) roundTrips++;
    waveEnd = Math.max(waveEnd, r.end ?? r.start);
  }
  const tls = [...sockets].filter((s) => s.encrypted);
  const cpu = process.cpuUsage();
  const first = sorted[0]?.start;
  const last = Math.max(...sorted.map((r) => r.end ?? r.start));
  const line = {
    requests: requests.length,
    roundTrips,
    connections: sockets.size,
    tlsHandshakes: tls.filter((s) => !s.isSessionReused()).length,
    startupMs: performance.nodeTiming.bootstrapComplete,
    beforeFirstRequestMs: first === undefined ? null : first - performance.nodeTiming.bootstrapComplete,
    networkMs: first === undefined ? null : last - first,
    afterLastAnswerMs: first === undefined ? null : performance.now() - last,
    // Requests started before the CLI was ready: ms from the first request until the client
    // took the early connection over (0 when nothing started early).
    overlapMs: first === undefined || earlyTakeover === undefined ? 0 : earlyTakeover - first,
    cpuMs: (cpu.user + cpu.system) / 1000,
    cpuStartupMs: cpuAtPreload,
    cpuBeforeFirstRequestMs: first === undefined ? null : sorted[0].cpu - cpuAtPreload,
    wallMs: performance.now(),
  };
  if (process.env.BENCH_TRACE_FILE) appendFileSync(process.env.BENCH_TRACE_FILE, `${JSON.stringify(line)}\n`);
});
