import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import { ok, type Result } from '../../../../src-core/result';
import { ApiClient } from '../api/api-client';
import type { ApiError } from '../api/api-error';
import { AuthResult, Ok, User } from '../api/schemas';

/** Who is signed in, and a message to show on the sign-in page when the session ended on its own. */
export interface SessionState {
  readonly user: User | null;
  readonly notice: string | null;
}

export const sessionStore = createStore<SessionState>(() => ({ user: null, notice: null }));

/** The one API client of the page; its tokens live in its memory only (see api-client.ts). */
export const api = new ApiClient();
api.onSessionEnded = (reason) => {
  sessionStore.setState({ user: null, notice: reason });
};

export function useSession<T>(selector: (state: SessionState) => T): T {
  return useStore(sessionStore, selector);
}

function adopt(result: AuthResult): User {
  api.setTokens({ accessToken: result.tokens.access_token, refreshToken: result.tokens.refresh_token });
  sessionStore.setState({ user: result.user, notice: null });
  return result.user;
}

export async function signIn(
  email: string,
  password: string,
  totpCode?: string,
): Promise<Result<User, ApiError>> {
  const body = totpCode === undefined ? { email, password } : { email, password, totp_code: totpCode };
  const answer = await api.call('POST', '/auth/login', AuthResult, body);
  return answer.ok ? ok(adopt(answer.value)) : answer;
}

export async function register(email: string, password: string): Promise<Result<User, ApiError>> {
  const answer = await api.call('POST', '/auth/register', AuthResult, { email, password });
  return answer.ok ? ok(adopt(answer.value)) : answer;
}

/** Ends this session on the cloud too; the page forgets the tokens whatever the cloud answers. */
export async function signOut(): Promise<void> {
  const refreshToken = api.refreshToken;
  if (refreshToken !== null) await api.call('POST', '/auth/logout', Ok, { refresh_token: refreshToken });
  api.setTokens(null);
  sessionStore.setState({ user: null, notice: null });
}

/** Re-reads the user (after enabling 2FA, for instance). */
export async function reloadUser(): Promise<void> {
  const answer = await api.call('GET', '/auth/me', User);
  if (answer.ok) sessionStore.setState({ user: answer.value });
}

/** After a password change the cloud ends every session, this one included: sign out with a message. */
export function endSession(notice: string): void {
  api.setTokens(null);
  sessionStore.setState({ user: null, notice });
}
