import { QdrantClient } from '@qdrant/js-client-rest';
import { afterAll, describe, expect, it } from 'vitest';
import { configOf, isolatedEnv, startService, type ServiceProcess } from '../helpers/service-process.ts';

const qdrant = new QdrantClient({ url: configOf(isolatedEnv()).qdrantUrl, checkCompatibility: false });
const collections: string[] = [];
let worker: ServiceProcess | undefined;

afterAll(async () => {
  await worker?.stop();
  await Promise.all(collections.map((c) => qdrant.deleteCollection(c).catch(() => undefined)));
});

describe('the default collection, as a worker starts', () => {
  it('when it does not exist, then the worker creates it for the model before it takes work', async () => {
    const env = isolatedEnv();
    const { qdrantCollection } = configOf(env);
    collections.push(qdrantCollection);
    worker = await startService('worker', env);
    const info = await qdrant.getCollection(qdrantCollection);
    expect(info.config.params.vectors).toMatchObject({ size: 384, distance: 'Cosine' });
    expect(Object.keys(info.payload_schema).sort()).toEqual(['doc_id', 'version']);
    await worker.stop();
    worker = undefined;
  }, 120_000);

  it('when it holds vectors of another size, then the worker does not start and says what to do', async () => {
    const env = isolatedEnv();
    const { qdrantCollection } = configOf(env);
    collections.push(qdrantCollection);
    await qdrant.createCollection(qdrantCollection, { vectors: { size: 3, distance: 'Cosine' } });
    const start = startService('worker', env);
    await expect(start).rejects.toThrow(/exited with 1 during start-up/);
    await expect(start).rejects.toThrow(
      new RegExp(`Collection "${qdrantCollection}" holds 3-dimensional Cosine vectors .*QDRANT_COLLECTION`),
    );
  }, 120_000);
});
