import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CPFHUB_EMPLOYEES,
  CPFHUB_SCOPES,
  type CpfhubSimulator,
  startCpfhubSimulator,
} from '../src/cpfhub/index.ts';

/**
 * Drives the CPFHub simulator as a payroll backend (API key) and as an OAuth client (code with
 * PKCE, refresh, revoke) would, building every request by hand from the RFCs rather than with
 * Secpass's client, and checks the figures against CPF's published rates.
 */
const FULL_KEY = 'ak_full_0123456789abcdef';
const READ_KEY = 'ak_read_0123456789abcdef';
const CLIENT_ID = 'secpass-test';
// Characters that must be form-encoded inside HTTP Basic (RFC 6749 §2.3.1).
const CLIENT_SECRET = 'se:cr+et/with spaces&more';
const REDIRECT = 'https://app.example/cpfhub/callback';
const OTHER_REDIRECT = 'https://app.example/cpfhub/other';
const NARROW_ID = 'narrow-client';
const NARROW_SECRET = 'narrow-secret';
const NARROW_REDIRECT = 'https://narrow.example/cb';
const READ_SCOPES = 'cpf_contribution:read cpf_statement:read';

const citizen = CPFHUB_EMPLOYEES.find((e) => e.userId === 'S9812381D');
const foreigner = CPFHUB_EMPLOYEES.find((e) => !e.cpfApplicable);

let sim: CpfhubSimulator;
/** Access tokens live 1 s here, for the expiry test. */
let quick: CpfhubSimulator;

const options = (accessTokenSeconds?: number) => ({
  port: 0,
  apiKeys: [
    { key: FULL_KEY, scopes: [...CPFHUB_SCOPES] },
    { key: READ_KEY, scopes: ['cpf_contribution:read'] },
  ],
  clients: [
    {
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUris: [REDIRECT, OTHER_REDIRECT],
      scopes: [...CPFHUB_SCOPES],
    },
    {
      clientId: NARROW_ID,
      clientSecret: NARROW_SECRET,
      redirectUris: [NARROW_REDIRECT],
      scopes: ['cpf_statement:read'],
    },
  ],
  accessTokenSeconds,
});

before(async () => {
  sim = await startCpfhubSimulator(options());
  quick = await startCpfhubSimulator(options(1));
});
after(async () => {
  await sim?.stop();
  await quick?.stop();
});

// --- the API -------------------------------------------------------------------------------

const api = (path: string, token?: string, init: RequestInit = {}, on = sim) =>
  fetch(`${on.apiBaseUrl}${path}`, {
    ...init,
    headers: { ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }), ...init.headers },
  });

const postContributions = (body: unknown, token = FULL_KEY, contentType = 'application/json') =>
  api('/contributions', token, {
    method: 'POST',
    headers: { 'Content-Type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const expectError = async (response: Response, status: number, error: string) => {
  assert.equal(response.status, status, await response.clone().text());
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const body = (await response.json()) as { error: string; error_description: string };
  assert.equal(body.error, error);
  assert.equal(typeof body.error_description, 'string');
  return body;
};

interface Accounts {
  oa: number;
  sa: number;
  ma: number;
}
interface Entry {
  employeeId: string;
  nric: string;
  name: string;
  ordinaryWages: number;
  additionalWages: number;
  employerShare: number;
  employeeShare: number;
  total: number;
  allocation: Accounts;
  paidOn: string | null;
}
interface Contributions {
  year: number;
  month: number;
  employer: { uen: string; name: string };
  contributions: Entry[];
}
interface Statement {
  employeeId: string;
  nric: string;
  asOf: string;
  openingBalance: Accounts;
  months: (Omit<Entry, 'employeeId' | 'nric' | 'name'> & { month: number })[];
  totals: { total: number; employerShare: number; employeeShare: number; allocation: Accounts };
  interest: Accounts;
  closingBalance: Accounts;
}
interface Statements {
  year: number;
  statements: Statement[];
}

const contributions = async (query: string, token = FULL_KEY, on = sim): Promise<Contributions> => {
  const response = await api(`/contributions?${query}`, token, {}, on);
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as Contributions;
};

const statements = async (query: string, token = FULL_KEY): Promise<Statements> => {
  const response = await api(`/statements?${query}`, token);
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as Statements;
};

const cents = (dollars: number) => Math.round(dollars * 100);

/** Today's year and month in Singapore, where CPFHub keeps its calendar. */
const singaporeNow = () => {
  const local = new Date(Date.now() + 8 * 3_600_000);
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1 };
};

describe('API with an API key (the employer’s view)', () => {
  test('contributions for a month: every CPF member on the payroll, at 2025 rates', async () => {
    const data = await contributions('year=2025&month=4');
    assert.equal(data.year, 2025);
    assert.equal(data.month, 4);
    assert.deepEqual(data.employer, { uen: '201912345K', name: 'LIONCITY SOFTWARE PTE. LTD.' });
    assert.deepEqual(
      data.contributions.map((c) => c.employeeId),
      ['E001', 'E002', 'E005'],
      'foreigners have no CPF and are not listed',
    );
    const [young, aboveCeiling, older] = data.contributions;
    // Age 26, $5,200: 17% + 20%; OA 23%, SA 6%, MA 8%.
    assert.deepEqual(young, {
      employeeId: 'E001',
      nric: 'S9812381D',
      name: 'TAN HENG HUAT',
      ordinaryWages: 5200,
      additionalWages: 0,
      employerShare: 884,
      employeeShare: 1040,
      total: 1924,
      allocation: { oa: 1196, sa: 312, ma: 416 },
      paidOn: '2025-05-14',
    });
    // $8,900 is above the $7,400 ceiling: 37% of $7,400.
    assert.equal(aboveCeiling?.total, 2738);
    assert.equal(aboveCeiling?.employerShare, 1258);
    // Age 63: 12% + 11.5% of $6,100.
    assert.equal(older?.total, 1433.5);
    assert.equal(older?.employeeShare, 701.5);
    for (const c of data.contributions) {
      assert.equal(cents(c.employerShare) + cents(c.employeeShare), cents(c.total));
      assert.equal(cents(c.allocation.oa) + cents(c.allocation.sa) + cents(c.allocation.ma), cents(c.total));
    }
  });

  test('December’s bonus is additional wages; 2026 has its own ceiling and rates', async () => {
    const december = await contributions('year=2025&month=12');
    assert.deepEqual(
      december.contributions.map((c) => [c.employeeId, c.additionalWages, c.total]),
      [
        ['E001', 5200, 3848],
        ['E002', 8900, 6031],
        ['E005', 6100, 2867],
      ],
    );
    const { year } = singaporeNow();
    if (year >= 2026) {
      const january = await contributions('year=2026&month=1');
      // The 2026 ordinary-wage ceiling is $8,000.
      assert.equal(january.contributions.find((c) => c.employeeId === 'E002')?.total, 2960);
    }
  });

  test('months not begun have no contributions; this month’s are not paid yet', async () => {
    const { year, month } = singaporeNow();
    assert.deepEqual((await contributions(`year=${year + 1}&month=1`)).contributions, []);
    const current = await contributions(`year=${year}&month=${month}`);
    assert.ok(current.contributions.length >= 3);
    assert.ok(current.contributions.every((c) => c.paidOn === null));
    assert.deepEqual(
      (await contributions('year=2016&month=3')).contributions,
      [],
      'before the employer existed',
    );
  });

  test('statements: twelve months, totals, and balances that add up to the cent', async () => {
    const data = await statements('year=2024');
    assert.equal(data.year, 2024);
    assert.deepEqual(
      data.statements.map((s) => s.employeeId),
      ['E001', 'E002', 'E005'],
    );
    for (const s of data.statements) {
      assert.equal(s.asOf, '2024-12-31');
      assert.deepEqual(
        s.months.map((m) => m.month),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      );
      assert.equal(
        cents(s.totals.total),
        s.months.map((m) => cents(m.total)).reduce((a, b) => a + b),
      );
      for (const account of ['oa', 'sa', 'ma'] as const) {
        assert.ok(s.interest[account] > 0, `${s.employeeId} earned ${account} interest`);
        assert.equal(
          cents(s.closingBalance[account]),
          cents(s.openingBalance[account]) + cents(s.totals.allocation[account]) + cents(s.interest[account]),
          `${s.employeeId} ${account}`,
        );
      }
    }
    const next = await statements('year=2025');
    for (const s of next.statements) {
      const previous = data.statements.find((p) => p.employeeId === s.employeeId);
      assert.deepEqual(s.openingBalance, previous?.closingBalance, 'a year opens where the last one closed');
    }
  });

  test('the current year’s statement runs to this month; a future year has none', async () => {
    const { year, month } = singaporeNow();
    const current = await statements(`year=${year}`);
    for (const s of current.statements) {
      assert.equal(s.months.length, month);
      assert.equal(s.months.at(-1)?.paidOn, null);
      assert.deepEqual(s.interest, { oa: 0, sa: 0, ma: 0 }, 'credited on 31 December');
    }
    assert.deepEqual((await statements(`year=${year + 1}`)).statements, []);
  });

  test('no, unknown or malformed credentials → 401 invalid_token with WWW-Authenticate', async () => {
    for (const response of [
      await api('/contributions?year=2025&month=4'),
      await api('/contributions?year=2025&month=4', 'not-a-key'),
      await api('/contributions?year=2025&month=4', undefined, {
        headers: { Authorization: `Basic ${FULL_KEY}` },
      }),
      await api('/statements?year=2025', 'ak_full_0123456789abcde'),
    ]) {
      assert.equal(response.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
      await expectError(response, 401, 'invalid_token');
    }
  });

  test('a key without the scope → 403 insufficient_scope', async () => {
    assert.equal((await api('/contributions?year=2025&month=4', READ_KEY)).status, 200);
    const statementsCall = await api('/statements?year=2025', READ_KEY);
    assert.match(statementsCall.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
    await expectError(statementsCall, 403, 'insufficient_scope');
    await expectError(
      await postContributions(
        {
          year: 2025,
          month: 5,
          contributions: [{ employeeId: 'E001', ordinaryWages: 5200, additionalWages: 0 }],
        },
        READ_KEY,
      ),
      403,
      'insufficient_scope',
    );
  });

  test('missing, repeated, unexpected or malformed query parameters → 400', async () => {
    for (const query of [
      '',
      'year=2025',
      'month=4',
      'year=2025&month=13',
      'year=2025&month=0',
      'year=2025&month=four',
      'year=25&month=4',
      'year=2014&month=12',
      'year=2025&year=2025&month=4',
      'year=2025&month=4&employeeId=E001',
    ]) {
      await expectError(await api(`/contributions?${query}`, FULL_KEY), 400, 'invalid_request');
    }
    await expectError(await api('/statements?year=2014', FULL_KEY), 400, 'invalid_request');
    await expectError(await api('/statements?year=2025&month=4', FULL_KEY), 400, 'invalid_request');
  });

  test('unknown paths → 404 and wrong methods → 405, in JSON', async () => {
    await expectError(await api('/employees', FULL_KEY), 404, 'not_found');
    await expectError(await api('/contributions/2025', FULL_KEY), 404, 'not_found');
    await expectError(await fetch(`${sim.url}/admin`), 404, 'not_found');
    const wrong = await api('/statements?year=2025', FULL_KEY, { method: 'DELETE' });
    assert.equal(wrong.headers.get('allow'), 'GET');
    await expectError(wrong, 405, 'method_not_allowed');
    await expectError(await fetch(`${sim.oauthBaseUrl}/token`), 405, 'method_not_allowed');
  });

  test('POST contributions: a valid submission is received and totalled', async () => {
    const response = await postContributions({
      year: 2025,
      month: 5,
      contributions: [
        { employeeId: 'E001', ordinaryWages: 5200, additionalWages: 0 },
        { employeeId: 'E002', ordinaryWages: 8900, additionalWages: 1000.5 },
      ],
    });
    assert.equal(response.status, 201);
    const body = (await response.json()) as Record<string, unknown>;
    assert.match(String(body.submissionId), /^SUB-202505-[0-9A-F]{12}$/);
    // 1,924 + 37% of (7,400 + 1,000.50) = 1,924 + 3,108.19.
    assert.deepEqual(
      { ...body, submissionId: undefined },
      { submissionId: undefined, status: 'received', count: 2, totalContributions: 5032.19 },
    );
  });

  test('POST contributions: anything not exactly right → 400 invalid_request', async () => {
    const line = { employeeId: 'E001', ordinaryWages: 5200, additionalWages: 0 };
    const { year, month } = singaporeNow();
    for (const body of [
      { year: 2025, month: 5, contributions: [{ ...line, employeeId: 'E999' }] },
      { year: 2025, month: 5, contributions: [{ ...line, ordinaryWages: -1 }] },
      { year: 2025, month: 5, contributions: [{ ...line, ordinaryWages: '5200' }] },
      { year: 2025, month: 5, contributions: [{ ...line, additionalWages: 0.001 }] },
      { year: 2025, month: 5, contributions: [{ employeeId: 'E001', ordinaryWages: 5200 }] },
      { year: 2025, month: 5, contributions: [{ ...line, bonus: 1 }] },
      { year: 2025, month: 5, contributions: [{ ...line, employeeId: foreigner?.employeeId }] },
      { year: 2025, month: 5, contributions: [line, line] },
      { year: 2025, month: 5, contributions: [] },
      { year: 2025, month: 5, contributions: line },
      { year: '2025', month: 5, contributions: [line] },
      { year: 2025, month: 13, contributions: [line] },
      { year: 2014, month: 5, contributions: [line] },
      { year: year + 1, month, contributions: [line] },
      { year: 2025, month: 5, contributions: [line], note: 'x' },
      { year: 2019, month: 3, contributions: [line] },
      [line],
      '{"year": 2025,',
    ]) {
      await expectError(await postContributions(body), 400, 'invalid_request');
    }
    await expectError(
      await postContributions({ year: 2025, month: 5, contributions: [line] }, FULL_KEY, 'text/plain'),
      400,
      'invalid_request',
    );
  });

  test('rate limit: beyond it → 429 rate_limited with Retry-After, until lifted', async () => {
    sim.setRateLimit({ requests: 2, windowSeconds: 30 });
    try {
      assert.equal((await api('/contributions?year=2025&month=4', FULL_KEY)).status, 200);
      assert.equal((await api('/statements?year=2025', FULL_KEY)).status, 200);
      const limited = await api('/contributions?year=2025&month=4', FULL_KEY);
      const retryAfter = Number(limited.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 30, String(retryAfter));
      await expectError(limited, 429, 'rate_limited');
      await expectError(await api('/contributions?year=2025&month=4'), 429, 'rate_limited');
    } finally {
      sim.setRateLimit(undefined);
    }
    assert.equal((await api('/contributions?year=2025&month=4', FULL_KEY)).status, 200);
  });

  test('a fault replaces every API answer while set; OAuth is unaffected', async () => {
    const body = 'java.lang.NullPointerException at hub.internal.Db(secret-host:5432)';
    sim.setFault({ status: 500, body });
    try {
      for (const path of ['/contributions?year=2025&month=4', '/nowhere']) {
        const response = await api(path, FULL_KEY);
        assert.equal(response.status, 500);
        assert.equal(await response.text(), body);
      }
      const authorize = await fetch(authorizeUrl({ state: 's' }), {
        headers: { 'X-Custom-User': 'S9812381D' },
        redirect: 'manual',
      });
      assert.equal(authorize.status, 302);
    } finally {
      sim.setFault(undefined);
    }
    assert.equal((await api('/contributions?year=2025&month=4', FULL_KEY)).status, 200);
  });

  test('a response delay lets callers time out', async () => {
    sim.setResponseDelay(400);
    try {
      await assert.rejects(
        api('/contributions?year=2025&month=4', FULL_KEY, { signal: AbortSignal.timeout(100) }),
        { name: 'TimeoutError' },
      );
      const started = Date.now();
      assert.equal((await api('/statements?year=2025', FULL_KEY)).status, 200);
      assert.ok(Date.now() - started >= 390);
    } finally {
      sim.setResponseDelay(0);
    }
  });

  test('apiCalls counts every call to the API', async () => {
    const before = sim.stats().apiCalls;
    await api('/contributions?year=2025&month=4', FULL_KEY);
    await api('/statements?year=2025');
    await api('/nowhere', FULL_KEY);
    assert.equal(sim.stats().apiCalls, before + 3);
  });
});

// --- OAuth ---------------------------------------------------------------------------------

const newPkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

function authorizeUrl(params: Record<string, string | undefined> = {}, on = sim): string {
  const all: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT,
    scope: READ_SCOPES,
    state: randomBytes(8).toString('hex'),
    code_challenge: newPkce().challenge,
    code_challenge_method: 'S256',
    ...params,
  };
  const defined = Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined);
  return `${on.oauthBaseUrl}/authorize?${new URLSearchParams(defined)}`;
}

/** What a browser would be sent to, or undefined if the answer was not a redirect. */
const locationOf = (response: Response): URL | undefined => {
  const location = response.headers.get('location');
  return response.status === 302 && location ? new URL(location) : undefined;
};

interface Consented {
  code: string;
  state: string;
  verifier: string;
}

/** Headless consent: the X-Custom-User header stands for the user logging in and approving. */
const consent = async (
  user: string,
  { scope = READ_SCOPES, redirectUri = REDIRECT, on = sim } = {},
): Promise<Consented> => {
  const { verifier, challenge } = newPkce();
  const state = randomBytes(8).toString('hex');
  const response = await fetch(
    authorizeUrl({ scope, state, code_challenge: challenge, redirect_uri: redirectUri }, on),
    { headers: { 'X-Custom-User': user }, redirect: 'manual' },
  );
  const location = locationOf(response);
  assert.ok(location, `authorize answered ${response.status}`);
  assert.equal(`${location.origin}${location.pathname}`, redirectUri);
  assert.equal(location.searchParams.get('state'), state);
  const code = location.searchParams.get('code');
  assert.ok(code);
  return { code, state, verifier };
};

const basicAuth = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

type ClientAuth = 'basic' | 'form' | 'both' | 'none' | { id: string; secret: string };

const postForm = (
  endpoint: 'token' | 'revoke',
  form: Record<string, string>,
  auth: ClientAuth = 'basic',
  on = sim,
) => {
  const creds = typeof auth === 'object' ? auth : { id: CLIENT_ID, secret: CLIENT_SECRET };
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  const body = new URLSearchParams(form);
  if (auth === 'basic' || auth === 'both' || typeof auth === 'object') {
    headers.Authorization = basicAuth(creds.id, creds.secret);
  }
  if (auth === 'form' || auth === 'both') {
    body.set('client_id', creds.id);
    body.set('client_secret', creds.secret);
  }
  return fetch(`${on.oauthBaseUrl}/${endpoint}`, { method: 'POST', headers, body: body.toString() });
};

const exchange = (
  c: Consented,
  overrides: Record<string, string> = {},
  auth: ClientAuth = 'basic',
  on = sim,
) =>
  postForm(
    'token',
    {
      grant_type: 'authorization_code',
      code: c.code,
      redirect_uri: REDIRECT,
      code_verifier: c.verifier,
      ...overrides,
    },
    auth,
    on,
  );

interface TokenAnswer {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
  scope: string;
}

const tokensFrom = async (response: Response): Promise<TokenAnswer> => {
  assert.equal(response.status, 200, await response.clone().text());
  assert.equal(response.headers.get('cache-control'), 'no-store');
  return (await response.json()) as TokenAnswer;
};

const refresh = (
  refreshToken: string,
  extra: Record<string, string> = {},
  auth: ClientAuth = 'basic',
  on = sim,
) => postForm('token', { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra }, auth, on);

const revoke = (token: string, hint?: string) =>
  postForm('revoke', { token, ...(hint ? { token_type_hint: hint } : {}) });

describe('OAuth: a user’s consent, end to end', () => {
  test('authorize → code → token → the user’s own records → refresh → reuse refused → revoke', async () => {
    const before = sim.stats();
    const consented = await consent('S9812381D');
    const tokens = await tokensFrom(await exchange(consented));
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.expires_in, 300);
    assert.equal(tokens.scope, READ_SCOPES);
    assert.match(tokens.access_token, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(tokens.access_token, tokens.refresh_token);

    const mine = await contributions('year=2025&month=4', tokens.access_token);
    assert.deepEqual(
      mine.contributions.map((c) => c.nric),
      ['S9812381D'],
      'a user sees only their own records',
    );
    const employer = await contributions('year=2025&month=4', FULL_KEY);
    assert.deepEqual(mine.contributions[0], employer.contributions[0]);
    assert.deepEqual(
      (await statements('year=2024', tokens.access_token)).statements.map((s) => s.nric),
      ['S9812381D'],
    );
    await expectError(
      await postContributions(
        {
          year: 2025,
          month: 5,
          contributions: [{ employeeId: 'E001', ordinaryWages: 5200, additionalWages: 0 }],
        },
        tokens.access_token,
      ),
      403,
      'insufficient_scope',
    );

    const refreshed = await tokensFrom(await refresh(tokens.refresh_token));
    assert.notEqual(refreshed.access_token, tokens.access_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    assert.equal(refreshed.scope, READ_SCOPES);
    assert.equal((await api('/statements?year=2024', refreshed.access_token)).status, 200);

    // The old refresh token comes back: it leaked, so the whole grant goes.
    await expectError(await refresh(tokens.refresh_token), 400, 'invalid_grant');
    await expectError(await refresh(refreshed.refresh_token), 400, 'invalid_grant');
    await expectError(await api('/statements?year=2024', refreshed.access_token), 401, 'invalid_token');
    await expectError(await api('/statements?year=2024', tokens.access_token), 401, 'invalid_token');

    // A fresh grant, revoked by its refresh token: its access tokens go with it.
    const second = await tokensFrom(await exchange(await consent('S9812381D')));
    const revoked = await revoke(second.refresh_token, 'refresh_token');
    assert.equal(revoked.status, 200);
    await expectError(await api('/statements?year=2024', second.access_token), 401, 'invalid_token');
    await expectError(await refresh(second.refresh_token), 400, 'invalid_grant');
    assert.equal((await revoke('never-issued')).status, 200, 'RFC 7009: unknown tokens are not an error');

    const after = sim.stats();
    assert.equal(after.codeGrants, before.codeGrants + 2);
    assert.equal(after.refreshGrants, before.refreshGrants + 1);
    assert.equal(after.revocations, before.revocations + 2);
  });

  test('revoking an access token ends that token only', async () => {
    const tokens = await tokensFrom(await exchange(await consent('S9812379B')));
    assert.equal((await revoke(tokens.access_token)).status, 200);
    await expectError(await api('/statements?year=2024', tokens.access_token), 401, 'invalid_token');
    const refreshed = await tokensFrom(await refresh(tokens.refresh_token));
    assert.equal((await api('/statements?year=2024', refreshed.access_token)).status, 200);
  });

  test('a refresh may narrow the scope, never widen it', async () => {
    const tokens = await tokensFrom(await exchange(await consent('S9812381D')));
    const narrowed = await tokensFrom(await refresh(tokens.refresh_token, { scope: 'cpf_statement:read' }));
    assert.equal(narrowed.scope, 'cpf_statement:read');
    await expectError(
      await api('/contributions?year=2025&month=4', narrowed.access_token),
      403,
      'insufficient_scope',
    );
    // The refresh token keeps the original grant (RFC 6749 §6).
    const restored = await tokensFrom(await refresh(narrowed.refresh_token));
    assert.equal(restored.scope, READ_SCOPES);
    await expectError(
      await refresh(restored.refresh_token, { scope: 'cpf_contribution:write' }),
      400,
      'invalid_scope',
    );
  });

  test('a foreign worker can consent but has no CPF records', async () => {
    assert.ok(foreigner);
    const tokens = await tokensFrom(await exchange(await consent(foreigner.userId)));
    assert.deepEqual((await contributions('year=2025&month=4', tokens.access_token)).contributions, []);
    assert.deepEqual((await statements('year=2024', tokens.access_token)).statements, []);
  });

  test('access tokens expire after accessTokenSeconds; the refresh token still works', async () => {
    const consented = await consent('S9812381D', { on: quick });
    const tokens = await tokensFrom(await exchange(consented, {}, 'basic', quick));
    assert.equal(tokens.expires_in, 1);
    assert.equal((await api('/statements?year=2024', tokens.access_token, {}, quick)).status, 200);
    await sleep(1_100);
    const expired = await api('/statements?year=2024', tokens.access_token, {}, quick);
    const body = await expectError(expired, 401, 'invalid_token');
    assert.match(body.error_description, /expired/);
    const refreshed = await tokensFrom(await refresh(tokens.refresh_token, {}, 'basic', quick));
    assert.equal(
      (await contributions('year=2025&month=4', refreshed.access_token, quick)).contributions.length,
      1,
    );
  });
});

describe('OAuth: the token endpoint refuses', () => {
  test('a code_verifier that does not match the challenge, and spends the code', async () => {
    const consented = await consent('S9812381D');
    await expectError(await exchange(consented, { code_verifier: newPkce().verifier }), 400, 'invalid_grant');
    await expectError(await exchange(consented, { code_verifier: 'short' }), 400, 'invalid_grant');
    await expectError(await exchange(consented), 400, 'invalid_grant');
    await expectError(
      await exchange(await consent('S9812381D'), { code_verifier: '' }),
      400,
      'invalid_request',
    );
  });

  test('a code used twice, and revokes what the first use issued', async () => {
    const consented = await consent('S9812381D');
    const tokens = await tokensFrom(await exchange(consented));
    const replay = await expectError(await exchange(consented), 400, 'invalid_grant');
    assert.match(replay.error_description, /already been used/);
    await expectError(await api('/statements?year=2024', tokens.access_token), 401, 'invalid_token');
    await expectError(await refresh(tokens.refresh_token), 400, 'invalid_grant');
  });

  test('a redirect_uri other than the authorization request’s, even a registered one', async () => {
    const consented = await consent('S9812381D');
    await expectError(await exchange(consented, { redirect_uri: OTHER_REDIRECT }), 400, 'invalid_grant');
    const viaOther = await consent('S9812381D', { redirectUri: OTHER_REDIRECT });
    assert.equal((await exchange(viaOther, { redirect_uri: OTHER_REDIRECT })).status, 200);
  });

  test('another client’s code or refresh token', async () => {
    const narrow = { id: NARROW_ID, secret: NARROW_SECRET };
    await expectError(await exchange(await consent('S9812381D'), {}, narrow), 400, 'invalid_grant');
    const tokens = await tokensFrom(await exchange(await consent('S9812381D')));
    await expectError(await refresh(tokens.refresh_token, {}, narrow), 400, 'invalid_grant');
    assert.equal((await refresh(tokens.refresh_token)).status, 200, 'and the owner’s token still works');
  });

  test('client authentication: by form fields works; wrong, missing or doubled does not', async () => {
    assert.equal((await exchange(await consent('S9812381D'), {}, 'form')).status, 200);
    const wrong = await exchange(await consent('S9812381D'), {}, { id: CLIENT_ID, secret: 'wrong' });
    assert.equal(wrong.headers.get('www-authenticate'), 'Basic realm="CPFHub"');
    await expectError(wrong, 401, 'invalid_client');
    await expectError(await exchange(await consent('S9812381D'), {}, 'none'), 401, 'invalid_client');
    await expectError(
      await exchange(await consent('S9812381D'), {}, { id: 'nobody', secret: 'x' }),
      401,
      'invalid_client',
    );
    await expectError(await exchange(await consent('S9812381D'), {}, 'both'), 400, 'invalid_request');
    await expectError(await postForm('revoke', { token: 'x' }, 'none'), 401, 'invalid_client');
  });

  test('unknown grant types, missing parameters, and bodies that are not a form', async () => {
    await expectError(
      await postForm('token', { grant_type: 'client_credentials' }),
      400,
      'unsupported_grant_type',
    );
    await expectError(await postForm('token', {}), 400, 'invalid_request');
    await expectError(await postForm('token', { grant_type: 'authorization_code' }), 400, 'invalid_request');
    await expectError(await postForm('revoke', {}), 400, 'invalid_request');
    const json = await fetch(`${sim.oauthBaseUrl}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: basicAuth(CLIENT_ID, CLIENT_SECRET) },
      body: '{}',
    });
    await expectError(json, 400, 'invalid_request');
  });
});

describe('OAuth: the authorize endpoint', () => {
  const authorize = (params: Record<string, string | undefined>, user = 'S9812381D') =>
    fetch(authorizeUrl(params), { headers: { 'X-Custom-User': user }, redirect: 'manual' });

  test('an unknown client or an unregistered redirect_uri is a page, never a redirect', async () => {
    for (const params of [
      { client_id: 'nobody' },
      { redirect_uri: 'https://evil.example/cb' },
      { redirect_uri: `${REDIRECT}/` },
      { redirect_uri: `${REDIRECT}?x=1` },
      { redirect_uri: undefined },
      { client_id: NARROW_ID },
    ]) {
      const response = await authorize(params);
      assert.equal(response.status, 400, JSON.stringify(params));
      assert.equal(response.headers.get('location'), null);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(await response.text(), /cannot be processed/);
    }
  });

  test('other problems go back to the client as error and state', async () => {
    const cases: [Record<string, string | undefined>, string][] = [
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ response_type: undefined }, 'invalid_request'],
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ code_challenge_method: undefined }, 'invalid_request'],
      [{ code_challenge: undefined }, 'invalid_request'],
      [{ code_challenge: 'too-short' }, 'invalid_request'],
      [{ scope: undefined }, 'invalid_scope'],
      [{ scope: '' }, 'invalid_scope'],
      [{ scope: 'cpf_contribution:read  cpf_statement:read' }, 'invalid_scope'],
      [{ scope: 'user:profile:read' }, 'invalid_scope'],
      [
        { client_id: NARROW_ID, redirect_uri: NARROW_REDIRECT, scope: 'cpf_contribution:read' },
        'invalid_scope',
      ],
    ];
    for (const [params, error] of cases) {
      const location = locationOf(await authorize({ ...params, state: 'st-1' }));
      assert.ok(location, JSON.stringify(params));
      assert.equal(location.searchParams.get('error'), error, JSON.stringify(params));
      assert.equal(location.searchParams.get('state'), 'st-1');
      assert.equal(location.searchParams.get('code'), null);
    }
    const stateless = locationOf(await authorize({ state: undefined }));
    assert.equal(stateless?.searchParams.get('error'), 'invalid_request');
    assert.equal(stateless?.searchParams.get('code'), null);
  });

  test('an unknown X-Custom-User → 400', async () => {
    const response = await authorize({}, 'S0000000A');
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
  });

  test('without X-Custom-User: the consent page, then Approve or Deny', async () => {
    const { verifier, challenge } = newPkce();
    const page = await fetch(authorizeUrl({ state: 'page-state', code_challenge: challenge }), {
      redirect: 'manual',
    });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    assert.match(html, /cpf_contribution:read/);
    assert.match(html, /cpf_statement:read/);
    assert.doesNotMatch(html, /cpf_contribution:write/);
    for (const e of CPFHUB_EMPLOYEES) assert.ok(html.includes(e.name), e.name);
    assert.match(html, /<form action="\/oauth\/authorize" method="post">/);
    const handle = /name="consent" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(handle);

    const decide = (form: Record<string, string>) =>
      fetch(`${sim.oauthBaseUrl}/authorize`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
        redirect: 'manual',
      });
    assert.equal((await decide({ consent: handle, decision: 'approve', user: 'nobody' })).status, 400);
    const approved = locationOf(await decide({ consent: handle, decision: 'approve', user: 'S9812379B' }));
    assert.ok(approved);
    assert.equal(approved.searchParams.get('state'), 'page-state');
    const code = approved.searchParams.get('code') ?? '';
    const tokens = await tokensFrom(await exchange({ code, state: 'page-state', verifier }));
    assert.deepEqual(
      (await contributions('year=2025&month=4', tokens.access_token)).contributions.map((c) => c.nric),
      ['S9812379B'],
    );
    assert.equal(
      (await decide({ consent: handle, decision: 'approve', user: 'S9812379B' })).status,
      400,
      'single use',
    );

    const another = await (await fetch(authorizeUrl({ state: 'deny-state' }))).text();
    const denyHandle = /name="consent" value="([^"]+)"/.exec(another)?.[1] ?? '';
    const denied = locationOf(await decide({ consent: denyHandle, decision: 'deny' }));
    assert.equal(denied?.searchParams.get('error'), 'access_denied');
    assert.equal(denied?.searchParams.get('state'), 'deny-state');
    assert.equal(denied?.searchParams.get('code'), null);
  });
});

describe('the personas', () => {
  test('match MockPass’s NRICs, with foreigners marked as outside CPF', () => {
    assert.ok(citizen?.cpfApplicable);
    for (const id of ['S9812381D', 'S9812379B', 'F1612347K', 'G1612348Q']) {
      assert.ok(
        CPFHUB_EMPLOYEES.some((e) => e.userId === id),
        id,
      );
    }
    for (const e of CPFHUB_EMPLOYEES) assert.equal(e.cpfApplicable, /^[ST]/.test(e.userId), e.userId);
  });
});
