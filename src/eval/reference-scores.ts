/** Published figures a run is set beside, keyed by dataset name. */
export interface ReferenceScores {
  /** Who measured what, on which split. */
  source: string;
  /** How the reference encoded and scored, so differences can be read. */
  setup: string;
  /** Metric label (`nDCG@10`) → value. */
  scores: Readonly<Record<string, number>>;
}

/**
 * From shared/datasets/nfcorpus/PROVENANCE.md: the MTEB leaderboard's results file for
 * sentence-transformers/all-MiniLM-L6-v2 on NFCorpus (mteb 1.12.75, test split, 323 queries).
 */
export const REFERENCE_SCORES: Readonly<Record<string, ReferenceScores>> = {
  nfcorpus: {
    source: 'MTEB results, sentence-transformers/all-MiniLM-L6-v2 on NFCorpus (test split)',
    setup:
      'MTEB encodes each document whole as title + " " + text, truncated at 256 tokens, and scores with pytrec_eval',
    scores: {
      'nDCG@10': 0.31594,
      'Recall@10': 0.15499,
      'Recall@100': 0.31151,
      'MRR@10': 0.50456,
      'MAP@10': 0.11048,
    },
  },
};
