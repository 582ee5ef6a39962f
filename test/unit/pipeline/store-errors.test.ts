import { QdrantClientResourceExhaustedError, QdrantClientTimeoutError } from '@qdrant/js-client-rest';
import { describe, expect, it } from 'vitest';
import {
  classifyQdrantError,
  CollectionNotFoundError,
  DimensionMismatchError,
  InvalidStoreRequestError,
  TransientStoreError,
} from '../../../src/qdrant/index.ts';

function apiError(status: number, error: string): Error {
  return Object.assign(new Error(`status ${status}`), { status, data: { status: { error } } });
}

describe('classifying Qdrant errors at the boundary', () => {
  it('when Qdrant is overloaded, then the error is transient and carries Retry-After', () => {
    const e = classifyQdrantError(new QdrantClientResourceExhaustedError('busy', '7'), 'upsert');
    expect(e).toBeInstanceOf(TransientStoreError);
    expect((e as TransientStoreError).retryAfterSeconds).toBe(7);
  });

  it('when a call times out, a connection is refused or the server fails, then it is transient', () => {
    expect(classifyQdrantError(new QdrantClientTimeoutError('slow'), 'q')).toBeInstanceOf(
      TransientStoreError,
    );
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
    });
    expect(classifyQdrantError(refused, 'q')).toBeInstanceOf(TransientStoreError);
    expect(classifyQdrantError(apiError(503, 'unavailable'), 'q').retryable).toBe(true);
  });

  it('when the vector has the wrong dimension, then the error is a non-retryable dimension mismatch', () => {
    const e = classifyQdrantError(
      apiError(400, 'Wrong input: Vector dimension error: expected dim: 384, got 3'),
      'q',
    );
    expect(e).toBeInstanceOf(DimensionMismatchError);
    expect(e.retryable).toBe(false);
  });

  it('when the request is wrong or the collection missing, then it is not retried', () => {
    expect(classifyQdrantError(apiError(400, 'Wrong input: bad filter'), 'q')).toBeInstanceOf(
      InvalidStoreRequestError,
    );
    expect(classifyQdrantError(apiError(404, 'Not found'), 'q')).toBeInstanceOf(CollectionNotFoundError);
  });

  it('when the error is a programming error, then it is rethrown as is', () => {
    const bug = new RangeError('bug');
    expect(() => classifyQdrantError(bug, 'q')).toThrow(bug);
  });
});
