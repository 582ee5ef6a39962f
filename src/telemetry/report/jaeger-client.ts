import { groupTraces, type ReportSpan, type ReportTrace } from './trace-model.ts';

/** Thrown when Jaeger's query API cannot be reached or answers an error; the message says what to check. */
export class JaegerQueryError extends Error {
  override readonly name = 'JaegerQueryError';
}

// OTLP/JSON as Jaeger's api_v3 HTTP gateway writes it (ids in hex, 64-bit integers as strings).
interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: OtlpKeyValue[];
  links?: { traceId: string; spanId: string }[];
  status?: { code?: number | string };
}
interface OtlpResourceSpans {
  resource?: { attributes?: OtlpKeyValue[] };
  scopeSpans?: { spans?: OtlpSpan[] }[];
}
export interface OtlpTracesResponse {
  result?: { resourceSpans?: OtlpResourceSpans[] };
}

function scalar(v: OtlpValue | undefined): string | number | boolean | undefined {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  return undefined;
}

function attributeMap(kvs: OtlpKeyValue[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const kv of kvs ?? []) {
    const v = scalar(kv.value);
    if (v !== undefined) out[kv.key] = v;
  }
  return out;
}

/** OTLP/JSON (api_v3) to report spans. Exported for tests. */
export function spansFromOtlp(body: OtlpTracesResponse): ReportSpan[] {
  const spans: ReportSpan[] = [];
  for (const rs of body.result?.resourceSpans ?? []) {
    const service = String(attributeMap(rs.resource?.attributes)['service.name'] ?? 'unknown');
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const startNs = BigInt(s.startTimeUnixNano);
        const endNs = BigInt(s.endTimeUnixNano);
        spans.push({
          traceId: s.traceId,
          spanId: s.spanId,
          // Jaeger writes an all-zero or empty parent for roots.
          ...(s.parentSpanId && !/^0*$/.test(s.parentSpanId) ? { parentSpanId: s.parentSpanId } : {}),
          name: s.name,
          service,
          startUs: Number(startNs / 1000n) + Number(startNs % 1000n) / 1000,
          durationUs: Number(endNs - startNs) / 1000,
          error: s.status?.code === 2 || s.status?.code === 'STATUS_CODE_ERROR',
          attributes: attributeMap(s.attributes),
          linkedTraceIds: (s.links ?? []).map((l) => l.traceId),
        });
      }
    }
  }
  return spans;
}

export interface TraceQuery {
  /** Services to search; empty: every service whose name starts with `embedstream-`. */
  services: string[];
  startMs: number;
  endMs: number;
  /** Traces per service at most. */
  limit: number;
}

/** Reads traces from Jaeger's api_v3 HTTP API (`/api/v3/services`, `/api/v3/traces`). */
export class JaegerClient {
  readonly #baseUrl: string;
  readonly #timeoutMs: number;

  constructor(baseUrl: string, timeoutMs = 30_000) {
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = timeoutMs;
  }

  async services(): Promise<string[]> {
    const body = (await this.#get('/api/v3/services')) as { services?: string[] } | undefined;
    return body?.services ?? [];
  }

  async traces(query: TraceQuery): Promise<ReportTrace[]> {
    const services =
      query.services.length > 0
        ? query.services
        : (await this.services()).filter((s) => s.startsWith('embedstream-'));
    const spans: ReportSpan[] = [];
    for (const service of services) {
      const params = new URLSearchParams({
        'query.service_name': service,
        'query.start_time_min': new Date(query.startMs).toISOString(),
        'query.start_time_max': new Date(query.endMs).toISOString(),
        'query.num_traces': String(query.limit),
      });
      const body = (await this.#get(`/api/v3/traces?${params.toString()}`)) as OtlpTracesResponse | undefined;
      if (body) spans.push(...spansFromOtlp(body));
    }
    return groupTraces(spans);
  }

  /** Fetches JSON; undefined for 404, which api_v3 answers when nothing matched. */
  async #get(path: string): Promise<unknown> {
    const url = `${this.#baseUrl}${path}`;
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (err) {
      throw new JaegerQueryError(
        `Cannot reach Jaeger at ${this.#baseUrl} (${err instanceof Error ? err.message : String(err)}): start the stack (npm run stack:up) or set JAEGER_QUERY_URL.`,
      );
    }
    if (res.status === 404) return undefined;
    if (!res.ok) {
      const text = (await res.text()).slice(0, 300);
      throw new JaegerQueryError(`Jaeger answered ${res.status} to ${url}: ${text}`);
    }
    return res.json();
  }
}
