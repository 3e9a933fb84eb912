// The lower bound for a Node process that retags: node:http, no checks, no error handling, the
// same requests as `release-cli image tag` (HEAD target ‖ GET source, PUT, HEAD read-back).
// HTTPS when the base URL says so (trusting NODE_EXTRA_CA_CERTS, like release-cli).
//   node bench/raw-retag.mjs <base-url> <repository> <source-tag> <target-tag>
const [base, repository, source, target] = process.argv.slice(2);
const http = process.getBuiltinModule(base.startsWith('https:') ? 'node:https' : 'node:http');
const agent = new http.Agent({ keepAlive: true });
const accept = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
const exchange = (method, tag, headers, body) =>
  new Promise((resolve, reject) => {
    const url = `${base}/v2/${repository}/manifests/${tag}`;
    const h = body ? { ...headers, 'content-length': String(body.length) } : headers;
    const req = http.request(url, { method, agent, headers: h }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
const [got] = await Promise.all([exchange('GET', source, { accept }), exchange('HEAD', target, { accept })]);
const put = await exchange('PUT', target, { 'content-type': got.res.headers['content-type'] }, got.body);
if (put.res.statusCode !== 201) throw new Error(`PUT ${put.res.statusCode}`);
await exchange('HEAD', target, { accept });
