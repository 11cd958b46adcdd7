import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import nodemailer, { type Transporter } from 'nodemailer';
import { newId } from '../security/crypto';

export interface MailMessage {
  /** Always the address stored on the account, never one taken from the request. */
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/** SMTP through nodemailer (any relay: SES, SendGrid, Postfix…). */
export function smtpMailer(url: string, from: string): Mailer {
  const transport: Transporter = nodemailer.createTransport(url, { from });
  return {
    async send(message) {
      // Content is ours, but keep nodemailer from ever reading files or URLs named in it.
      await transport.sendMail({ ...message, from, disableFileAccess: true, disableUrlAccess: true });
    },
    close() {
      transport.close();
    },
  };
}

/**
 * Without SMTP_URL, each message is written to `<dir>/<time>-<id>.json` (mode 0600), so development and a
 * first deployment work without a relay. The log names the file but never holds the body: a reset link in a
 * log line is an account takeover for anyone who reads logs.
 */
export function outboxMailer(dir: string, from: string, log: FastifyBaseLogger): Mailer {
  return {
    async send(message) {
      await mkdir(dir, { recursive: true });
      const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${newId()}.json`);
      await writeFile(file, JSON.stringify({ from, ...message }, null, 2), { mode: 0o600 });
      log.info(
        { to: message.to, subject: message.subject, file },
        'mail written to the outbox (no SMTP_URL)',
      );
    },
    close() {
      // Nothing held open.
    },
  };
}

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function layout(paragraphs: readonly string[], link?: { href: string; label: string }): string {
  const body = paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
  const button =
    link === undefined
      ? ''
      : `<p><a href="${escapeHtml(link.href)}" style="background:#1f6feb;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(link.label)}</a></p>`;
  return `<!doctype html><html><body style="font-family:system-ui,sans-serif;max-width:560px">${body}${button}<p style="color:#666">Pipdesk</p></body></html>`;
}

/** The emails the service sends, text and HTML. None ever contains a password. */
export const emails = {
  passwordReset(to: string, link: string, ttlMinutes: number): MailMessage {
    const lines = [
      'Someone asked to reset the password of your Pipdesk account.',
      `Open this link within ${ttlMinutes} minutes to choose a new password. It works once.`,
      'If it was not you, ignore this email: your password stays as it is.',
    ];
    return {
      to,
      subject: 'Reset your Pipdesk password',
      text: `${lines[0]}\n\n${lines[1]}\n${link}\n\n${lines[2]}\n`,
      html: layout(lines, { href: link, label: 'Choose a new password' }),
    };
  },
  passwordChanged(to: string, how: 'reset' | 'change'): MailMessage {
    const lines = [
      how === 'reset'
        ? 'The password of your Pipdesk account was reset, and every device was signed out.'
        : 'The password of your Pipdesk account was changed, and your other devices were signed out.',
      'If this was not you, reset your password now and check your two-factor settings.',
    ];
    return {
      to,
      subject: 'Your Pipdesk password was changed',
      text: `${lines.join('\n\n')}\n`,
      html: layout(lines),
    };
  },
  twoFactorChanged(to: string, enabled: boolean): MailMessage {
    const lines = [
      enabled
        ? 'Two-factor authentication was turned on for your Pipdesk account. Keep your recovery codes safe.'
        : 'Two-factor authentication was turned off for your Pipdesk account.',
      'If this was not you, reset your password now.',
    ];
    return {
      to,
      subject: enabled ? 'Two-factor authentication turned on' : 'Two-factor authentication turned off',
      text: `${lines.join('\n\n')}\n`,
      html: layout(lines),
    };
  },
} as const;
