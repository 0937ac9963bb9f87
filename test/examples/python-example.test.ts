import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { CompactEncrypt, compactDecrypt, importJWK } from 'jose';
import { type DemoApp, type LocalStack, startLocalStack } from '../../local/stack.ts';
import {
  myinfoConsent,
  myinfoToken,
  PERSONAS,
  postJson,
  singpassLogin,
  tokenQuery,
} from '../helpers/flows.ts';

/**
 * examples/python/secpass_example.py, run as an app's developer would run it, against the local
 * stack: the API calls, opening and verifying data tokens, verifying login tokens, and refusing
 * what is not bound to the app.
 */
const SCRIPT = new URL('../../examples/python/secpass_example.py', import.meta.url).pathname;

const INSTALL_HINT =
  'The Python example needs python3 with jwcrypto and requests: apt-get install -y python3-jwcrypto ' +
  'python3-requests (Debian/Ubuntu), or pip install jwcrypto requests; SECPASS_PYTHON names another interpreter.';

/**
 * The first interpreter that has both modules. Debian's packages go to /usr/bin/python3, which a
 * pyenv or venv python3 earlier on PATH does not see, hence the fallback. Missing: the test fails.
 */
const pythonWithModules = (() => {
  let found: string | undefined;
  return (): string => {
    if (found) return found;
    const candidates = [process.env.SECPASS_PYTHON, 'python3', '/usr/bin/python3'].filter(
      (candidate): candidate is string => Boolean(candidate),
    );
    found = candidates.find(
      (candidate) => spawnSync(candidate, ['-c', 'import jwcrypto, requests']).status === 0,
    );
    if (!found) throw new Error(INSTALL_HINT);
    return found;
  };
})();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const runExample = (args: string[], env: Record<string, string>, stdin = ''): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(pythonWithModules(), [SCRIPT, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 30_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });

let stack: LocalStack;
const app = (n: number): DemoApp => {
  const found = stack.apps[n];
  assert.ok(found, `demo app ${n + 1}`);
  return found;
};

/** The example's configuration for an app, through the environment as the README shows it. */
const configFor = (demo: DemoApp): Record<string, string> => ({
  SECPASS_URL: stack.gatewayUrl,
  SECPASS_APP_ID: demo.appId,
  SECPASS_API_KEY: demo.apiKey,
  SECPASS_PRIVATE_JWK: JSON.stringify(demo.privateJwk),
});

const succeeded = (run: Run): Record<string, unknown> => {
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Record<string, unknown>;
};

/** A Myinfo token sealed for `demo`, as its callback would exchange it. */
const myinfoTokenFor = async (demo: DemoApp): Promise<string> => {
  const { code, state } = await myinfoConsent(stack, demo, PERSONAS.citizen);
  const response = await myinfoToken(stack, demo.apiKey, tokenQuery(code, state));
  assert.equal(response.status, 200);
  return response.text();
};

test('python3 with jwcrypto and requests is installed (the Python example tests need it)', () => {
  assert.match(pythonWithModules(), /python/);
});

describe('the Python example against the local stack', () => {
  before(async () => {
    pythonWithModules();
    stack = await startLocalStack();
  });
  after(async () => {
    await stack?.stop();
  });

  test('it exchanges a Myinfo code, opens and verifies the token, and prints the person masked', async () => {
    const { code, state } = await myinfoConsent(stack, app(0), PERSONAS.citizen);
    const run = await runExample(['myinfo-token', code, state], configFor(app(0)));
    const printed = succeeded(run);
    const person = printed.person as Record<string, string>;
    assert.equal(person.uinfin, 'S****381D');
    assert.match(person.name ?? '', /^[A-Z]\*\*\*$/);
    assert.ok(!run.stdout.includes(PERSONAS.citizen.nric), 'never the whole NRIC');
    const jwks = (await (await fetch(stack.secpassJwksUrl)).json()) as { keys: { kid: string }[] };
    assert.equal(printed.kid, jwks.keys[0]?.kid);
    assert.equal((printed.expiresAt as number) - (printed.issuedAt as number), 300);
  });

  test('it starts a Myinfo consent: init answers where to send the person', async () => {
    const printed = succeeded(await runExample(['myinfo-init'], configFor(app(0))));
    const location = new URL(String(printed.location));
    assert.equal(location.searchParams.get('redirect_uri'), app(0).callbacks.myinfo);
  });

  test('it exchanges a Singpass code and verifies the login token', async () => {
    const { code, state } = await singpassLogin(stack, app(0), PERSONAS.citizen);
    const printed = succeeded(await runExample(['singpass-login', code, state], configFor(app(0))));
    assert.equal(printed.sub, `u=${PERSONAS.citizen.uuid}`);
    assert.equal(printed.aud, app(0).appId);
  });

  test('it refuses a login token issued to another app', async () => {
    const { code, state } = await singpassLogin(stack, app(0), PERSONAS.citizen);
    const answer = await postJson(stack, app(0).apiKey, '/oidc/singpass/userInfo', { authCode: code, state });
    const { token } = (await answer.json()) as { token: string };
    const run = await runExample(['verify-login-token', '-'], configFor(app(1)), token);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^refused: the token was sealed for another app/);
    succeeded(await runExample(['verify-login-token', '-'], configFor(app(0)), token));
  });

  test('it refuses a data token another app decrypted and re-sealed to it: aud names the first app', async () => {
    const token = await myinfoTokenFor(app(0));
    const { plaintext: jws } = await compactDecrypt(token, await importJWK(app(0).privateJwk, 'ECDH-ES'));
    const { d: _private, ...otherAppPublicJwk } = app(1).privateJwk;
    const resealed = await new CompactEncrypt(jws)
      .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM', cty: 'JWT' })
      .encrypt(await importJWK(otherAppPublicJwk, 'ECDH-ES'));

    const refused = await runExample(['open-token', '-'], configFor(app(1)), resealed);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^refused: the token was sealed for another app/);
    assert.equal(refused.stdout, '', 'nothing of the person is printed');
    // The original opens for the app it was sealed for, and for no other.
    succeeded(await runExample(['open-token', '-'], configFor(app(0)), token));
    const undecryptable = await runExample(['open-token', '-'], configFor(app(1)), token);
    assert.equal(undecryptable.code, 1);
    assert.match(undecryptable.stderr, /^refused: the token does not decrypt/);
  });

  test('it refuses a token from another Secpass (iss) and one whose algorithm is not pinned', async () => {
    const token = await myinfoTokenFor(app(0));
    const wrongIssuer = await runExample(
      ['open-token', '-'],
      { ...configFor(app(0)), SECPASS_ISSUER: 'https://another-secpass.example' },
      token,
    );
    assert.equal(wrongIssuer.code, 1);
    assert.match(wrongIssuer.stderr, /^refused: the token was not issued by this Secpass/);
    const { plaintext: jws } = await compactDecrypt(token, await importJWK(app(0).privateJwk, 'ECDH-ES'));
    const { d: _private, ...publicJwk } = app(0).privateJwk;
    const cbc = await new CompactEncrypt(jws)
      .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256CBC-HS512', cty: 'JWT' })
      .encrypt(await importJWK(publicJwk, 'ECDH-ES'));
    const refused = await runExample(['open-token', '-'], configFor(app(0)), cbc);
    assert.match(refused.stderr, /^refused: the token does not decrypt/);
  });

  test('bad usage exits 2 with a sentence: no private key to open a data token with', async () => {
    const { SECPASS_PRIVATE_JWK: _key, ...withoutKey } = configFor(app(0));
    const run = await runExample(['open-token', 'x'], withoutKey);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /needs your private key/);
  });
});
