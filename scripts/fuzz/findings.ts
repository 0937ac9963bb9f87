import { authzBreach } from './authz.ts';
import type { FuzzCase } from './cases.ts';
import { requestText } from './describe.ts';
import type { FuzzApp } from './headers.ts';
import { leakIn, undesigned5xx } from './oracle.ts';
import type { Outcome } from './outcome.ts';

/** Every kind of finding; a run passes only with none of any. */
export const FINDING_KINDS = [
  'undesigned5xx',
  'leak',
  'hang',
  'dropped',
  'crash',
  'authz',
  'pollution',
  'harness',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  kind: FindingKind;
  reason: string;
  index?: number;
  route?: string;
  request?: string;
  outcome?: string;
}

/** What is wrong with how the case ended; several things can be. */
export const judge = (
  fuzzCase: FuzzCase,
  outcome: Outcome,
  apps: readonly FuzzApp[],
): { kind: FindingKind; reason: string }[] => {
  switch (outcome.kind) {
    case 'hang':
      return [{ kind: 'hang', reason: `no answer within ${outcome.afterMs} ms` }];
    case 'dropped':
      return [{ kind: 'dropped', reason: outcome.reason }];
    case 'unsendable':
      return [{ kind: 'harness', reason: `the HTTP client refused the case: ${outcome.reason}` }];
    case 'lambda-failure':
      return [{ kind: 'undesigned5xx', reason: `API Gateway's ${outcome.status}: ${outcome.reason}` }];
    case 'refused-by-gateway':
      return [];
    case 'answered': {
      const found: { kind: FindingKind; reason: string }[] = [];
      const unplanned = undesigned5xx(outcome.answer);
      if (unplanned) found.push({ kind: 'undesigned5xx', reason: unplanned });
      const leak = leakIn(outcome.answer.body, requestText(fuzzCase));
      if (leak) found.push({ kind: 'leak', reason: leak });
      const breach = authzBreach(fuzzCase, outcome, apps);
      if (breach) found.push({ kind: 'authz', reason: breach });
      return found;
    }
  }
};
