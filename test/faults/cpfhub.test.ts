import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type FaultProxy, forwardsFirst } from '@secpass/simulators/fault-proxy';
import { openSecpassToken } from '../../local/demo-app/open-token.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import type { UpstreamFailure } from '../../shared/core/errors.ts';
import { demoApp, expectError } from '../helpers/assertions.ts';
import {
  ANY_PATH,
  countItems,
  type FaultCase,
  garbageFaults,
  transportFaults,
} from '../helpers/fault-cases.ts';
import { FAULT_TEST_TIMEOUT_MS, faultProxyFor, useShortUpstreamTimeout } from '../helpers/fault-upstreams.ts';
import { basic, cpfhubConsent, cpfhubGet, cpfhubToken, secpassOf } from '../helpers/flows.ts';

/**
 * CPFHub's API and OAuth endpoints each behind a fault proxy, through the real routes: the API-key
 * proxy, the code exchange, a user's calls (with the refresh behind them) and the revocation.
 * Failures answer 502 `upstream_*`, a timeout 504; nothing is half-written; a refresh whose outcome
 * is unknown leaves the grant in doubt, so CPFHub refusing it later is `grant_lost`.
 */
/** Secpass treats CPFHub's 1-second access tokens as spent after 750 ms. */
const ACCESS_TOKEN_SECONDS = 1;
const UNTIL_EXPIRED_MS = 800;
const USER = 'S9812381D';
const SCOPE = 'cpf_contribution:read cpf_statement:read';
const MONTH = '/cpfhub/contributions?year=2025&month=4';
const USER_MONTH = '/cpfhub/user/contributions?year=2025&month=4';
const CONTRIBUTIONS = /\/v1\/contributions$/;
const TOKEN = /\/oauth\/token$/;
const REVOKE = /\/oauth\/revoke$/;

let stack: LocalStack;
let api: FaultProxy;
let oauth: FaultProxy;
before(async () => {
  useShortUpstreamTimeout();
  stack = await startLocalStack({ cpfhubAccessTokenSeconds: ACCESS_TOKEN_SECONDS });
  api = await faultProxyFor('CPFHUB_API_BASE_URL');
  oauth = await faultProxyFor('CPFHUB_OAUTH_BASE_URL');
});
after(async () => {
  await oauth?.stop();
  await api?.stop();
  await stack?.stop();
});

const app = () => demoApp(stack, 0);

/** Apps call CPFHub through Secpass as through a gateway: its timeout is a 504, any other failure a 502. */
const statusFor = (failure: UpstreamFailure) => (failure === 'timeout' ? 504 : 502);
const outcome = (failure: UpstreamFailure | undefined) =>
  failure ? `${statusFor(failure)} upstream_${failure}` : 'still succeeds';

const withFault = async <T>(proxy: FaultProxy, { fault, path }: FaultCase, call: () => Promise<T>) => {
  const faultedBefore = proxy.stats().faulted;
  proxy.setFault(fault, { path });
  try {
    return await call();
  } finally {
    proxy.clearFault();
    assert.ok(proxy.stats().faulted > faultedBefore, 'the fault met the call');
  }
};

const expectUpstreamFailure = async (response: Response, failure: UpstreamFailure) => {
  const body = await expectError(response, statusFor(failure), `upstream_${failure}`);
  assert.ok(String(body.message).startsWith('CPFHub '), String(body.message));
};

const newGrant = async (): Promise<string> => {
  const { code, state } = await cpfhubConsent(stack, app(), USER, SCOPE);
  const response = await cpfhubToken(stack, app().apiKey, code, state);
  assert.equal(response.status, 200);
  const { payload } = await openSecpassToken(await response.text(), app(), secpassOf(stack));
  return (JSON.parse(new TextDecoder().decode(payload)) as { grant_id: string }).grant_id;
};

const userCall = (grantId: string) =>
  cpfhubGet(stack, app().apiKey, USER_MONTH, { 'X-Secpass-Grant': grantId });

const revoke = (grantId: string) =>
  fetch(`${stack.gatewayUrl}/cpfhub/oauth/grant`, {
    method: 'DELETE',
    headers: { ...basic(app().apiKey), 'X-Secpass-Grant': grantId },
  });

const refreshesAtCpfhub = () => stack.cpfhub.stats().refreshGrants;

describe('CPFHub API (Secpass’s API key) behind a faulty network', () => {
  const cases: FaultCase[] = [
    ...transportFaults('contributions', CONTRIBUTIONS),
    ...garbageFaults('contributions', CONTRIBUTIONS, 'bad_response'),
    // Passed through as it came, so only JSON labelled as JSON will do.
    {
      name: 'contributions answer labelled text/html',
      fault: { kind: 'garbage', shape: 'wrong-content-type' },
      path: CONTRIBUTIONS,
      failure: 'bad_response',
    },
    {
      name: 'contributions answer 100 ms late',
      fault: { kind: 'slow', ms: 100 },
      path: CONTRIBUTIONS,
      failure: undefined,
    },
  ];
  for (const fault of cases) {
    test(`${fault.name} → ${outcome(fault.failure)}`, { timeout: FAULT_TEST_TIMEOUT_MS }, async () => {
      const response = await withFault(api, fault, () => cpfhubGet(stack, app().apiKey, MONTH));
      if (fault.failure) {
        await expectUpstreamFailure(response, fault.failure);
      } else {
        assert.equal(response.status, 200);
        assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      }
    });
  }
});

describe('CPFHub code exchange behind a faulty network', () => {
  const cases: FaultCase[] = [
    ...transportFaults('token', TOKEN),
    ...garbageFaults('token', TOKEN, 'bad_response'),
    {
      name: 'every answer 100 ms late',
      fault: { kind: 'slow', ms: 100 },
      path: ANY_PATH,
      failure: undefined,
    },
  ];
  for (const fault of cases) {
    const after = fault.failure ? 'no grant saved, the state stays spent' : 'one grant saved';
    test(`${fault.name} → ${outcome(fault.failure)}; ${after}`, {
      timeout: FAULT_TEST_TIMEOUT_MS,
    }, async () => {
      const { code, state } = await cpfhubConsent(stack, app(), USER, SCOPE);
      const grantsBefore = await countItems('GRANT#');
      const response = await withFault(oauth, fault, () => cpfhubToken(stack, app().apiKey, code, state));
      if (fault.failure) {
        await expectUpstreamFailure(response, fault.failure);
        assert.equal(await countItems('GRANT#'), grantsBefore);
        await expectError(await cpfhubToken(stack, app().apiKey, code, state), 400, 'state_used');
      } else {
        assert.equal(response.status, 200);
        assert.equal(await countItems('GRANT#'), grantsBefore + 1);
      }
    });
  }
});

describe('a user’s refresh behind a faulty network', () => {
  const refreshFaults = [
    ...transportFaults('refresh', TOKEN),
    ...garbageFaults('refresh', TOKEN, 'bad_response'),
  ];
  // Answered by the proxy itself: the refresh never reached CPFHub, so the next one works.
  const notActed = refreshFaults.filter((c) => !forwardsFirst(c.fault));
  for (const fault of notActed) {
    test(`${fault.name} → ${outcome(fault.failure)}; the grant is kept and the next call refreshes it`, {
      timeout: FAULT_TEST_TIMEOUT_MS,
    }, async () => {
      const grantId = await newGrant();
      await sleep(UNTIL_EXPIRED_MS);
      const refreshesBefore = refreshesAtCpfhub();
      const response = await withFault(oauth, fault, () => userCall(grantId));
      await expectUpstreamFailure(response, fault.failure);
      assert.equal(refreshesAtCpfhub(), refreshesBefore, 'CPFHub saw no refresh');
      assert.equal((await userCall(grantId)).status, 200);
      assert.equal(refreshesAtCpfhub(), refreshesBefore + 1);
    });
  }

  // Forwarded first (a dropped or late answer): CPFHub rotated the refresh token, and the new one
  // never reached Secpass.
  const acted = refreshFaults.filter((c) => forwardsFirst(c.fault));
  for (const fault of acted) {
    test(`${fault.name} → ${outcome(fault.failure)}, then 403 grant_lost, then unknown_grant`, {
      timeout: FAULT_TEST_TIMEOUT_MS,
    }, async () => {
      const grantId = await newGrant();
      await sleep(UNTIL_EXPIRED_MS);
      const refreshesBefore = refreshesAtCpfhub();
      const response = await withFault(oauth, fault, () => userCall(grantId));
      await expectUpstreamFailure(response, fault.failure);
      assert.equal(refreshesAtCpfhub(), refreshesBefore + 1, 'CPFHub rotated the refresh token');
      await expectError(await userCall(grantId), 403, 'grant_lost');
      await expectError(await userCall(grantId), 403, 'unknown_grant');
    });
  }

  test('refresh answer labelled text/html → still succeeds (the token set is judged by its content)', {
    timeout: FAULT_TEST_TIMEOUT_MS,
  }, async () => {
    const grantId = await newGrant();
    await sleep(UNTIL_EXPIRED_MS);
    const fault: FaultCase = {
      name: 'relabelled',
      fault: { kind: 'garbage', shape: 'wrong-content-type' },
      path: TOKEN,
      failure: undefined,
    };
    assert.equal((await withFault(oauth, fault, () => userCall(grantId))).status, 200);
  });

  test('10 concurrent calls on an expired token, the first refresh answered 503 → one 502, nine 200, one refresh at CPFHub', {
    timeout: FAULT_TEST_TIMEOUT_MS,
  }, async () => {
    const grantId = await newGrant();
    await sleep(UNTIL_EXPIRED_MS);
    const refreshesBefore = refreshesAtCpfhub();
    const tokenCallsBefore = oauth.stats().byPath['/oauth/token'] ?? 0;
    oauth.setFault({ kind: 'error-status', status: 503 }, { path: TOKEN, times: 1 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => userCall(grantId)));
    const statuses = answers.map((answer) => answer.status).sort();
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 200, 502]);
    assert.equal(refreshesAtCpfhub(), refreshesBefore + 1, 'one refresh reached CPFHub');
    // The failed one freed the lease, so a waiting caller retried at once: two token calls in all.
    assert.equal((oauth.stats().byPath['/oauth/token'] ?? 0) - tokenCallsBefore, 2);
  });

  test('CPFHub answers 401 to a token Secpass thought valid → one refresh, one retry; a second 401 → 502', {
    timeout: FAULT_TEST_TIMEOUT_MS,
  }, async () => {
    const unauthorised: FaultCase = {
      name: '401',
      fault: {
        kind: 'forge',
        answer: {
          status: 401,
          headers: { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Bearer error="invalid_token"' },
          body: '{"error":"invalid_token"}',
        },
      },
      path: CONTRIBUTIONS,
      failure: 'error_status',
    };
    const grantId = await newGrant();
    const refreshesBefore = refreshesAtCpfhub();
    const callsBefore = api.stats().byPath['/v1/contributions'] ?? 0;
    await expectUpstreamFailure(await withFault(api, unauthorised, () => userCall(grantId)), 'error_status');
    assert.equal((api.stats().byPath['/v1/contributions'] ?? 0) - callsBefore, 2, 'retried once');
    assert.equal(refreshesAtCpfhub(), refreshesBefore + 1, 'refreshed once');
    api.setFault(unauthorised.fault, { path: CONTRIBUTIONS, times: 1 });
    assert.equal((await userCall(grantId)).status, 200, 'a single 401 is survived');
  });
});

describe('revoking a grant behind a faulty network', () => {
  const cases = transportFaults('revoke', REVOKE).filter((c) => c.fault.kind !== 'slow');
  for (const fault of cases) {
    test(`${fault.name} → ${outcome(fault.failure)}; the grant is kept and a retry revokes it`, {
      timeout: FAULT_TEST_TIMEOUT_MS,
    }, async () => {
      const grantId = await newGrant();
      const response = await withFault(oauth, fault, () => revoke(grantId));
      await expectUpstreamFailure(response, fault.failure);
      // Even if CPFHub revoked (a dropped answer), RFC 7009 answers 200 again for a revoked token.
      const retried = await revoke(grantId);
      assert.equal(retried.status, 200);
      assert.deepEqual(await retried.json(), { status: 'revoked' });
      await expectError(await userCall(grantId), 403, 'unknown_grant');
    });
  }
});
