import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** `/ready`'s verdict, with what it is made of (and what is only reported) in `checks`. */
export interface WorkerReadiness {
  ready: boolean;
  checks: Record<string, unknown>;
}

/** `/live` while the process runs, `/ready` while `ready` says so (docs/adr/0016): a worker serves nothing else. */
export async function startHealthServer({ host, port, ready }: { host: string; port: number; ready: () => Promise<WorkerReadiness> }): Promise<HealthServer> {
  const server = createServer((request, response) => {
    const answer = (status: number, body: object) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.url === '/live') return answer(200, { status: 'live' });
    if (request.url !== '/ready') return answer(404, { status: 'not found' });
    void ready()
      .catch((): WorkerReadiness => ({ ready: false, checks: { database: 'unavailable' } }))
      .then(({ ready: ok, checks }) => answer(ok ? 200 : 503, { status: ok ? 'ready' : 'not ready', checks }));
  });
  server.listen(port, host);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${bound}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
