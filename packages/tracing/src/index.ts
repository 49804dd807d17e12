import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import type { TracingConfig } from '@shop/config';

/** Answers a traced request with the id of the trace that recorded it, for a support request to quote. */
export const TRACE_ID_HEADER = 'x-trace-id';

export interface Tracing {
  /** Sends the spans still buffered, then stops: after the service has stopped serving. */
  shutdown(): Promise<void>;
}

/**
 * Prisma's serialize and compile steps: inside its operation span, whose time less its
 * statements' (db_query) is Prisma's own work; two spans per query saved.
 */
const PRISMA_STEPS_NOT_TRACED = ['prisma:client:serialize', 'prisma:client:compile'];

let tracingStarted = false;

/** Whether this process records spans: code that would do work only for them skips it otherwise. */
export const tracingOn = (): boolean => tracingStarted;

/**
 * Starts the OpenTelemetry SDK for this process when `config` says so (docs/adr/0023):
 * spans batched to an OTLP/HTTP endpoint, W3C trace context carried on outgoing requests,
 * undici's requests (subgraph fetches, service calls) and Prisma's operations down to each
 * SQL statement recorded. Neither instrumentation patches a module (undici reports through
 * diagnostics_channel, Prisma reads a global), so this runs in main.ts after the
 * configuration is read: no loader hook, nothing to register before the imports. Without a
 * config nothing of the SDK is even loaded.
 */
export async function startTracing(config: TracingConfig | null): Promise<Tracing | null> {
  if (!config) return null;
  const [sdk, { RequestsOnlySampler }, { resourceFromAttributes }, { registerInstrumentations }, { UndiciInstrumentation }, { PrismaInstrumentation }, { OTLPTraceExporter }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('./sampler.js'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/instrumentation'),
      import('@opentelemetry/instrumentation-undici'),
      import('@prisma/instrumentation'),
      config.protocol === 'http/json' ? import('@opentelemetry/exporter-trace-otlp-http') : import('@opentelemetry/exporter-trace-otlp-proto'),
    ]);
  const ratio = new sdk.TraceIdRatioBasedSampler(config.sampler.ratio);
  const provider = new sdk.NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    sampler: new RequestsOnlySampler(config.sampler.parentBased ? new sdk.ParentBasedSampler({ root: ratio }) : ratio),
    spanProcessors: [new sdk.BatchSpanProcessor(new OTLPTraceExporter({ url: config.tracesUrl }))],
  });
  // AsyncLocalStorage for the active span; W3C traceparent (and baggage) as the propagators.
  provider.register();
  registerInstrumentations({ tracerProvider: provider, instrumentations: [new UndiciInstrumentation(), new PrismaInstrumentation({ ignoreSpanTypes: PRISMA_STEPS_NOT_TRACED })] });
  tracingStarted = true;
  return { shutdown: () => provider.shutdown() };
}

/** A request's part in tracing: the trace that records it (null when none does), and how to run its handling inside its span. */
export interface RequestTrace {
  readonly traceId: string | null;
  run<T>(serve: () => T): T;
}

const noSpan = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
const untraced: RequestTrace = { traceId: null, run: (serve) => serve() };
const serverTracer = trace.getTracer('@shop/http-front');

export interface TraceRequestOptions {
  /** The path served (never the query string: a GET's carries the variables). */
  path: string;
  requestId: string;
  /**
   * Continue the caller's trace (its traceparent): for the gateway's own calls to a subgraph.
   * Otherwise the request begins a trace of its own, sampled by this service's sampler alone,
   * and the caller's trace, if any, is only linked: a client cannot make us record what our
   * sampler would not.
   */
  continueCaller: boolean;
}

/**
 * Opens the server span of one request, ended when its response closes. When the trace is
 * recorded the response carries its id (x-trace-id). Costs nothing when tracing is off.
 */
export function traceRequest(request: IncomingMessage, response: ServerResponse, options: TraceRequestOptions): RequestTrace {
  if (!tracingStarted) return untraced;
  const callerContext = propagation.extract(ROOT_CONTEXT, request.headers);
  const caller = trace.getSpanContext(callerContext);
  const attributes: Attributes = { 'http.request.method': request.method, 'url.path': options.path, 'shop.request_id': options.requestId };
  const links: Link[] = !options.continueCaller && caller ? [{ context: caller }] : [];
  const parent = options.continueCaller ? callerContext : ROOT_CONTEXT;
  const span = serverTracer.startSpan(`${request.method} ${options.path}`, { kind: SpanKind.SERVER, attributes, links }, parent);
  response.once('close', () => {
    span.setAttribute('http.response.status_code', response.statusCode);
    if (response.statusCode >= 500 || !response.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  const spanContext = span.spanContext();
  const traceId = isSampled(spanContext) ? spanContext.traceId : null;
  if (traceId) response.setHeader(TRACE_ID_HEADER, traceId);
  const active = trace.setSpan(parent, span);
  return { traceId, run: (serve) => context.with(active, serve) };
}

const isSampled = (spanContext: SpanContext) => (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;

/**
 * Runs `work` in a child span of the active one, ended when it settles; a failure marks the
 * span (its message is not recorded: it may quote the request). `describe` adds what the
 * result says (a cache's hit or miss).
 */
export function inSpan<T>(tracer: Tracer, name: string, work: (span: Span) => Promise<T>, describe?: (result: T, span: Span) => void): Promise<T> {
  if (!tracingStarted) return work(noSpan);
  return tracer.startActiveSpan(name, async (span) => {
    try {
      const result = await work(span);
      describe?.(result, span);
      return result;
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

export { SpanStatusCode, trace, type Context, type Span, type Tracer };

const databaseTracer = trace.getTracer('@shop/db');

/**
 * Runs one SQL statement sent without Prisma Client (docs/adr/0049) in a span like the one
 * Prisma gives each of its statements (`db_query`, the text with `$1` for each value, never a
 * value), under the request's span. Costs nothing when tracing is off.
 */
export function traceStatement<T>(sql: string, run: () => Promise<T>): Promise<T> {
  if (!tracingStarted) return run();
  const attributes: Attributes = { 'db.query.text': sql, 'db.system.name': 'postgresql' };
  return databaseTracer.startActiveSpan('db_query', { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      return await run();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
