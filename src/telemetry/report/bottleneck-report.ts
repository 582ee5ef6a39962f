import { analyzeTraces, type TraceAnalysis } from './analysis.ts';
import {
  embeddingFigures,
  qdrantFigures,
  type EmbeddingFigures,
  type QdrantFigures,
} from './cost-figures.ts';
import { recommend, type Recommendation } from './recommendations.ts';
import type { ReportTrace } from './trace-model.ts';

/** Everything `traces report` prints, in one JSON-serializable value (`--json` prints it as is). */
export interface BottleneckReport {
  generatedAt: string;
  window: { since: string; start: string; end: string };
  services: string[];
  analysis: TraceAnalysis;
  embedding: EmbeddingFigures | null;
  qdrant: QdrantFigures[];
  recommendations: Recommendation[];
}

export interface ReportWindow {
  since: string;
  startMs: number;
  endMs: number;
}

/** Pure: figures and recommendations from the traces read. */
export function buildReport(
  traces: readonly ReportTrace[],
  window: ReportWindow,
  slowest = 5,
  now = new Date(),
): BottleneckReport {
  const analysis = analyzeTraces(traces, { slowest });
  const embedding = embeddingFigures(traces);
  const qdrant = qdrantFigures(traces);
  const services = [...new Set(traces.flatMap((t) => t.spans.map((s) => s.service)))].sort();
  return {
    generatedAt: now.toISOString(),
    window: {
      since: window.since,
      start: new Date(window.startMs).toISOString(),
      end: new Date(window.endMs).toISOString(),
    },
    services,
    analysis,
    embedding: embedding ?? null,
    qdrant,
    recommendations: recommend(analysis, embedding, qdrant),
  };
}

/** Milliseconds with a precision that suits the size. */
export function formatMs(us: number): string {
  const ms = us / 1000;
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

export function formatShare(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}
