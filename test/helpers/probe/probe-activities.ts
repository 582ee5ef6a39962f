import type { QdrantClient } from '@qdrant/js-client-rest';

export function createProbeActivities(qdrant: QdrantClient) {
  return {
    /** Creates `collection`, writes one point whose payload is `message`, and returns what reads back. */
    async writeAndReadPoint(collection: string, message: string): Promise<string> {
      if (!(await qdrant.collectionExists(collection)).exists)
        await qdrant.createCollection(collection, { vectors: { size: 4, distance: 'Cosine' } });
      await qdrant.upsert(collection, {
        wait: true,
        points: [{ id: 1, vector: [0.1, 0.2, 0.3, 0.4], payload: { message } }],
      });
      const [point] = await qdrant.retrieve(collection, { ids: [1], with_payload: true });
      return String(point?.payload?.message);
    },
  };
}

export type ProbeActivities = ReturnType<typeof createProbeActivities>;
