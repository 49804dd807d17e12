// Loaded into a server by bench:profile (NODE_OPTIONS=--import, which refuses --cpu-prof on
// Node 20): the first SIGUSR2 starts V8's sampling profiler, the next one stops it and writes
// the profile to <tmpdir>/bench-profile-<pid>.cpuprofile, so the profile holds the timed load only.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const session = new Session();
session.connect();
const post = (method, params) =>
  new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));

let running = false;
process.on('SIGUSR2', () => {
  running = !running;
  const step = running
    ? post('Profiler.enable').then(() => post('Profiler.setSamplingInterval', { interval: 500 })).then(() => post('Profiler.start'))
    : post('Profiler.stop').then(({ profile }) => writeFileSync(join(tmpdir(), `bench-profile-${process.pid}.cpuprofile`), JSON.stringify(profile)));
  step.catch((error) => console.error('cpu-profile-agent:', error));
});
