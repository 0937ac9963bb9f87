import {
  escapePointerToken,
  isReference,
  OPERATION_METHODS,
  type OpenApiDocument,
  type Operation,
  type OperationMethod,
  type ParameterObject,
  type Reference,
  resolveReference,
} from './openapi-document.ts';

/**
 * Which documented operation answers a request, chosen the way the gateway routes: fixed paths
 * first, then templated ones by how much of the path is fixed, greedy parameters last. A path
 * whose item lacks the method falls through to the next match (the gateway's `ANY` routes take
 * what the fixed path leaves), and a request nothing takes is "unrouted".
 */
export type RouteMatch =
  | {
      kind: 'operation';
      pathTemplate: string;
      method: OperationMethod;
      operation: Operation;
      pointer: string;
    }
  | { kind: 'unrouted'; reason: string };

interface CompiledPath {
  template: string;
  regex: RegExp;
  fixedSegments: number;
  greedy: boolean;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const greedyNames = (document: OpenApiDocument, template: string): Set<string> => {
  const item = document.paths[template];
  const methodParameters = OPERATION_METHODS.flatMap((method) => item?.[method]?.parameters ?? []);
  const names = new Set<string>();
  for (const [index, parameter] of [...(item?.parameters ?? []), ...methodParameters].entries()) {
    const { value } = resolveReference<ParameterObject>(document, {
      value: parameter as ParameterObject | Reference,
      pointer: `/paths/${escapePointerToken(template)}/parameters/${index}`,
    });
    if (value.in === 'path' && value['x-greedy']) names.add(value.name);
  }
  return names;
};

const compilePath = (document: OpenApiDocument, template: string): CompiledPath => {
  const greedy = greedyNames(document, template);
  let fixedSegments = 0;
  let anyGreedy = false;
  const pattern = template
    .split('/')
    .map((segment) => {
      const parameter = /^\{([^}]+)\}$/.exec(segment)?.[1];
      if (parameter === undefined) {
        fixedSegments += 1;
        return escapeRegex(segment);
      }
      if (greedy.has(parameter)) {
        anyGreedy = true;
        return '.+';
      }
      return '[^/]+';
    })
    .join('/');
  return { template, regex: new RegExp(`^${pattern}$`), fixedSegments, greedy: anyGreedy };
};

const isTemplated = (template: string) => template.includes('{');

const byPrecedence = (a: CompiledPath, b: CompiledPath): number =>
  Number(isTemplated(a.template)) - Number(isTemplated(b.template)) ||
  Number(a.greedy) - Number(b.greedy) ||
  b.fixedSegments - a.fixedSegments;

const compiledPaths = new WeakMap<OpenApiDocument, CompiledPath[]>();

const pathsOf = (document: OpenApiDocument): CompiledPath[] => {
  let compiled = compiledPaths.get(document);
  if (!compiled) {
    compiled = Object.keys(document.paths)
      .map((template) => compilePath(document, template))
      .sort(byPrecedence);
    compiledPaths.set(document, compiled);
  }
  return compiled;
};

const isDecodable = (path: string): boolean => {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
};

const asOperationMethod = (method: string): OperationMethod | undefined =>
  OPERATION_METHODS.find((known) => known === method.toLowerCase());

/** `pathname` as sent (still percent-encoded), as the gateway matches it. */
export const matchRoute = (document: OpenApiDocument, method: string, pathname: string): RouteMatch => {
  // API Gateway refuses a path it cannot decode before it routes.
  if (!isDecodable(pathname)) return { kind: 'unrouted', reason: 'the path cannot be percent-decoded' };
  const operationMethod = asOperationMethod(method);
  if (!operationMethod) return { kind: 'unrouted', reason: `no route takes the method ${method}` };
  for (const { template, regex } of pathsOf(document)) {
    const operation = regex.test(pathname) ? document.paths[template]?.[operationMethod] : undefined;
    if (operation && !isReference(operation)) {
      const pointer = `/paths/${escapePointerToken(template)}/${operationMethod}`;
      return { kind: 'operation', pathTemplate: template, method: operationMethod, operation, pointer };
    }
  }
  return { kind: 'unrouted', reason: `no route declares ${method.toUpperCase()} ${pathname}` };
};
