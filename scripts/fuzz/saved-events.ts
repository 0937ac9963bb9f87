import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import type { Route } from '../../infra/routes.ts';

/**
 * The saved API Gateway events in `events/` (one per route, and the authorizer's): what a case
 * sent straight to a handler is built on, so it has every field API Gateway fills in.
 */
const EVENTS_DIR = 'events';

interface SavedEvents {
  proxy: Map<string, string>;
  authorizer: string;
}

let loaded: SavedEvents | undefined;

const keyOf = (method: string, resource: string) => `${method} ${resource}`;

const load = (): SavedEvents => {
  if (loaded) return loaded;
  const proxy = new Map<string, string>();
  let authorizer: string | undefined;
  for (const file of readdirSync(EVENTS_DIR).filter((name) => name.endsWith('.json'))) {
    const text = readFileSync(join(EVENTS_DIR, file), 'utf8');
    const event = JSON.parse(text) as { methodArn?: string; httpMethod?: string; resource?: string };
    if (event.methodArn) authorizer = text;
    else proxy.set(keyOf(event.httpMethod ?? '', event.resource ?? ''), text);
  }
  if (!authorizer) throw new Error(`${EVENTS_DIR}/ holds no authorizer event`);
  loaded = { proxy, authorizer };
  return loaded;
};

/** A fresh copy of the route's saved event (an ANY route's is saved under the method it shows). */
export const savedProxyEvent = (route: Route): APIGatewayProxyEvent => {
  const { proxy } = load();
  const text =
    proxy.get(keyOf(route.method, route.path)) ??
    [...proxy.entries()].find(([key]) => key.endsWith(` ${route.path}`))?.[1];
  if (!text) throw new Error(`${EVENTS_DIR}/ holds no event for ${route.method} ${route.path}`);
  return JSON.parse(text) as APIGatewayProxyEvent;
};

export const savedAuthorizerEvent = (): APIGatewayRequestAuthorizerEvent =>
  JSON.parse(load().authorizer) as APIGatewayRequestAuthorizerEvent;

/** The route's saved JSON body as an object, `{}` when it has none: what bodies are bent from. */
export const savedBody = (route: Route): Record<string, unknown> => {
  const { body } = savedProxyEvent(route);
  if (!body) return {};
  const parsed: unknown = JSON.parse(body);
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : {};
};
