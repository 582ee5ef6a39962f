import { searchDuration } from '../src/metrics/index.ts';
import { groupByDocument, mmrRerank } from '../src/search/rank-documents.ts';
import { ATTR_SEARCH_FILTER, ATTR_SEARCH_HITS, ATTR_SEARCH_TOP_K, SPAN } from '../src/telemetry/semconv.ts';
import { withSpan } from '../src/telemetry/spans.ts';
import type { SearchAnswer, SearchError, SearchHit, SearchInput } from '../workflows/contracts.ts';
import type { ActivityDeps } from './deps.ts';
import { toFailure } from './failures.ts';

/**
 * Chunks fetched per wanted document: several chunks of one document often rank together, and MMR
 * needs a pool to choose from.
 */
const OVERFETCH = 4;
const MAX_CANDIDATES = 200;

export function createSearchActivities(deps: ActivityDeps) {
  const { store, embedder, config } = deps;

  /** Embeds the query (query lane and cache), queries Qdrant and ranks documents by their best chunk. */
  async function searchDocuments(input: SearchInput): Promise<SearchHit[]> {
    const started = performance.now();
    let outcome = 'ok';
    const collection = input.collection ?? config.qdrantCollection;
    try {
      return await withSpan(
        SPAN.search,
        {
          [ATTR_SEARCH_TOP_K]: input.topK,
          [ATTR_SEARCH_FILTER]: input.filter ? JSON.stringify(input.filter) : '',
          'embedstream.search.mmr': input.mmr ?? false,
        },
        async (span) => {
          const vector = await embedder.embedQuery(input.text);
          const chunks = await store.query(collection, vector, {
            limit: Math.min(input.topK * OVERFETCH, MAX_CANDIDATES),
            ...(input.filter ? { filter: input.filter } : {}),
            withVectors: input.mmr ?? false,
          });
          let docs = groupByDocument(chunks);
          docs = input.mmr ? mmrRerank(docs, input.topK) : docs.slice(0, input.topK);
          span.setAttribute(ATTR_SEARCH_HITS, docs.length);
          return docs.map((d) => d.hit);
        },
      );
    } catch (err) {
      outcome = 'error';
      throw toFailure(err);
    } finally {
      searchDuration.observe({ outcome }, (performance.now() - started) / 1000);
    }
  }

  return {
    /**
     * Answers a query: searches and, for a query that came through Kafka, publishes the answer to
     * its reply topic from here, without another pass through the workflow. `tookMs` runs from the
     * query's publication (or the activity's start) to the moment the answer is sent.
     */
    async answerQuery(input: SearchInput): Promise<SearchAnswer> {
      const started = Date.now();
      const hits = await searchDocuments(input);
      const answer: SearchAnswer = {
        requestId: input.requestId,
        hits,
        tookMs: Math.max(0, Date.now() - (input.receivedAt ?? started)),
      };
      if (input.replyTopic) await deps.publisher.publishAnswer(input.replyTopic, answer);
      return answer;
    },

    /** Publishes an answer (or an error) to the reply topic, keyed by request id. */
    async publishAnswer(topic: string, answer: SearchAnswer | SearchError): Promise<void> {
      await deps.publisher.publishAnswer(topic, answer);
    },
  };
}
