import * as z from 'zod/mini';
import { opaqueValue } from './request.ts';

/** `POST /oidc/singpass/authReqUri` body. */
export const AuthReqUriBody = z.object({ purpose: z.literal('login') });

/** `POST /oidc/singpass/userInfo` body. */
export const UserInfoBody = z.object({ authCode: opaqueValue(), state: opaqueValue() });
