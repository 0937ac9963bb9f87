import type { ClientIdSetting } from '../shared/adapters/env.ts';

/**
 * Each upstream registration's client id: not secret, so configuration. `-c <key>=<id>` sets it
 * and the stack hands it to every function as the named variable; the secrets need not hold it.
 * Singpass FAPI 2.0 client ids are per app, in the app's record, not here.
 */
export const CLIENT_IDS = {
  myinfoClientId: 'MYINFO_CLIENT_ID',
  myinfoBizClientId: 'MYINFOBIZ_CLIENT_ID',
  sgverifyClientId: 'SGVERIFY_CLIENT_ID',
  /** The legacy (NDI OIDC) Singpass registration's. */
  singpassClientId: 'SINGPASS_CLIENT_ID',
  /** Our CPFHub OAuth client's. */
  cpfhubClientId: 'CPFHUB_CLIENT_ID',
} as const satisfies Record<string, ClientIdSetting>;
export type ClientIdName = keyof typeof CLIENT_IDS;

/** What upstreams issue as client ids: printable, no spaces; anything else is a typo in a command line. */
const CLIENT_ID = /^[\x21-\x7e]{1,128}$/;

export const clientIdSettings = (
  ids: Partial<Record<ClientIdName, string>>,
): Partial<Record<ClientIdSetting, string>> =>
  Object.fromEntries(
    Object.entries(CLIENT_IDS).flatMap(([name, setting]) => {
      const id = ids[name as ClientIdName];
      if (id === undefined) return [];
      if (!CLIENT_ID.test(id)) throw new Error(`${name} must be printable with no spaces, got "${id}"`);
      return [[setting, id]];
    }),
  );
