import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The demo's server-side sessions, as a real app keeps them: the browser holds only a random id
 * in an HttpOnly cookie; who logged in and the CPFHub grant id (a bearer secret of the app's)
 * stay on the server, in memory.
 */
export interface Login {
  uuid: string;
  loggedInAt: Date;
  expiresAt: Date;
}

interface Session {
  logins: Map<number, Login>;
  cpfhubGrants: Map<number, string>;
  lastSeen: number;
}

const COOKIE = 'demo_sid';
/** The app's own session lifetime, apart from the 5-minute life of the token that started it. */
export const SESSION_MINUTES = 30;
const SESSION_MS = SESSION_MINUTES * 60 * 1000;

const cookieOf = (req: IncomingMessage): string | undefined => {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, value] = part.trim().split('=');
    if (name === COOKIE && value) return value;
  }
  return undefined;
};

export class Sessions {
  readonly #sessions = new Map<string, Session>();

  #prune(now: number) {
    for (const [id, session] of this.#sessions)
      if (now - session.lastSeen > SESSION_MS) this.#sessions.delete(id);
  }

  /** The request's session, if it has a live one. */
  find(req: IncomingMessage): Session | undefined {
    const now = Date.now();
    this.#prune(now);
    const id = cookieOf(req);
    const session = id ? this.#sessions.get(id) : undefined;
    if (session) session.lastSeen = now;
    return session;
  }

  /** The request's session, or a new one whose cookie goes out with the response. */
  open(req: IncomingMessage, res: ServerResponse): Session {
    const found = this.find(req);
    if (found) return found;
    const id = randomBytes(32).toString('base64url');
    const session: Session = { logins: new Map(), cpfhubGrants: new Map(), lastSeen: Date.now() };
    this.#sessions.set(id, session);
    // No `Secure`: the demo serves http://127.0.0.1. An app on https adds it.
    res.setHeader(
      'Set-Cookie',
      `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_MS / 1000}`,
    );
    return session;
  }

  static newLogin(uuid: string): Login {
    const now = new Date();
    return { uuid, loggedInAt: now, expiresAt: new Date(now.getTime() + SESSION_MS) };
  }
}
