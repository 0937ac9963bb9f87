import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Fault } from '@secpass/simulators/fault-proxy';
import { documentClient, tableName } from '../../shared/adapters/dynamodb/table.ts';
import type { UpstreamFailure } from '../../shared/core/errors.ts';
import {
  accessTokenSignedByStranger,
  dataEncryptedToStranger,
  dataSignedByStranger,
} from './fault-forgeries.ts';
import { PAST_THE_TIMEOUT_MS } from './fault-upstreams.ts';

/** One fault on one upstream call, and what the app must be told. */
export interface FaultCase {
  /** What goes wrong, as the test name says it. */
  name: string;
  fault: Fault;
  /** The upstream calls it hits (by path); the others pass. */
  path: RegExp;
  /** The `upstream_*` failure the app is told; undefined when the call must still succeed. */
  failure: UpstreamFailure | undefined;
}

/** A fault the call cannot survive. */
export interface FailingCase extends FaultCase {
  failure: UpstreamFailure;
}

export const ANY_PATH = /./;

/** The faults no upstream call can survive, whatever it carries. */
export const transportFaults = (call: string, path: RegExp): FailingCase[] => [
  { name: `${call} call reset`, fault: { kind: 'reset' }, path, failure: 'unreachable' },
  { name: `${call} call never answered`, fault: { kind: 'hang' }, path, failure: 'timeout' },
  {
    name: `${call} answer later than the timeout`,
    fault: { kind: 'slow', ms: PAST_THE_TIMEOUT_MS },
    path,
    failure: 'timeout',
  },
  {
    name: `${call} call answered 503`,
    fault: { kind: 'error-status', status: 503, body: '{"debug":"S9812381D at db-7"}' },
    path,
    failure: 'error_status',
  },
  {
    name: `${call} answer dropped after the upstream acted`,
    fault: { kind: 'drop-answer' },
    path,
    failure: 'unreachable',
  },
];

/** Garbage in place of the answer, and the failure that call must report it as. */
export const garbageFaults = (call: string, path: RegExp, failure: UpstreamFailure): FailingCase[] => [
  { name: `${call} answer random bytes`, fault: { kind: 'garbage', shape: 'random-bytes' }, path, failure },
  { name: `${call} answer an HTML page`, fault: { kind: 'garbage', shape: 'not-json' }, path, failure },
];

/**
 * Myinfo v3, Myinfo Business v2 and SG-Verify speak one protocol: a token call answering JSON with
 * an RS256 access token, then a data call answering a JWE around a JWS. `subject` is a valid
 * access-token subject for the upstream, so a forged token fails on its signature alone.
 */
export const pkiOAuthFaultCases = (subject: string, dataPath: RegExp): FaultCase[] => {
  const token = /\/token$/;
  return [
    ...transportFaults('token', token),
    ...garbageFaults('token', token, 'bad_response'),
    {
      name: 'token answer with an access token a stranger signed',
      fault: { kind: 'forge', answer: () => accessTokenSignedByStranger(subject) },
      path: token,
      failure: 'bad_token',
    },
    // A late data answer times out like a hung one: the upstream acting first changes nothing here.
    ...transportFaults('data', dataPath).filter((c) => c.fault.kind !== 'slow'),
    ...garbageFaults('data', dataPath, 'bad_encryption'),
    {
      name: 'data answer encrypted to us but signed by a stranger',
      fault: { kind: 'forge', answer: () => dataSignedByStranger({ uinfin: { value: 'S9812381D' } }) },
      path: dataPath,
      failure: 'bad_signature',
    },
    {
      name: 'data answer encrypted to a stranger',
      fault: { kind: 'forge', answer: dataEncryptedToStranger },
      path: dataPath,
      failure: 'bad_encryption',
    },
    // Both must still work: a slow upstream within the timeout, and answers whose label is wrong
    // but whose signatures and encryption are right (Secpass judges them by what they carry).
    {
      name: 'every answer 100 ms late',
      fault: { kind: 'slow', ms: 100 },
      path: ANY_PATH,
      failure: undefined,
    },
    {
      name: 'every answer labelled text/html',
      fault: { kind: 'garbage', shape: 'wrong-content-type' },
      path: ANY_PATH,
      failure: undefined,
    },
  ];
};

/** How many items of a kind (`STATE#`, `GRANT#`, …) the table holds: what a failed call must not have added. */
export const countItems = async (prefix: string): Promise<number> => {
  const { Items = [] } = await documentClient().send(new ScanCommand({ TableName: tableName() }));
  return Items.filter((item) => String(item.pk).startsWith(prefix)).length;
};

export const describeOutcome = (failure: UpstreamFailure | undefined, status: number): string =>
  failure ? `${status} upstream_${failure}` : 'still succeeds';
