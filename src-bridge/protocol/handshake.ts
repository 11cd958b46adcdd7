import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The cryptography of the protocol v2 handshake (docs/bridge-protocol.md, "Handshake"): both sides prove they
 * hold the pairing token by an HMAC-SHA256 over both nonces and the endpoint, so the token never crosses the
 * pipe. Distinct role labels stop a proof being reflected back, fresh nonces stop replay, and the endpoint stops
 * a relay between two pipe names.
 */

/** Who computes a proof. */
export type HandshakeRole = 'app' | 'ea';

/** The domain-separation prefix of every proof. */
const LABEL = 'pipdesk/2';

/** A pairing token: 64 lowercase hex characters (32 random bytes). */
export const TOKEN_PATTERN = /^[0-9a-f]{64}$/;

/** A nonce or a proof: 64 lowercase hex characters. */
const HEX64 = /^[0-9a-f]{64}$/;

/** A fresh nonce: 32 random bytes as 64 lowercase hex characters. */
export function generateNonce(): string {
  return randomBytes(32).toString('hex');
}

/**
 * The endpoint string both proofs cover: on Windows the pipe name after `\\.\pipe\` (e.g.
 * `pipdesk-1a2b3c4d5e6f7a8b`), elsewhere the socket path exactly as given.
 */
export function handshakeEndpoint(path: string): string {
  const prefix = '\\\\.\\pipe\\';
  return path.toLowerCase().startsWith(prefix) ? path.slice(prefix.length) : path;
}

/**
 * `hex(HMAC-SHA256(token, "pipdesk/2\n" + role + "\n" + endpoint + "\n" + eaNonce + "\n" + appNonce))`. The key
 * is the token's 64 ASCII characters as bytes (64 bytes, the SHA-256 block size: no key hashing happens).
 */
export function handshakeProof(
  token: string,
  role: HandshakeRole,
  endpoint: string,
  eaNonce: string,
  appNonce: string,
): string {
  return createHmac('sha256', Buffer.from(token, 'ascii'))
    .update(`${LABEL}\n${role}\n${endpoint}\n${eaNonce}\n${appNonce}`, 'utf8')
    .digest('hex');
}

/** Compares a presented proof with the expected one in constant time; false for anything not 64 hex. */
export function proofsEqual(presented: string, expected: string): boolean {
  if (!HEX64.test(presented) || !HEX64.test(expected)) return false;
  return timingSafeEqual(Buffer.from(presented, 'ascii'), Buffer.from(expected, 'ascii'));
}
