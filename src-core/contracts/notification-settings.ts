import { z } from 'zod';

/**
 * What the trader is told about, and how (docs/ui.md, "Notifications"). Each event has its own three switches:
 * a notice in the app, an OS notification, a short sound. Stored in the settings; a file written before these
 * existed reads as {@link DEFAULT_NOTIFICATION_SETTINGS}.
 */

/** The events that notify. */
export const NotificationEvent = z.enum(['fill', 'stopHit', 'stopOut', 'marginCall', 'linkLoss']);
export type NotificationEvent = z.infer<typeof NotificationEvent>;

/** The three ways one event can be told. */
export const NotificationChannels = z.object({
  isInApp: z.boolean(),
  isDesktop: z.boolean(),
  isSound: z.boolean(),
});
export type NotificationChannels = z.infer<typeof NotificationChannels>;

export const NotificationSettings = z.object({
  fill: NotificationChannels,
  stopHit: NotificationChannels,
  stopOut: NotificationChannels,
  marginCall: NotificationChannels,
  linkLoss: NotificationChannels,
});
export type NotificationSettings = z.infer<typeof NotificationSettings>;

const on = (isSound: boolean): NotificationChannels => ({ isInApp: true, isDesktop: true, isSound });

/** In-app and OS notifications on for everything; sounds only for what needs attention now. */
export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = {
  fill: on(false),
  stopHit: on(false),
  stopOut: on(true),
  marginCall: on(true),
  linkLoss: on(true),
};
