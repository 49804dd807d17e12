import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig, tracingSchema } from '../src/index.js';

const tracingOf = (env: Record<string, string>) => loadConfig({ tracing: tracingSchema('catalog') }, env).tracing;

describe('tracing configuration (OTEL_*)', () => {
  it('is off without an endpoint, or when the SDK is disabled', () => {
    expect(tracingOf({})).toBeNull();
    expect(tracingOf({ OTEL_SERVICE_NAME: 'shop', OTEL_TRACES_SAMPLER: 'always_on' })).toBeNull();
    expect(tracingOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBeNull();
  });

  it('appends the signal path to the base endpoint, and takes the traces endpoint as it is', () => {
    expect(tracingOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toEqual({
      tracesUrl: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
      serviceName: 'catalog',
      sampler: { parentBased: true, ratio: 1 },
    });
    const both = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/otlp' };
    expect(tracingOf(both)?.tracesUrl).toBe('https://traces.example/otlp');
  });

  it('reads the service name, the protocol and the sampler with its ratio', () => {
    const config = tracingOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'catalog-eu',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect(config).toMatchObject({ protocol: 'http/json', serviceName: 'catalog-eu', sampler: { parentBased: true, ratio: 0.25 } });
    expect(tracingOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER: 'always_off', OTEL_TRACES_SAMPLER_ARG: '0.5' })?.sampler).toEqual({
      parentBased: false,
      ratio: 0,
    });
  });

  it('refuses what it cannot honour, every problem at once', () => {
    const refused = () =>
      tracingOf({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_TRACES_SAMPLER: 'jaeger_remote',
        OTEL_TRACES_SAMPLER_ARG: '2',
        OTEL_SDK_DISABLED: 'maybe',
      });
    expect(refused).toThrow(ConfigError);
    try {
      refused();
    } catch (error) {
      expect((error as ConfigError).problems.map((problem) => problem.split(':')[0])).toEqual([
        'OTEL_SDK_DISABLED',
        'OTEL_EXPORTER_OTLP_ENDPOINT',
        'OTEL_EXPORTER_OTLP_PROTOCOL',
        'OTEL_TRACES_SAMPLER',
        'OTEL_TRACES_SAMPLER_ARG',
      ]);
    }
  });
});
