import type { JWK } from 'jose';

/** A demo app as the local stack registered it: what the demo server signs in and decrypts with. */
export interface DemoApp {
  appId: string;
  name: string;
  apiKey: string;
  privateJwk: JWK;
  callbacks: { myinfo: string; myinfobiz: string; singpass: string; cpfhub: string };
}
