import { createHash } from 'node:crypto';

/** Namespace of chunk point ids (a fixed random UUID): ids are stable across runs and processes. */
const CHUNK_NAMESPACE = 'b3f6a1de-5c1e-4f4e-9a54-3c1f0d6f2a77';

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/** RFC 4122 version-5 (SHA-1, name-based) UUID of `name` in `namespace`. */
export function uuidV5(name: string, namespace: string): string {
  const hash = createHash('sha1').update(uuidBytes(namespace)).update(name, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Point id of a document's chunk: UUIDv5 of the document id and chunk index, so a redelivered or
 * re-ingested document overwrites its own points instead of adding copies.
 */
export function chunkPointId(documentId: string, chunkIndex: number): string {
  return uuidV5(`${documentId}\u0000${chunkIndex}`, CHUNK_NAMESPACE);
}
