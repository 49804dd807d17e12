// bench:tracing's OTLP/HTTP receiver, in a process of its own as a collector would be: it
// takes every export on RECEIVER_PORT (protobuf is only counted) and says how much it got at
// GET /health.
import { startTraceReceiver } from '@shop/testing';

await startTraceReceiver(Number(process.env.RECEIVER_PORT));
