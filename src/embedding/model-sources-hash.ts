import { createHash } from 'node:crypto';
import fs from 'node:fs';

/** sha256 and size of a file, as recorded in the model manifest. */
export interface FileDigest {
  sha256: string;
  bytes: number;
}

export async function digestFile(file: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export async function sha256File(file: string): Promise<string> {
  return (await digestFile(file)).sha256;
}
