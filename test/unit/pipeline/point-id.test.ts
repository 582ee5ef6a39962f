import { describe, expect, it } from 'vitest';
import { chunkPointId, uuidV5 } from '../../../src/qdrant/index.ts';

describe('point ids', () => {
  it('when hashing a name in the DNS namespace, then it gives the RFC 4122 reference UUIDv5', () => {
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org')
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
  });

  it('when the same chunk is addressed twice, then its id is the same, and other chunks differ', () => {
    expect(chunkPointId('MED-10', 0)).toBe(chunkPointId('MED-10', 0));
    expect(chunkPointId('MED-10', 0)).not.toBe(chunkPointId('MED-10', 1));
    expect(chunkPointId('MED-1', 10)).not.toBe(chunkPointId('MED-10', 1));
  });
});
