import { z } from 'zod';

/** What one `npm run bench:pipeline` does; every figure is per repetition, each on fresh processes. */
export interface PipelineBenchOptions {
  quick: boolean;
  /** Documents ingested and timed in every repetition. */
  documents: number;
  /** Documents per load batch: other documents, ingested batch after batch while loaded query latency is measured. */
  loadDocuments: number;
  /** The loaded phase ends when it timed `queries` queries or after this long, whichever comes first. */
  loadMaxSeconds: number;
  repetitions: number;
  /** Sequential queries timed in each phase, idle and under load. */
  queries: number;
  /** Queries sent and not timed first (answers listener joined, workflow code and caches warm). */
  warmupQueries: number;
}

const count = (min: number) => z.coerce.number().int().min(min);

/** Knobs of the benchmark, read from BENCH_* variables (the service's own settings come from loadConfig). */
const schema = z.object({
  BENCH_QUICK: z.enum(['0', '1', '']).default('0'),
  BENCH_DOCS: count(1).optional(),
  BENCH_LOAD_DOCS: count(1).optional(),
  BENCH_LOAD_MAX_SECONDS: count(10).optional(),
  BENCH_REPS: count(1).optional(),
  BENCH_QUERIES: count(10).optional(),
});

export function pipelineBenchOptions(env: NodeJS.ProcessEnv = process.env): PipelineBenchOptions {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(
      `${issue.path.join('.')}: ${issue.message} (BENCH_QUICK is 0 or 1; BENCH_DOCS, BENCH_LOAD_DOCS, BENCH_LOAD_MAX_SECONDS, BENCH_REPS and BENCH_QUERIES are positive integers)`,
    );
  }
  const e = parsed.data;
  const quick = e.BENCH_QUICK === '1';
  const documents = e.BENCH_DOCS ?? (quick ? 120 : 600);
  return {
    quick,
    documents,
    loadDocuments: e.BENCH_LOAD_DOCS ?? (quick ? 120 : 300),
    loadMaxSeconds: e.BENCH_LOAD_MAX_SECONDS ?? (quick ? 60 : 240),
    repetitions: e.BENCH_REPS ?? (quick ? 1 : 3),
    queries: e.BENCH_QUERIES ?? (quick ? 100 : 200),
    warmupQueries: quick ? 10 : 20,
  };
}
