import { DocumentSchemas } from './document-schemas.ts';
import { joseShapeProblems } from './jose-shape.ts';
import {
  escapePointerToken,
  type HeaderObject,
  type Located,
  loadOpenApiDocument,
  type MediaTypeObject,
  type OpenApiDocument,
  type Reference,
  type ResponseObject,
  type Responses,
  resolveReference,
} from './openapi-document.ts';
import { matchRoute } from './route-matcher.ts';

/**
 * Holds one answer of the gateway to docs/openapi.yaml: its status must be documented for the
 * route and method, its content type declared for that status, and its body must fit: JSON against
 * the schema, `application/jose` a compact JWS or JWE, any other text against its string schema.
 */
export interface ObservedResponse {
  method: string;
  /** Where the answer came from; its path picks the route. */
  url: string;
  status: number;
  headers: Headers;
  body: string;
}

export interface ContractViolation {
  /** `GET /myinfo/token`: the method and path, never the query (it carries codes and states). */
  request: string;
  /** The documented route that took it (`GET /cpfhub/{proxy}`), or why none did. */
  route: string;
  status: number;
  problems: string[];
}

export type ResponseChecker = (observed: ObservedResponse) => ContractViolation | undefined;

/** The entry for a status: its own, else its class (`4XX`), else `default`. */
const responseKey = (responses: Responses, status: number): string | undefined =>
  [String(status), `${String(status)[0]}XX`, 'default'].find((key) => key in responses);

const essenceOf = (contentType: string): string => (contentType.split(';')[0] ?? '').trim().toLowerCase();

/** The declared media type that covers `essence`: exact, then `type/*`, then `*\/*`. */
const declaredMediaType = (content: Record<string, MediaTypeObject>, essence: string): string | undefined => {
  const declared = Object.keys(content);
  const family = `${essence.split('/')[0]}/*`;
  return (
    declared.find((key) => essenceOf(key) === essence) ??
    declared.find((key) => key.toLowerCase() === family) ??
    declared.find((key) => key === '*/*')
  );
};

const isJson = (essence: string) => essence === 'application/json' || essence.endsWith('+json');

export const createResponseChecker = (document: OpenApiDocument): ResponseChecker => {
  const schemas = new DocumentSchemas(document);

  const headerProblems = (response: Located<ResponseObject>, headers: Headers): string[] =>
    Object.entries(response.value.headers ?? {}).flatMap(([name, declared]) => {
      const header = resolveReference<HeaderObject>(document, {
        value: declared as HeaderObject | Reference,
        pointer: `${response.pointer}/headers/${escapePointerToken(name)}`,
      });
      const value = headers.get(name);
      if (value === null) return header.value.required ? [`the ${name} header is missing`] : [];
      if (header.value.schema === undefined) return [];
      const check = schemas.check(`${header.pointer}/schema`, value);
      return check.problems.map((problem) => `header ${name}: ${problem}`);
    });

  const bodyProblems = (response: Located<ResponseObject>, observed: ObservedResponse): string[] => {
    const content = response.value.content ?? {};
    const contentType = observed.headers.get('content-type');
    const hasBody = observed.body.length > 0;
    if (Object.keys(content).length === 0) {
      return hasBody ? [`a body came (${contentType ?? 'no content type'}) where none is declared`] : [];
    }
    if (!contentType)
      return hasBody ? ['the body has no content type'] : ['no body came where one is declared'];
    const essence = essenceOf(contentType);
    const mediaType = declaredMediaType(content, essence);
    if (!mediaType) {
      return [`content type ${essence} is not declared (declared: ${Object.keys(content).join(', ')})`];
    }
    // A HEAD answer carries the headers of the answer it stands for, and no body.
    if (observed.method.toUpperCase() === 'HEAD') return [];
    const schemaPointer =
      content[mediaType]?.schema === undefined
        ? undefined
        : `${response.pointer}/content/${escapePointerToken(mediaType)}/schema`;
    return isJson(essence)
      ? jsonBodyProblems(observed.body, schemaPointer)
      : textBodyProblems(essence, observed.body, schemaPointer);
  };

  const jsonBodyProblems = (body: string, schemaPointer: string | undefined): string[] => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return ['the body is not JSON'];
    }
    return schemaPointer ? schemas.check(schemaPointer, parsed).problems : [];
  };

  /** A text body is held to its schema as a string; a JOSE one must also be shaped as one. */
  const textBodyProblems = (essence: string, body: string, schemaPointer: string | undefined): string[] => [
    ...(essence === 'application/jose' ? joseShapeProblems(body) : []),
    ...(schemaPointer ? schemas.check(schemaPointer, body).problems : []),
  ];

  return (observed) => {
    const { pathname } = new URL(observed.url);
    const request = `${observed.method.toUpperCase()} ${pathname}`;
    const match = matchRoute(document, observed.method, pathname);
    const [route, responses, pointer] =
      match.kind === 'operation'
        ? [
            `${match.method.toUpperCase()} ${match.pathTemplate}`,
            match.operation.responses,
            `${match.pointer}/responses`,
          ]
        : [`unrouted (${match.reason})`, document['x-unrouted-responses'] ?? {}, '/x-unrouted-responses'];
    const violation = (problems: string[]) =>
      problems.length > 0 ? { request, route, status: observed.status, problems } : undefined;

    const key = responseKey(responses, observed.status);
    if (key === undefined) {
      return violation([
        `status ${observed.status} is not documented (documented: ${Object.keys(responses).join(', ') || 'none'})`,
      ]);
    }
    const response = resolveReference<ResponseObject>(document, {
      value: responses[key] as ResponseObject | Reference,
      pointer: `${pointer}/${escapePointerToken(key)}`,
    });
    return violation([...headerProblems(response, observed.headers), ...bodyProblems(response, observed)]);
  };
};

let defaultChecker: ResponseChecker | undefined;

/** Checks one answer against docs/openapi.yaml (or `document`); undefined when it fits. */
export const checkResponse = (
  observed: ObservedResponse,
  document?: OpenApiDocument,
): ContractViolation | undefined => {
  if (document) return createResponseChecker(document)(observed);
  defaultChecker ??= createResponseChecker(loadOpenApiDocument());
  return defaultChecker(observed);
};
