import { SpanKind, trace, type Attributes, type Context, type Link } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-node';

/**
 * Traces begin with a request served, nowhere else: a span without a parent that is not a
 * server span (a background job's query, the gateway's event-feed polls) is not recorded, so
 * loops that run every few hundred milliseconds do not fill the backend with one-span traces.
 * Everything else is `sampler`'s decision.
 */
export class RequestsOnlySampler implements Sampler {
  constructor(private readonly sampler: Sampler) {}

  shouldSample(parent: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    if (kind !== SpanKind.SERVER && !trace.getSpanContext(parent)) return { decision: SamplingDecision.NOT_RECORD };
    return this.sampler.shouldSample(parent, traceId, name, kind, attributes, links);
  }

  toString(): string {
    return `RequestsOnly{${this.sampler.toString()}}`;
  }
}
