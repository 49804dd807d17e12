// bench:cache-hits' references, each in a process of its own (started by startServer, told
// what to be by its environment):
//   REFERENCE=bare    a bare node:http server answering each request body with the bytes our
//                     gateway answered it with (ANSWERS_FILE: JSON, body → answer): the floor
//                     of the cache-hit path, which also has to read the body to know the answer.
//   REFERENCE=apollo  plain @apollo/gateway on the subgraphs (SUBGRAPH_URLS, GATEWAY_TOKEN_KEYS):
//                     what a team would otherwise run, for its resident memory under load. It
//                     listens where it likes and says where on stdout (`APOLLO_URL <url>`);
//                     PORT answers GET /health once it does.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { gatewayTokenSchema, parseConfig, type SubgraphName } from '@shop/config';
import { startPlainApolloGateway } from './peer-gateways.js';

const port = Number(process.env.PORT);
const host = '127.0.0.1';

if (process.env.REFERENCE === 'bare') {
  const answers = new Map(Object.entries(JSON.parse(readFileSync(process.env.ANSWERS_FILE!, 'utf8')) as Record<string, string>).map(([body, answer]) => [body, Buffer.from(answer)]));
  const notFound = Buffer.from('{"errors":[{"message":"no such request"}]}');
  createServer((request, response) => {
    if (request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end('{"status":"ready"}');
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = answers.get(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
      response.writeHead(answer ? 200 : 404, { 'content-type': 'application/json; charset=utf-8', 'content-length': (answer ?? notFound).length });
      response.end(answer ?? notFound);
    });
  }).listen(port, host);
} else if (process.env.REFERENCE === 'apollo') {
  const apollo = await startPlainApolloGateway({
    subgraphUrls: JSON.parse(process.env.SUBGRAPH_URLS!) as Record<SubgraphName, string>,
    gatewayKeys: parseConfig(gatewayTokenSchema, { NODE_ENV: 'production', GATEWAY_TOKEN_KEYS: process.env.GATEWAY_TOKEN_KEYS }),
  });
  console.log(`APOLLO_URL ${apollo.url}`);
  createServer((_, response) => response.writeHead(200).end('{"status":"ready"}')).listen(port, host);
  process.once('SIGTERM', () => void apollo.stop().then(() => process.exit(0)));
} else {
  throw new Error('REFERENCE must be bare or apollo');
}
