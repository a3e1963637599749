// The bare baseline of an inbound hook, in a process of its own (as Hookyard's server is):
// a node:http server that reads the body of `POST /inbound/...`, parses it as JSON, computes
// the order's total as the hook does and answers it as JSON. Prints `listening <port>`;
// ends on SIGTERM.
import http from 'node:http';
import { orderTotal } from '../inbound-job.js';

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let order;
    try {
      order = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid JSON"}');
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(orderTotal(order)));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
