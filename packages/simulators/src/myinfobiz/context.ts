import type { KeyObject } from 'node:crypto';
import type { AccessTokens } from '../access-token.ts';
import type { PkiSignVerifier } from '../pki-sign-verifier.ts';
import type { SingleUseStore } from '../single-use-store.ts';
import type { KnownAttribute } from './data-items.ts';

/** What the request handlers share: the one registered client, our keys, and the flow's state. */
export interface AuthoriseRequest {
  clientId: string;
  redirectUri: string;
  state: string;
  purpose: string;
  /** As the app asked, in its order, known or not (the consent page shows both). */
  requestedAttributes: readonly string[];
  /** What the user can consent to: the requested attributes the service knows. */
  attributes: readonly KnownAttribute[];
}

export interface AuthorisationGrant {
  clientId: string;
  redirectUri: string;
  state: string;
  attributes: readonly KnownAttribute[];
  /** "<UEN>_<UINFIN>" of the Corppass user who consented. */
  subject: string;
}

export interface SimulatorContext {
  clientId: string;
  clientSecret: string;
  /** Encrypts the data answer; the PKI_SIGN verifier holds the same key for signatures. */
  clientKey: KeyObject;
  signingKey: KeyObject;
  pki: PkiSignVerifier;
  tokens: AccessTokens;
  pendingConsents: SingleUseStore<AuthoriseRequest>;
  codes: SingleUseStore<AuthorisationGrant>;
}
