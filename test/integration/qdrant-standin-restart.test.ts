import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { QdrantClient } from '@qdrant/js-client-rest';
import { afterAll, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  makeDataDir,
  removeDataDir,
  standinPython,
  startQdrantStandin,
  type QdrantStandin,
} from '../helpers/qdrant-standin.ts';

// Data must survive the stand-in stopping: cleanly (SIGTERM closes the shards) and abruptly
// (SIGKILL leaves only the write-ahead log, which the engine replays on load).

const DIM = 8;
const dataDir = makeDataDir();
const running: QdrantStandin[] = [];

async function start(): Promise<{ standin: QdrantStandin; client: QdrantClient }> {
  const standin = await startQdrantStandin(dataDir);
  running.push(standin);
  return { standin, client: new QdrantClient({ url: standin.url, checkCompatibility: false }) };
}

function points(from: number, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const id = from + i;
    return {
      id,
      vector: Array.from({ length: DIM }, (_, d) => Math.sin(id * (d + 1))),
      payload: { id, label: `p${id}` },
    };
  });
}

async function snapshot(client: QdrantClient, collection: string) {
  const info = await client.getCollection(collection);
  const { points: all } = await client.scroll(collection, { limit: 1000, with_vector: true });
  const { points: hits } = await client.query(collection, {
    query: points(1, 1)[0]!.vector,
    limit: 5,
    with_payload: true,
  });
  return { count: info.points_count, schema: info.payload_schema, config: info.config, all, hits };
}

afterAll(async () => {
  for (const s of running) await s.stop('SIGKILL').catch(() => undefined);
  removeDataDir(dataDir);
});

describe('qdrant stand-in persistence', () => {
  it('when the stand-in is stopped with SIGTERM and started again, then collections, points and indexes are intact', async () => {
    const first = await start();
    await first.client.createCollection('kept', { vectors: { size: DIM, distance: 'Cosine' } });
    await first.client.upsert('kept', { points: points(1, 300), wait: true });
    await first.client.createPayloadIndex('kept', {
      field_name: 'label',
      field_schema: 'keyword',
      wait: true,
    });
    await first.client.createCollection('dropped', { vectors: { size: DIM, distance: 'Dot' } });
    await first.client.deleteCollection('dropped');
    const before = await snapshot(first.client, 'kept');
    expect(before.count).toBe(300);

    expect(await first.standin.stop('SIGTERM')).toBe(0);
    expect(first.standin.output()).toMatch(/all shards flushed and closed/);

    const second = await start();
    expect(second.standin.output()).toMatch(/1 collection\(s\) loaded/);
    expect(await snapshot(second.client, 'kept')).toEqual(before);
    expect(await second.client.collectionExists('dropped')).toEqual({ exists: false });
    expect(await second.standin.stop('SIGTERM')).toBe(0);
  });

  it('when the stand-in is killed with SIGKILL right after writes, then the next start replays them', async () => {
    const first = await start();
    await first.client.upsert('kept', { points: points(301, 50), wait: true });
    await first.client.delete('kept', { points: [1, 2, 3], wait: true });
    const before = await snapshot(first.client, 'kept');
    expect(before.count).toBe(347);

    expect(await first.standin.stop('SIGKILL')).toBeNull();

    const second = await start();
    expect(await snapshot(second.client, 'kept')).toEqual(before);
    expect(await second.client.retrieve('kept', { ids: [350] })).toEqual([
      { id: 350, payload: { id: 350, label: 'p350' } },
    ]);
    expect(await second.standin.stop('SIGTERM')).toBe(0);
  });

  it('when a second stand-in is started on a data dir in use, then it refuses with a message naming the dir', async () => {
    const holder = await start();
    const result = spawnSync(
      standinPython(),
      [path.join(REPO_ROOT, 'infra', 'qdrant-standin', 'server.py'), '--port', '0', '--data-dir', dataDir],
      {
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`${dataDir} is in use by another stand-in`);
    expect(await holder.standin.stop('SIGTERM')).toBe(0);
  });
});
