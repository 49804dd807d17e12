// A container healthcheck (docker-compose.yml): exits 0 when the service on this port answers
// GET /ready with 200 within 2 s. The image has no curl; it has Node.
const port = process.argv[2];
fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(2_000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
