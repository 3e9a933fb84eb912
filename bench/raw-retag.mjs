// The lower bound for a Node process that retags: the same requests on the wire as
// `release-cli image tag` — HEAD target and GET source written together on one connection,
// then the PUT with the read-back HEAD right behind it (HTTP/1.1 pipelining: 2 round trips) —
// on a bare node:net / node:tls socket, with no checks and no error handling. HTTPS when the
// base URL says so (trusting NODE_EXTRA_CA_CERTS, like release-cli). It publishes the events
// bench/trace.mjs counts, as relkit's pipelining client does.
//   node bench/raw-retag.mjs <base-url> <repository> <source-tag> <target-tag>
const [base, repository, source, target] = process.argv.slice(2);
const url = new URL(base);
const secure = url.protocol === 'https:';
const host = url.hostname.replace(/^\[|\]$/g, '');
const port = Number(url.port) || (secure ? 443 : 80);
const socket = secure
  ? process.getBuiltinModule('node:tls').connect({ host, port, servername: host })
  : process.getBuiltinModule('node:net').connect({ host, port });
const dc = process.getBuiltinModule('node:diagnostics_channel');
const started = dc.channel('relkit.pipeline.request.start');
const finished = dc.channel('relkit.pipeline.response.finish');
const accept = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const waiting = []; // { method, resolve }, in the order written
let buffered = Buffer.alloc(0);
socket.on('data', (chunk) => {
  buffered = Buffer.concat([buffered, chunk]);
  for (;;) {
    const end = buffered.indexOf('\r\n\r\n');
    if (end < 0 || !waiting.length) return;
    const head = buffered.subarray(0, end).toString('latin1');
    const status = Number(head.slice(9, 12));
    const type = /\r\ncontent-type: *([^\r]*)/i.exec(head)?.[1];
    const length =
      waiting[0].method === 'HEAD' ? 0 : Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (buffered.length < end + 4 + length) return;
    const body = buffered.subarray(end + 4, end + 4 + length);
    buffered = buffered.subarray(end + 4 + length);
    const w = waiting.shift();
    if (finished.hasSubscribers) finished.publish({ request: w });
    w.resolve({ status, type, body });
  }
});
const send = (method, tag, headers, body) =>
  new Promise((resolve) => {
    let text = `${method} /v2/${repository}/manifests/${tag} HTTP/1.1\r\nhost: ${url.host}\r\n`;
    for (const [k, v] of Object.entries(headers)) text += `${k}: ${v}\r\n`;
    if (body) text += `content-length: ${body.length}\r\n`;
    const w = { method, resolve };
    waiting.push(w);
    if (started.hasSubscribers) started.publish({ request: w, socket });
    socket.write(body ? Buffer.concat([Buffer.from(`${text}\r\n`), body]) : `${text}\r\n`);
  });
const [got] = await Promise.all([send('GET', source, { accept }), send('HEAD', target, { accept })]);
const [put] = await Promise.all([
  send('PUT', target, { 'content-type': got.type }, got.body),
  send('HEAD', target, { accept }),
]);
if (put.status !== 201) throw new Error(`PUT ${put.status}`);
// Not end(): waiting for the server to close too would count a round trip release-cli does not wait for.
socket.destroy();
