import type { CpfhubScope } from '../../apps/cpfhub-scopes.ts';

/** The methods CPFHub's forwarded calls use. */
export type CpfhubMethod = 'GET' | 'POST';

export interface AllowedCall {
  method: CpfhubMethod;
  /** Under the API base, without a leading slash; matched exactly, never as a prefix. */
  path: string;
  scope: CpfhubScope;
}

/**
 * The only CPFHub calls Secpass forwards, each tied to the scope it needs. Exact matches keep
 * `..`, encoded slashes and the like from ever reaching another CPFHub route.
 */
export const ALLOWED_CALLS: readonly AllowedCall[] = [
  { method: 'GET', path: 'contributions', scope: 'cpf_contribution:read' },
  { method: 'POST', path: 'contributions', scope: 'cpf_contribution:write' },
  { method: 'GET', path: 'statements', scope: 'cpf_statement:read' },
];

export const allowedCall = (method: string, path: string): AllowedCall | undefined =>
  ALLOWED_CALLS.find((call) => call.method === method && call.path === path);
