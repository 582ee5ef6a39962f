/**
 * Errors of the embedding engine. Each carries a stable `type` (used as the Temporal failure type)
 * and says whether retrying the same input can succeed.
 */
export abstract class EmbeddingError extends Error {
  abstract readonly type: string;
  abstract readonly retryable: boolean;
}

/** Thrown for a text that is empty or whitespace only: there is nothing to embed. */
export class EmptyTextError extends EmbeddingError {
  override readonly name = 'EmptyTextError';
  readonly type = 'EmptyText';
  readonly retryable = false;
  /** Position of the text in the call that submitted it. */
  readonly index: number;

  constructor(index: number) {
    super(`Text #${index} is empty or whitespace only; drop it or send it to the dead-letter topic.`);
    this.index = index;
  }
}

/** Thrown for a text that still fails when embedded on its own after its batch failed. */
export class TextEmbeddingError extends EmbeddingError {
  override readonly name = 'TextEmbeddingError';
  readonly type = 'TextEmbeddingFailed';
  readonly retryable = false;
  /** Position of the text in the call that submitted it. */
  readonly index: number;

  constructor(index: number, reason: string, options?: ErrorOptions) {
    super(`Text #${index} cannot be embedded: ${reason}`, options);
    this.index = index;
  }
}

/** Thrown by calls made after `close()`, and to callers still waiting when it is called. */
export class EmbedderClosedError extends EmbeddingError {
  override readonly name = 'EmbedderClosedError';
  readonly type = 'EmbedderClosed';
  readonly retryable = true;

  constructor() {
    super('The embedder is closed; create a new one with createEmbedder().');
  }
}

/** Thrown when an inference worker cannot load the model (missing, truncated or not an ONNX file). */
export class ModelLoadError extends EmbeddingError {
  override readonly name = 'ModelLoadError';
  readonly type = 'ModelLoadFailed';
  readonly retryable = false;

  constructor(modelPath: string, reason: string) {
    super(
      `Cannot load the ONNX model ${modelPath}: ${reason}. Run "embedstream model pull" to (re)build it.`,
    );
  }
}

/** Thrown when an inference run fails or its worker dies; the batch is split and retried. */
export class InferenceRunError extends EmbeddingError {
  override readonly name = 'InferenceRunError';
  readonly type = 'InferenceRunFailed';
  readonly retryable = true;
}
