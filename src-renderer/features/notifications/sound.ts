/**
 * Short generated beeps (WebAudio oscillators), so the app ships no audio files (docs/ui.md, "Notifications").
 * Hand-written because a beep is four WebAudio calls; a sound library would add weight for nothing.
 */
export type SoundKind = 'info' | 'alert';

/** Plays a beep; the notifier gets this as a port so tests can count what would sound. */
export type PlaySound = (kind: SoundKind) => void;

let context: AudioContext | null = null;

/** Two rising tones for news, three low ones for alarms (stop-out, margin call, link lost). */
const PATTERNS: Readonly<Record<SoundKind, readonly { hz: number; atSec: number }[]>> = {
  info: [
    { hz: 880, atSec: 0 },
    { hz: 1320, atSec: 0.12 },
  ],
  alert: [
    { hz: 440, atSec: 0 },
    { hz: 440, atSec: 0.2 },
    { hz: 330, atSec: 0.4 },
  ],
};

export const playBeep: PlaySound = (kind) => {
  if (typeof AudioContext === 'undefined') return;
  context ??= new AudioContext();
  const ctx = context;
  // A context made before any click starts suspended (autoplay policy); resuming is allowed after one.
  if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
  for (const { hz, atSec } of PATTERNS[kind]) {
    const start = ctx.currentTime + atSec;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = hz;
    // A quick fade in and out: a square on/off edge clicks.
    gain.gain.setValueAtTime(0, start);
    gain.gain.linearRampToValueAtTime(0.15, start + 0.01);
    gain.gain.linearRampToValueAtTime(0, start + 0.1);
    osc.connect(gain).connect(ctx.destination);
    osc.start(start);
    osc.stop(start + 0.11);
  }
};
