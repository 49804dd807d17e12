// Loaded into a server process by bench:cache-hits (NODE_OPTIONS=--import, where --cpu-prof is
// not allowed): profiles the CPU from SIGUSR2 until the process exits, and writes the
// profile to CPU_PROFILE_FILE, so that start-up is left out of it.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
let started = false;
process.on('SIGUSR2', () => {
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  started = true;
});
// A session on this very thread answers at once: the profile is written before the process ends.
process.on('exit', () => {
  if (started) session.post('Profiler.stop', (error, result) => writeFileSync(process.env.CPU_PROFILE_FILE, JSON.stringify(error ? {} : result.profile)));
});
