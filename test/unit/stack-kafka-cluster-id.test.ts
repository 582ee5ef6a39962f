import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const KAFKA_SH = path.resolve(import.meta.dirname, '../../infra/local/lib/kafka.sh');

function clusterIds(args: string): string[] {
  const out = execFileSync('bash', ['-c', `source "${KAFKA_SH}"; kafka_cluster_id ${args}`], {
    encoding: 'utf8',
  });
  return out.trim().split('\n');
}

describe('the local stack: kafka_cluster_id', () => {
  it('when 5000 ids are drawn, then each is a 22-character URL-safe base64 UUID that cannot be read as an option', () => {
    // One random id in 64 starts with '-': among 5000, some would.
    const ids = clusterIds('5000');
    expect(ids).toHaveLength(5000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(new Set(ids).size).toBe(5000);
  });

  it('when called without a count, then it prints one id', () => {
    expect(clusterIds('')).toHaveLength(1);
  });
});
