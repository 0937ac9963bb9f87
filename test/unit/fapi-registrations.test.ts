import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MyinfoPersonSettings, SingpassSettings } from '../../shared/apps/app-record.ts';
import { UpstreamFailed } from '../../shared/core/errors.ts';

/** The settings an operator records for an app's Singpass FAPI 2.0 registrations, checked as they are configured. */
const CALLBACK = 'https://payroll.example/callback';
const CLIENT_ID = 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE';

const refusal = (parse: () => unknown): string => {
  try {
    parse();
  } catch (error) {
    return String(error);
  }
  assert.fail('the settings were accepted');
};

describe('the Login registration', () => {
  test('defaults its authentication context to APP_AUTHENTICATION_DEFAULT and its scopes to openid alone', () => {
    const settings = SingpassSettings.parse({
      callbackUrl: CALLBACK,
      profile: 'fapi2',
      fapi2: { clientId: CLIENT_ID },
    });
    assert.deepEqual(settings.fapi2, {
      clientId: CLIENT_ID,
      authenticationContextType: 'APP_AUTHENTICATION_DEFAULT',
      scopes: [],
    });
  });

  test('takes a published context type, a message of the allowed characters and Login scopes', () => {
    const settings = SingpassSettings.parse({
      callbackUrl: CALLBACK,
      profile: 'fapi2',
      fapi2: {
        clientId: CLIENT_ID,
        authenticationContextType: 'BANK_CASA_OPENING',
        authenticationContextMessage: "Open a savings account (it's quick!), ref A-1.",
        scopes: ['user.identity', 'name'],
      },
    });
    assert.equal(settings.fapi2?.authenticationContextType, 'BANK_CASA_OPENING');
  });

  for (const [what, fapi2] of [
    ['an unpublished context type', { clientId: CLIENT_ID, authenticationContextType: 'APP_LOGIN' }],
    ['a message over 100 characters', { clientId: CLIENT_ID, authenticationContextMessage: 'a'.repeat(101) }],
    [
      'a message with a character Singpass does not allow',
      { clientId: CLIENT_ID, authenticationContextMessage: 'Pay $5' },
    ],
    ['a Myinfo scope', { clientId: CLIENT_ID, scopes: ['uinfin'] }],
    ['a client id that is not 32 letters and digits', { clientId: 'secpass-fapi-local' }],
  ] as const) {
    test(`refuses ${what}`, () => {
      refusal(() => SingpassSettings.parse({ callbackUrl: CALLBACK, profile: 'fapi2', fapi2 }));
    });
  }

  test('refuses the fapi2 profile without the registration; legacy needs none', () => {
    assert.match(
      refusal(() => SingpassSettings.parse({ callbackUrl: CALLBACK, profile: 'fapi2' })),
      /fapi2/,
    );
    SingpassSettings.parse({ callbackUrl: CALLBACK, profile: 'legacy' });
    SingpassSettings.parse({ callbackUrl: CALLBACK });
  });
});

describe('the Myinfo registration', () => {
  const fapiMyinfo = (scopes: string[]) =>
    MyinfoPersonSettings.parse({
      callbackUrl: CALLBACK,
      profile: 'fapi2',
      fapi2: { clientId: CLIENT_ID, scopes },
    });

  test('takes catalog ids, dotted ones included, and needs no purpose or v3 attributes', () => {
    assert.deepEqual(fapiMyinfo(['uinfin', 'cpfbalances.oa', 'vehicles.make']).fapi2?.scopes, [
      'uinfin',
      'cpfbalances.oa',
      'vehicles.make',
    ]);
  });

  test('refuses a v3-only attribute, naming the catalog ids to use instead', () => {
    const message = refusal(() => fapiMyinfo(['uinfin', 'cpfbalances']));
    assert.match(message, /cpfbalances is a Myinfo v3 attribute/);
    assert.match(message, /cpfbalances\.oa, cpfbalances\.ma, cpfbalances\.sa, cpfbalances\.ra/);
    assert.match(
      refusal(() => fapiMyinfo(['edulevel'])),
      /edulevel is a Myinfo v3 attribute with no Myinfo v5 catalog id/,
    );
  });

  test('refuses what is no catalog id, and the catalog pages’ table headers', () => {
    for (const scope of ['openid', 'user.identity', 'id', 'description', 'UINFIN', 'name,sex']) {
      assert.match(
        refusal(() => fapiMyinfo([scope])),
        /not a Myinfo v5 catalog id/,
        scope,
      );
    }
    refusal(() => fapiMyinfo([]));
  });

  test('a legacy app keeps its v3 settings; a named profile must have its own', () => {
    const legacy = MyinfoPersonSettings.parse({
      callbackUrl: CALLBACK,
      attributes: ['uinfin', 'childrenbirthrecords.name'],
      purpose: 'Onboarding',
    });
    assert.deepEqual(legacy.attributes, ['uinfin', 'childrenbirthrecords.name']);
    refusal(() =>
      MyinfoPersonSettings.parse({
        callbackUrl: CALLBACK,
        profile: 'fapi2',
        attributes: ['uinfin'],
        purpose: 'x',
      }),
    );
    refusal(() =>
      MyinfoPersonSettings.parse({
        callbackUrl: CALLBACK,
        profile: 'legacy',
        fapi2: { clientId: CLIENT_ID, scopes: ['uinfin'] },
      }),
    );
    // Both held while the app moves over: either profile can be named.
    MyinfoPersonSettings.parse({
      callbackUrl: CALLBACK,
      profile: 'legacy',
      attributes: ['uinfin'],
      purpose: 'Onboarding',
      fapi2: { clientId: CLIENT_ID, scopes: ['uinfin'] },
    });
  });
});

describe("Singpass's refusal as the app and the log see it", () => {
  test('the OAuth error code is kept; the description is kept for the log with what could be personal masked', () => {
    const error = new UpstreamFailed('Singpass', 'error_status', {
      upstreamStatus: 400,
      refusal: {
        error: 'invalid_request',
        description: `state for S9812381D with token eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJlc2ln\u0007 failed`,
      },
    });
    assert.equal(error.refusal?.error, 'invalid_request');
    assert.equal(error.refusal?.description?.includes('S9812381D'), false);
    assert.equal(error.refusal?.description?.includes('eyJ'), false);
    assert.equal(error.refusal?.description?.includes('\u0007'), false);
    assert.match(error.refusal?.description ?? '', /^state for \[redacted\] with token \[redacted\]/);
  });

  test('an error value that is not an OAuth code is not passed on', () => {
    for (const value of ['<script>', 'Invalid Request', 'x'.repeat(65), '']) {
      assert.equal(
        new UpstreamFailed('Singpass', 'error_status', { upstreamStatus: 400, refusal: { error: value } })
          .refusal,
        undefined,
      );
    }
  });
});
