// The image's HEALTHCHECK (Dockerfile, docker-compose.yml): exits 0 when the service SERVICE
// names answers GET /ready with 200 within 2 s, on the port its own settings give it. The
// image has no curl; it has Node.
import { gatewaySchema, imageServiceSchema, loadConfig, notificationsSchema, readEnvironment, subgraphServerSchema } from '@shop/config';

const env = readEnvironment();
const { service } = loadConfig({ service: imageServiceSchema }, env);
const serverSchema = service === 'gateway' ? gatewaySchema : service === 'notifications' ? notificationsSchema : subgraphServerSchema(service);
const { server } = loadConfig({ server: serverSchema }, env);
// A service listening on every interface answers on loopback.
const host = ['0.0.0.0', '::'].includes(server.host) ? '127.0.0.1' : server.host;

try {
  const response = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${server.port}/ready`, { signal: AbortSignal.timeout(2_000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
