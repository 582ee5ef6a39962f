import type { Config } from '../src/config/index.ts';
import type { EmbedOutcome } from '../src/embedding/index.ts';
import type { PieceSource } from '../src/chunking/token-chunker.ts';
import type { VectorStore } from '../src/qdrant/index.ts';
import type {
  DocumentInput,
  FailedDocument,
  KafkaSource,
  SearchAnswer,
  SearchError,
} from '../workflows/contracts.ts';

/** The part of the embedding engine the activities use. */
export interface ActivityEmbedder {
  readonly dimension: number;
  /** One outcome per text, each settled as soon as that text is embedded. */
  embedDocumentsEach(texts: readonly string[]): Promise<EmbedOutcome>[];
  embedQuery(text: string): Promise<Float32Array>;
}

/** Where documents that failed for good and answers to queries are published (Kafka in production). */
export interface ActivityPublisher {
  publishFailedDocuments(
    documents: readonly DocumentInput[],
    failures: readonly FailedDocument[],
    source?: Pick<KafkaSource, 'topic' | 'partition'>,
  ): Promise<void>;
  publishAnswer(topic: string, answer: SearchAnswer | SearchError): Promise<void>;
}

/** Everything activities need, built once per worker process and injected (createActivities(deps)). */
export interface ActivityDeps {
  config: Pick<Config, 'qdrantCollection' | 'chunkTokens' | 'chunkOverlap'>;
  embedder: ActivityEmbedder;
  tokenizer: PieceSource;
  store: Pick<VectorStore, 'ensureCollection' | 'upsertChunks' | 'deleteStale' | 'query'>;
  publisher: ActivityPublisher;
}
