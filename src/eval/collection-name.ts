import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Config } from '../config/index.ts';

/** The settings that change what an index holds; two runs that agree on them can share a collection. */
export type IndexSettings = Pick<
  Config,
  'modelName' | 'precision' | 'maxTokens' | 'chunkTokens' | 'chunkOverlap'
>;

/**
 * `eval-<dataset>-<hash>`: the hash covers the corpus bytes and the index settings, so a collection
 * holds exactly one corpus embedded one way, and `--reuse-index` can find it again.
 */
export async function evalCollectionName(
  dataset: string,
  corpusFile: string,
  settings: IndexSettings,
): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(corpusFile)) hash.update(chunk as Buffer);
  const { modelName, precision, maxTokens, chunkTokens, chunkOverlap } = settings;
  hash.update(JSON.stringify({ modelName, precision, maxTokens, chunkTokens, chunkOverlap }));
  const slug =
    dataset
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'dataset';
  return `eval-${slug}-${hash.digest('hex').slice(0, 8)}`;
}
