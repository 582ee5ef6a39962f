import http from 'node:http';
import type { Registry } from 'prom-client';
import { registry as defaultRegistry } from '../metrics/registry.ts';
import type { MetricsSource } from '../metrics/temporal-runtime-metrics.ts';
import { beforeDeadline } from '../service/deadline.ts';

/** Thrown by `start()` when the port is taken; the message says which variable to change. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

/** One dependency's state as /readyz reports it. */
export interface CheckResult {
  ok: boolean;
  detail?: string;
}

/** Probes a dependency; `true`/`false` is shorthand for `{ ok }`. A throw counts as down. */
export type Check = () => Promise<CheckResult | boolean> | CheckResult | boolean;

export interface HealthServerOptions {
  /** 0 picks a free port; `port` tells which after `start()`. */
  port: number;
  host?: string;
  registry?: Registry;
  /** Default stall limit of `registerLoop`. */
  loopStallMs?: number;
  /** A check slower than this counts as down, so /readyz answers in bounded time. */
  checkTimeoutMs?: number;
}

interface Loop {
  maxAgeMs: number;
  last: number;
}

function withTimeout(check: Check, timeoutMs: number): Promise<CheckResult> {
  const run = (async (): Promise<CheckResult> => {
    const r = await check();
    return typeof r === 'boolean' ? { ok: r } : r;
  })().catch((err: unknown) => ({ ok: false, detail: err instanceof Error ? err.message : String(err) }));
  return beforeDeadline(run, timeoutMs, { ok: false, detail: `no answer within ${timeoutMs} ms` });
}

/**
 * The small HTTP server every process runs: `/healthz` (liveness: every registered loop turned
 * recently), `/readyz` (every registered dependency answers; 503 otherwise) and `/metrics`
 * (prom-client's registry plus forwarded sources such as Temporal's runtime metrics).
 */
export class HealthServer {
  readonly #options: Required<Omit<HealthServerOptions, 'registry'>> & { registry: Registry };
  readonly #checks = new Map<string, Check>();
  readonly #loops = new Map<string, Loop>();
  readonly #sources: MetricsSource[] = [];
  #server: http.Server | undefined;

  constructor(options: HealthServerOptions) {
    this.#options = {
      host: '0.0.0.0',
      registry: defaultRegistry,
      loopStallMs: 60_000,
      checkTimeoutMs: 2000,
      ...options,
    };
  }

  /** Adds a dependency to /readyz under `name` (kafka, temporal, qdrant, …); replaces one of that name. */
  registerCheck(name: string, check: Check): void {
    this.#checks.set(name, check);
  }

  /**
   * Adds a processing loop to /healthz and returns its `beat()`: call it on every turn. The process
   * is reported dead once any loop has not beaten for `maxAgeMs`.
   */
  registerLoop(name: string, maxAgeMs = this.#options.loopStallMs): () => void {
    const loop: Loop = { maxAgeMs, last: performance.now() };
    this.#loops.set(name, loop);
    return () => {
      loop.last = performance.now();
    };
  }

  addMetricsSource(source: MetricsSource): void {
    this.#sources.push(source);
  }

  liveness(): { status: 'ok' | 'stalled'; loops: Record<string, { ok: boolean; ageMs: number }> } {
    const now = performance.now();
    const loops: Record<string, { ok: boolean; ageMs: number }> = {};
    for (const [name, loop] of this.#loops) {
      const ageMs = Math.round(now - loop.last);
      loops[name] = { ok: ageMs <= loop.maxAgeMs, ageMs };
    }
    return { status: Object.values(loops).every((l) => l.ok) ? 'ok' : 'stalled', loops };
  }

  async readiness(): Promise<{ status: 'ok' | 'down'; checks: Record<string, CheckResult> }> {
    const names = [...this.#checks.keys()];
    const results = await Promise.all(
      names.map((n) => withTimeout(this.#checks.get(n)!, this.#options.checkTimeoutMs)),
    );
    const checks = Object.fromEntries(names.map((n, i) => [n, results[i]!]));
    return { status: results.every((r) => r.ok) ? 'ok' : 'down', checks };
  }

  async metrics(): Promise<string> {
    const own = await this.#options.registry.metrics();
    const forwarded = await Promise.all(this.#sources.map((s) => s()));
    return [own, ...forwarded].join('\n');
  }

  get port(): number | undefined {
    const address = this.#server?.address();
    return address && typeof address === 'object' ? address.port : undefined;
  }

  /** Listens and resolves with the port. */
  async start(): Promise<number> {
    if (this.#server) return this.port!;
    const server = http.createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(err instanceof Error ? err.message : String(err));
      });
    });
    // A scrape must never keep a stopping process alive.
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(
          err.code === 'EADDRINUSE'
            ? new PortInUseError(
                `Port ${this.#options.port} is in use: set HTTP_PORT to a free port, or to 0 to pick one.`,
              )
            : err,
        );
      });
      server.listen(this.#options.port, this.#options.host, () => resolve());
    });
    this.#server = server;
    return this.port!;
  }

  /** Stops listening; connections still open after `timeoutMs` are cut. */
  async stop(timeoutMs = 2000): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
    await closed;
    clearTimeout(timer);
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      const body = this.liveness();
      this.#json(res, body.status === 'ok' ? 200 : 503, body);
    } else if (path === '/readyz') {
      const body = await this.readiness();
      this.#json(res, body.status === 'ok' ? 200 : 503, body);
    } else if (path === '/metrics') {
      const text = await this.metrics();
      res.writeHead(200, { 'content-type': this.#options.registry.contentType }).end(text);
    } else {
      this.#json(res, 404, { error: `no route ${path}; try /healthz, /readyz or /metrics` });
    }
  }

  #json(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
  }
}
