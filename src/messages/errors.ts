/**
 * Stable reasons a message is refused, carried in the dead-letter `x-error-type` header so a person
 * (or a replay tool) can sort dead letters without parsing prose.
 */
export type InvalidMessageType =
  'MalformedJson' | 'InvalidDocument' | 'InvalidQuery' | 'KeyMismatch' | 'DocumentTooLarge';

/** Describes why a consumed message cannot be processed; the parsers return it, they do not throw it. */
export class InvalidMessageError extends Error {
  override readonly name = 'InvalidMessageError';
  readonly type: InvalidMessageType;

  constructor(type: InvalidMessageType, message: string) {
    super(message);
    this.type = type;
  }
}

/** What a parser hands back: the value, or the reason it was refused. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: InvalidMessageError };
