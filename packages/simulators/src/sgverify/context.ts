import type { KeyObject } from 'node:crypto';
import type { AccessTokens } from '../access-token.ts';
import type { PkiSignVerifier } from '../pki-sign-verifier.ts';
import type { SingleUseStore } from '../single-use-store.ts';
import type { ScannedNonces } from './scanned-nonces.ts';

/** What the request handlers share: the one registered partner, our keys, and the flow's state. */
export interface SgVerifyGrant {
  clientId: string;
  /** The QR's callback, which the token call must repeat as redirect_uri. */
  redirectUri: string;
  state: string;
  /** The Singpass uuid of the person who scanned and consented. */
  uuid: string;
}

export interface SgVerifyContext {
  clientId: string;
  clientSecret: string;
  /** Verifies QR signatures and encrypts person data; the PKI_SIGN verifier holds the same key. */
  clientKey: KeyObject;
  signingKey: KeyObject;
  qrBaseUrl: string;
  allowedCallbackPrefixes: readonly string[];
  pki: PkiSignVerifier;
  tokens: AccessTokens;
  codes: SingleUseStore<SgVerifyGrant>;
  scannedNonces: ScannedNonces;
}
