import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
import { renderConfigTable, renderEnvExample } from '../../src/config/render-docs.ts';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('configuration', () => {
  it('when nothing is set, then every setting has its documented default pointing at the local stack', () => {
    const config = loadConfig({});
    expect(config.kafkaBrokers).toEqual(['localhost:9092']);
    expect(config.temporalAddress).toBe('localhost:7233');
    expect(config.qdrantUrl).toBe('http://localhost:6333');
    expect(config.precision).toBe('fp32');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('when values are set, then they are parsed to their types', () => {
    const config = loadConfig({
      KAFKA_BROKERS: 'a:1, b:2',
      EMBED_THREADS: '2',
      OTEL_TRACES_ENABLED: 'false',
    });
    expect(config.kafkaBrokers).toEqual(['a:1', 'b:2']);
    expect(config.embedThreads).toBe(2);
    expect(config.otelEnabled).toBe(false);
  });

  it('when values are invalid, then one error names every variable and its fix', () => {
    let error: unknown;
    try {
      loadConfig({ KAFKA_BROKERS: 'nohost', EMBED_PRECISION: 'fp16', QDRANT_URL: 'not a url' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('KAFKA_BROKERS="nohost" is invalid: use host:port');
    expect(message).toContain('EMBED_PRECISION="fp16" is invalid: fp32 or int8');
    expect(message).toContain('QDRANT_URL="not a url"');
  });

  it('when settings contradict each other, then the error says which', () => {
    expect(() => loadConfig({ CHUNK_TOKENS: '64', CHUNK_OVERLAP: '64' })).toThrow(
      /CHUNK_OVERLAP=64 must be smaller/,
    );
  });

  it('when the docs are compared with the settings, then .env.example and the README table are up to date', () => {
    expect(readFileSync(path.join(root, '.env.example'), 'utf8')).toBe(renderEnvExample());
    expect(readFileSync(path.join(root, 'README.md'), 'utf8')).toContain(renderConfigTable());
  });
});
