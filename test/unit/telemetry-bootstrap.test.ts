import { afterAll, describe, expect, it } from 'vitest';
import {
  getTelemetry,
  roleFromArgv,
  serviceNameFor,
  shutdownTelemetry,
  startTelemetry,
} from '../../src/telemetry/bootstrap.ts';
import { withSpan } from '../../src/telemetry/spans.ts';
import {
  temporalClientInterceptors,
  temporalWorkerTelemetry,
  temporalWorkflowInterceptorModules,
} from '../../src/telemetry/temporal.ts';

afterAll(() => shutdownTelemetry());

describe('roleFromArgv', () => {
  it('when the command is `run --role worker`, then the role is worker', () => {
    expect(roleFromArgv(['run', '--role', 'worker'])).toBe('worker');
    expect(roleFromArgv(['run', '--role=consumer'])).toBe('consumer');
  });

  it('when `run` has no role, then the role is all; any other command is the cli', () => {
    expect(roleFromArgv(['run'])).toBe('all');
    expect(roleFromArgv(['publish', 'corpus.jsonl'])).toBe('cli');
    expect(roleFromArgv([])).toBe('cli');
  });

  it('when the role value is not a plain name, then it falls back to all', () => {
    expect(roleFromArgv(['run', '--role', 'Work er'])).toBe('all');
  });

  it('when naming a service, then it is embedstream-<role>', () => {
    expect(serviceNameFor('worker')).toBe('embedstream-worker');
  });
});

describe('startTelemetry with OTEL_TRACES_ENABLED=false', () => {
  it('when disabled, then spans do not record, and no Temporal tracing interceptors are installed', async () => {
    const t = startTelemetry({ role: 'worker', enabled: false, endpoint: 'http://localhost:4317' });
    expect(t.enabled).toBe(false);
    expect(t.serviceName).toBe('embedstream-worker');
    const recording = await withSpan('x', {}, (span) => span.isRecording());
    expect(recording).toBe(false);
    expect(temporalClientInterceptors()).toEqual({});
    const worker = temporalWorkerTelemetry();
    expect(worker.sinks).toEqual({});
    expect(worker.interceptors.workflowModules).toBeUndefined();
    expect(temporalWorkflowInterceptorModules()).toEqual([]);
    // Retries are counted whether or not traces are exported.
    expect(worker.interceptors.activity).toHaveLength(1);
  });

  it('when started twice, then the first set-up is kept', () => {
    const again = startTelemetry({ role: 'other', enabled: true, endpoint: 'http://localhost:4317' });
    expect(again).toBe(getTelemetry());
    expect(again.serviceName).toBe('embedstream-worker');
  });
});
