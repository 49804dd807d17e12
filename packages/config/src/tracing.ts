import { z } from 'zod';
import type { SubgraphName } from './schemas.js';

/** How spans are sampled: `parentBased` follows a trusted caller's decision; a trace begun here is kept with probability `ratio`. */
export interface TracingSampler {
  parentBased: boolean;
  ratio: number;
}

/** Where and how a service sends its spans (docs/adr/0023); null when tracing is off. */
export interface TracingConfig {
  /** The OTLP/HTTP traces endpoint, whole (…/v1/traces). */
  tracesUrl: string;
  protocol: 'http/protobuf' | 'http/json';
  serviceName: string;
  sampler: TracingSampler;
}

const samplers = {
  always_on: { parentBased: false, ratio: 1 },
  always_off: { parentBased: false, ratio: 0 },
  traceidratio: { parentBased: false, ratio: null },
  parentbased_always_on: { parentBased: true, ratio: 1 },
  parentbased_always_off: { parentBased: true, ratio: 0 },
  parentbased_traceidratio: { parentBased: true, ratio: null },
} as const;

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

/** The specification's rule: the signal's path is appended to the base endpoint. */
const tracesUrlOf = (base: string) => `${base.replace(/\/+$/, '')}/v1/traces`;

/**
 * Tracing by the standard OpenTelemetry variables: on only when an endpoint is set
 * (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, or OTEL_EXPORTER_OTLP_ENDPOINT plus /v1/traces)
 * and OTEL_SDK_DISABLED is not true. OTEL_SERVICE_NAME defaults to the service's own name;
 * OTEL_TRACES_SAMPLER to parentbased_always_on, its ratio (OTEL_TRACES_SAMPLER_ARG) to 1.
 * gRPC is not offered: the OTLP/HTTP encodings are.
 */
export function tracingSchema(service: 'gateway' | SubgraphName) {
  return z
    .object({
      OTEL_SDK_DISABLED: z.enum(['true', 'false']).default('false'),
      OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl.optional(),
      OTEL_EXPORTER_OTLP_PROTOCOL: z
        .enum(['http/protobuf', 'http/json'], { error: 'must be http/protobuf or http/json (gRPC is not offered)' })
        .default('http/protobuf'),
      OTEL_SERVICE_NAME: z.string().trim().min(1).max(128).default(service),
      OTEL_TRACES_SAMPLER: z.enum(Object.keys(samplers) as Array<keyof typeof samplers>).default('parentbased_always_on'),
      OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
    })
    .transform((env): TracingConfig | null => {
      const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (env.OTEL_EXPORTER_OTLP_ENDPOINT && tracesUrlOf(env.OTEL_EXPORTER_OTLP_ENDPOINT));
      if (env.OTEL_SDK_DISABLED === 'true' || !endpoint) return null;
      const sampler = samplers[env.OTEL_TRACES_SAMPLER];
      return {
        tracesUrl: endpoint,
        protocol: env.OTEL_EXPORTER_OTLP_PROTOCOL,
        serviceName: env.OTEL_SERVICE_NAME,
        sampler: { parentBased: sampler.parentBased, ratio: sampler.ratio ?? env.OTEL_TRACES_SAMPLER_ARG ?? 1 },
      };
    });
}
