import type { Persona } from './personas.ts';
import { MYINFO_CATALOG_SCOPES } from './published-rules.ts';

/**
 * Myinfo v5's `person_info`: the persona's data for the catalog ids granted. A plain id gives the
 * whole attribute; a dotted id gives the one part it names, kept inside its parent with the
 * parent's own metadata (`source`, `classification`, `lastupdated`), and for a list such as
 * `vehicles` that part of every element. Several ids under one parent share it.
 */

/** Which parts of an attribute were asked for; no parts means all of it. */
interface Selection {
  parts: Map<string, Selection>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const selectionOf = (catalogIds: readonly string[]): Selection => {
  const root: Selection = { parts: new Map() };
  for (const id of catalogIds) {
    let node = root;
    for (const segment of id.split('.')) {
      const next = node.parts.get(segment) ?? { parts: new Map() };
      node.parts.set(segment, next);
      node = next;
    }
  }
  return root;
};

/** The fields that describe a record rather than hold its data: Myinfo's are all plain strings. */
const metadataOf = (record: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => typeof value !== 'object'));

/** The part of `data` the selection names, or undefined when the persona has none of it. */
const project = (data: unknown, selection: Selection): unknown => {
  if (selection.parts.size === 0) return data;
  if (Array.isArray(data)) {
    const elements = data.map((element) => project(element, selection)).filter((e) => e !== undefined);
    return elements.length > 0 ? elements : undefined;
  }
  if (!isRecord(data)) return undefined;
  const parts = [...selection.parts]
    .map(([name, inner]) => [name, project(data[name], inner)] as const)
    .filter(([, value]) => value !== undefined);
  return parts.length > 0 ? { ...metadataOf(data), ...Object.fromEntries(parts) } : undefined;
};

/** `person_info` for the scope granted: only catalog ids count, the rest (`openid`) is ignored. */
export const personInfo = (persona: Persona, scope: string): Record<string, unknown> => {
  const ids = scope.split(' ').filter((id) => MYINFO_CATALOG_SCOPES.has(id));
  const selection = selectionOf(ids);
  const info: Record<string, unknown> = {};
  for (const [attribute, inner] of selection.parts) {
    const value = project(persona[attribute], inner);
    if (value !== undefined) info[attribute] = value;
  }
  return info;
};
