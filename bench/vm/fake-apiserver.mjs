// A stand-in for the API server, as much of it as one in-cluster agent talks to: the list and
// watch of its LVSNode (the one given, resourceVersion 1, a bookmark every 30 s), the merge patch
// of its status, and its Node. Plain JavaScript without dependencies, so that it runs wherever
// the agent's bundle runs (the host, the e2e VM). For the memory benchmark only: the agent's
// talk with the real kube-apiserver is tested by the envtest and pods suites.
//
//   node fake-apiserver.mjs PORT CERT KEY LVSNODE_JSON READY_FILE
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';

const [port, cert, key, lvsNodeFile, readyFile] = process.argv.slice(2);
const lvsNode = JSON.parse(readFileSync(lvsNodeFile, 'utf8'));
lvsNode.metadata = { ...lvsNode.metadata, resourceVersion: '1', generation: 1 };
const LVS_NODES = '/apis/lvs-operator.io/v1alpha1/lvsnodes';
const counts = { list: 0, watch: 0, patch: 0, node: 0, other: 0 };

const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
  const url = new URL(req.url, 'https://localhost');
  const json = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  req.resume();
  if (req.method === 'GET' && url.pathname === LVS_NODES && url.searchParams.get('watch') === 'true') {
    counts.watch += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    const bookmark = () =>
      res.write(
        `${JSON.stringify({ type: 'BOOKMARK', object: { kind: 'LVSNode', metadata: { resourceVersion: '1' } } })}\n`,
      );
    const timer = setInterval(bookmark, 30_000);
    res.on('close', () => clearInterval(timer));
    return;
  }
  if (req.method === 'GET' && url.pathname === LVS_NODES) {
    counts.list += 1;
    return json(200, { kind: 'LVSNodeList', metadata: { resourceVersion: '1' }, items: [lvsNode] });
  }
  if (req.method === 'PATCH' && url.pathname === `${LVS_NODES}/${lvsNode.metadata.name}/status`) {
    counts.patch += 1;
    return json(200, lvsNode);
  }
  if (req.method === 'GET' && url.pathname === `/api/v1/nodes/${lvsNode.metadata.name}`) {
    counts.node += 1;
    return json(200, { kind: 'Node', metadata: { name: lvsNode.metadata.name, labels: {} } });
  }
  counts.other += 1;
  json(404, { kind: 'Status', code: 404, reason: 'NotFound', message: `${req.method} ${url.pathname}` });
});
server.listen(Number(port), '127.0.0.1', () => writeFileSync(readyFile, 'ready\n'));
process.on('SIGTERM', () => {
  writeFileSync(readyFile, `${JSON.stringify(counts)}\n`);
  process.exit(0);
});
