import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthServer, PortInUseError } from '../../src/http/health-server.ts';

const servers: HealthServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function started(options: ConstructorParameters<typeof HealthServer>[0]) {
  const server = new HealthServer({ host: '127.0.0.1', ...options });
  servers.push(server);
  const port = await server.start();
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };
  return { server, port, get };
}

describe('HealthServer', () => {
  it('when started on port 0, then it listens on a free port it reports', async () => {
    const { port, server } = await started({ port: 0 });
    expect(port).toBeGreaterThan(0);
    expect(server.port).toBe(port);
  });

  it('when every check passes, then /readyz is 200 with each dependency', async () => {
    const { server, get } = await started({ port: 0 });
    server.registerCheck('kafka', () => true);
    server.registerCheck('qdrant', () => Promise.resolve({ ok: true, detail: '3 collections' }));
    const res = await get('/readyz');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({
      status: 'ok',
      checks: { kafka: { ok: true }, qdrant: { ok: true, detail: '3 collections' } },
    });
  });

  it('when a check fails, throws or hangs, then /readyz is 503 and says why for each', async () => {
    const { server, get } = await started({ port: 0, checkTimeoutMs: 50 });
    server.registerCheck('kafka', () => true);
    server.registerCheck('temporal', () => Promise.reject(new Error('connection refused')));
    server.registerCheck('qdrant', () => new Promise(() => undefined));
    server.registerCheck('jaeger', () => ({ ok: false, detail: 'no route' }));
    const res = await get('/readyz');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toEqual({
      status: 'down',
      checks: {
        kafka: { ok: true },
        temporal: { ok: false, detail: 'connection refused' },
        qdrant: { ok: false, detail: 'no answer within 50 ms' },
        jaeger: { ok: false, detail: 'no route' },
      },
    });
  });

  it('when a registered loop stops beating, then /healthz turns 503 and recovers on the next beat', async () => {
    const { server, get } = await started({ port: 0 });
    const beat = server.registerLoop('consumer', 30);
    expect((await get('/healthz')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 60));
    const stalled = await get('/healthz');
    expect(stalled.status).toBe(503);
    expect((JSON.parse(stalled.text) as { loops: Record<string, { ok: boolean }> }).loops.consumer!.ok).toBe(
      false,
    );
    beat();
    expect((await get('/healthz')).status).toBe(200);
  });

  it('when /metrics is scraped, then the registry and every forwarded source are served in the text format', async () => {
    const registry = new Registry();
    const counter = new Counter({
      name: 'embedstream_test_things_total',
      help: 'things',
      registers: [registry],
    });
    counter.inc(3);
    const { server, get } = await started({ port: 0, registry });
    server.addMetricsSource(() =>
      Promise.resolve('# TYPE temporal_sticky_cache_size gauge\ntemporal_sticky_cache_size 7\n'),
    );
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/plain');
    expect(res.text).toContain('embedstream_test_things_total 3');
    expect(res.text).toContain('temporal_sticky_cache_size 7');
  });

  it('when the route is unknown or the method is not GET, then 404 or 405', async () => {
    const { port, get } = await started({ port: 0 });
    expect((await get('/nope')).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('when the port is taken, then start fails with a message naming HTTP_PORT', async () => {
    const { port } = await started({ port: 0 });
    const second = new HealthServer({ port, host: '127.0.0.1' });
    await expect(second.start()).rejects.toThrow(PortInUseError);
    await expect(second.start()).rejects.toThrow(/HTTP_PORT/);
  });

  it('when a client holds a connection open, then stop() still returns within its deadline', async () => {
    const { server, port } = await started({ port: 0 });
    servers.pop();
    // A keep-alive connection with a request in flight that never completes its body.
    const net = await import('node:net');
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    await server.stop(200);
    expect(performance.now() - t0).toBeLessThan(1000);
    socket.destroy();
  });
});
