import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { REPO_ROOT } from './qdrant-standin.ts';

/** The Qdrant 1.19.0 OpenAPI spec committed beside the stand-in (the contract it is tested against). */
export const COMMITTED_SPEC_PATH = path.join(REPO_ROOT, 'infra', 'qdrant-standin', 'openapi.json');
/** Where the team keeps the spec it was copied from, outside the repository. */
export const SHARED_SPEC_PATH = path.resolve(REPO_ROOT, '..', 'shared', 'qdrant', 'openapi.json');

function defaultSpecPath(): string {
  return existsSync(COMMITTED_SPEC_PATH) ? COMMITTED_SPEC_PATH : SHARED_SPEC_PATH;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface OpenApiSpec {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, { schema?: Json }> }> }>
  >;
  components: { schemas: Record<string, Json> };
}

const SPEC_ID = 'qdrant-openapi';
const UINT_BOUNDS: Record<string, number> = {
  uint: 2 ** 64,
  uint64: 2 ** 64,
  uint32: 2 ** 32,
  uint8: 2 ** 8,
};

/**
 * OpenAPI 3.0 marks nulls with `nullable`, which JSON Schema lacks: rewrite it as a `null` type,
 * and point `#/components/...` refs at the spec registered in Ajv.
 */
function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'nullable' || key === 'example') continue;
    if (key === '$ref' && typeof value === 'string') out[key] = `${SPEC_ID}${value}`;
    else if (key === 'properties' && value !== null && typeof value === 'object' && !Array.isArray(value))
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v)]));
    else out[key] = toJsonSchema(value);
  }
  if (node['nullable'] !== true) return out;
  if (Object.keys(out).length === 0) return { type: 'null' };
  if (typeof out['type'] === 'string') {
    out['type'] = [out['type'], 'null'];
    if (Array.isArray(out['enum'])) out['enum'] = [...out['enum'], null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

/** Validates response bodies against the response schemas of the spec's operations. */
export class QdrantResponseSchemas {
  private readonly ajv: Ajv;
  private readonly spec: OpenApiSpec;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(specPath: string = defaultSpecPath()) {
    this.spec = JSON.parse(readFileSync(specPath, 'utf8')) as OpenApiSpec;
    this.ajv = new Ajv({ strict: false, allErrors: true });
    this.ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    for (const loose of ['date-time', 'partial-date-time', 'uri']) this.ajv.addFormat(loose, true);
    for (const [format, bound] of Object.entries(UINT_BOUNDS)) {
      this.ajv.addFormat(format, {
        type: 'number',
        validate: (n: number) => Number.isInteger(n) && n >= 0 && n < bound,
      });
    }
    this.ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    for (const real of ['float', 'double'])
      this.ajv.addFormat(real, { type: 'number', validate: () => true });
    this.ajv.addSchema({ $id: SPEC_ID, components: toJsonSchema(this.spec.components) });
  }

  /** Schema errors of `body` as the `status` answer of `method pathTemplate`; empty when it conforms. */
  errors(method: string, pathTemplate: string, status: number, body: unknown): string[] {
    const validate = this.validator(method.toLowerCase(), pathTemplate, status);
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
    );
  }

  private validator(method: string, pathTemplate: string, status: number): ValidateFunction {
    const key = `${method} ${pathTemplate} ${status}`;
    let validate = this.compiled.get(key);
    if (validate === undefined) {
      const responses = this.spec.paths[pathTemplate]?.[method]?.responses;
      if (responses === undefined)
        throw new Error(`the spec has no operation ${method.toUpperCase()} ${pathTemplate}`);
      const response =
        responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses['default'];
      const content = response?.content;
      const schema = content?.['application/json']?.schema ?? content?.['text/plain']?.schema;
      if (schema === undefined) throw new Error(`the spec has no ${status} schema for ${key}`);
      validate = this.ajv.compile(toJsonSchema(schema) as object);
      this.compiled.set(key, validate);
    }
    return validate;
  }
}
