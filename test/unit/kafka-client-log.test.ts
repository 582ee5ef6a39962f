import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKafka } from '../../src/kafka/client.ts';

const config = { kafkaBrokers: ['127.0.0.1:1'], kafkaClientId: 'log-test' };

/** What kafkajs' loggers of a client at `logLevel` print, per console stream. */
function printed(logLevel: 'info' | 'warn', write: (kafka: ReturnType<typeof createKafka>) => void) {
  const lines = { error: [] as string[], warn: [] as string[], log: [] as string[] };
  for (const stream of ['error', 'warn', 'log'] as const)
    vi.spyOn(console, stream).mockImplementation((line: string) => void lines[stream].push(line));
  write(createKafka({ ...config, logLevel }));
  return lines;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('kafkajs log lines', () => {
  it('when a broker answers with an error kafkajs retries, then it is logged at info, not as an error', () => {
    const lines = printed('info', (kafka) =>
      kafka.logger().namespace('Connection').error('Response InitProducerId(key: 22, version: 1)', {
        error: "The coordinator is loading and hence can't process requests for this group",
        correlationId: 0,
      }),
    );
    expect(lines.error).toEqual([]);
    expect(lines.log).toHaveLength(1);
    expect(JSON.parse(lines.log[0]!)).toMatchObject({
      level: 'INFO',
      message: '[Connection] Response InitProducerId(key: 22, version: 1)',
      error: "The coordinator is loading and hence can't process requests for this group",
    });
  });

  it('when the log level is warn, then a retriable answer is not printed at all', () => {
    const lines = printed('warn', (kafka) =>
      kafka.logger().namespace('Connection').error('Response GroupCoordinator(key: 10, version: 2)', {
        error: 'The group coordinator is not available',
      }),
    );
    expect(lines).toEqual({ error: [], warn: [], log: [] });
  });

  it('when a broker answers with an error kafkajs does not retry, or another part logs an error, then it stays an error', () => {
    const lines = printed('warn', (kafka) => {
      const logger = kafka.logger();
      logger.namespace('Connection').error('Response Produce(key: 0, version: 7)', {
        error: 'The request included a message larger than the max message size the server will accept',
      });
      logger.namespace('Consumer').error('The group coordinator is not available', {
        error: 'The group coordinator is not available',
      });
    });
    expect(lines.error.map((l) => (JSON.parse(l) as { level: string }).level)).toEqual(['ERROR', 'ERROR']);
  });
});
