import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/**
 * docs/openapi.yaml as the contract check reads it: only the parts it walks are typed, the rest
 * stays `unknown`. Schemas are left to Ajv, which reads them straight from the parsed document.
 */
export const OPENAPI_PATH = fileURLToPath(new URL('../../docs/openapi.yaml', import.meta.url));

export interface Reference {
  $ref: string;
}

export interface MediaTypeObject {
  schema?: unknown;
}

export interface HeaderObject {
  required?: boolean;
  schema?: unknown;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, HeaderObject | Reference>;
  content?: Record<string, MediaTypeObject>;
}

export type Responses = Record<string, ResponseObject | Reference>;

export interface ParameterObject {
  name: string;
  in: 'query' | 'header' | 'path' | 'cookie';
  required?: boolean;
  /** Ours: API Gateway's `{name+}`, which takes the rest of the path, slashes included. */
  'x-greedy'?: boolean;
}

export interface Operation {
  operationId?: string;
  parameters?: (ParameterObject | Reference)[];
  /** Overrides the document's default; `[]` for a public route. */
  security?: Record<string, string[]>[];
  responses: Responses;
}

/** The methods OpenAPI lets a path item hold, as the document spells them. */
export const OPERATION_METHODS = [
  'get',
  'put',
  'post',
  'delete',
  'options',
  'head',
  'patch',
  'trace',
] as const;
export type OperationMethod = (typeof OPERATION_METHODS)[number];

export type PathItem = Partial<Record<OperationMethod, Operation>> & {
  parameters?: (ParameterObject | Reference)[];
  /** Ours: served by the local emulator alone (e.g. the document itself), in no route table. */
  'x-emulator-only'?: boolean;
};

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, PathItem>;
  components?: Record<string, unknown>;
  /** Ours: what the gateway answers for a path or method no route declares. */
  'x-unrouted-responses'?: Responses;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const parseOpenApiDocument = (text: string): OpenApiDocument => {
  const parsed: unknown = parse(text);
  if (!isObject(parsed) || typeof parsed.openapi !== 'string' || !isObject(parsed.paths)) {
    throw new Error('not an OpenAPI document: no `openapi` version or no `paths`');
  }
  return parsed as unknown as OpenApiDocument;
};

export const loadOpenApiDocument = (path: string = OPENAPI_PATH): OpenApiDocument =>
  parseOpenApiDocument(readFileSync(path, 'utf8'));

export const isReference = (value: unknown): value is Reference =>
  isObject(value) && typeof value.$ref === 'string';

/** A JSON pointer's tokens, unescaped (`~1` is `/`, `~0` is `~`). */
const pointerTokens = (pointer: string): string[] =>
  pointer
    .split('/')
    .slice(1)
    .map((token) => decodeURIComponent(token).replaceAll('~1', '/').replaceAll('~0', '~'));

/** One JSON pointer token, escaped and made safe in a URI fragment (`{proxy}` → `%7Bproxy%7D`). */
export const escapePointerToken = (token: string): string =>
  encodeURIComponent(token.replaceAll('~', '~0').replaceAll('/', '~1'));

/** What a local `$ref` (`#/…`) points at, or undefined when nothing is there. */
export const valueAtRef = (document: OpenApiDocument, ref: string): unknown => {
  if (!ref.startsWith('#')) return undefined;
  let value: unknown = document;
  for (const token of pointerTokens(ref.slice(1))) {
    if (!isObject(value) && !Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[token];
    if (value === undefined) return undefined;
  }
  return value;
};

/** A value found in the document, and the JSON pointer it was found at (for Ajv's `$ref`s). */
export interface Located<T> {
  value: T;
  pointer: string;
}

/**
 * Follows `$ref`s until a value that is not one. `pointer` is where `value` sits, so that a schema
 * below it can be handed to Ajv by reference and resolve its own `$ref`s from the document root.
 */
export const resolveReference = <T>(
  document: OpenApiDocument,
  located: Located<T | Reference>,
): Located<T> => {
  let { value, pointer } = located;
  const seen = new Set<string>();
  while (isReference(value)) {
    const ref = value.$ref;
    if (seen.has(ref)) throw new Error(`circular $ref ${ref}`);
    seen.add(ref);
    const target = valueAtRef(document, ref);
    if (target === undefined) throw new Error(`unresolved $ref ${ref} (at ${pointer})`);
    value = target as T | Reference;
    pointer = ref.slice(1);
  }
  return { value, pointer };
};
