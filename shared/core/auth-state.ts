import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';

interface StateBase {
  state: string;
  appId: string;
  /** Epoch seconds; also the TTL attribute, but TTL deletes late so every check compares it. */
  expiresAt: number;
  /** The exact redirect_uri sent to the upstream, which the token call must repeat. */
  redirectUri: string;
}

/** Myinfo and Myinfo Business: the attributes consented to, which the data call must repeat. */
type DataState = StateBase & { attributes: string };

/**
 * A Singpass FAPI 2.0 session: the PKCE verifier, the nonce and the DPoP key pair (private part
 * included) the PAR was made with. Removed from the store by the call that consumes the state.
 */
export interface FapiSession {
  /** The Singpass registration the PAR was made as; the code is redeemed as the same one. */
  clientId: string;
  codeVerifier: string;
  nonce: string;
  dpopKey: { privateJwk: JWK; publicJwk: JWK };
}

/** What an authorisation flow remembers between init and token, bound to one app. */
export type AuthState =
  | (DataState & { provider: 'myinfo'; fapi?: FapiSession })
  | (DataState & { provider: 'myinfobiz' })
  /** Singpass: the nonce the ID token must carry. */
  | (StateBase & { provider: 'singpass'; nonce: string; fapi?: FapiSession })
  /** CPFHub OAuth: the scope asked for and the PKCE verifier the code exchange must present. */
  | (StateBase & { provider: 'cpfhub'; scope: string; codeVerifier: string })
  /** SG-Verify: one QR code; redirectUri is Secpass's own callback. Not consumed by `consume`. */
  | (DataState & {
      provider: 'sgverify';
      qrType: 'static' | 'dynamic';
      kioskId?: string;
      scannedAt?: number;
    });

export type Provider = AuthState['provider'];
export type StateOf<P extends Provider> = Extract<AuthState, { provider: P }>;

export const newStateValue = (): string => randomBytes(32).toString('base64url');
