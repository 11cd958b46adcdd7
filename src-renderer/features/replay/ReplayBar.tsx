import { useState, type ReactNode } from 'react';
import { REPLAY_SPEEDS } from '../../../src-core/contracts/ipc-replay';
import { useApp, useController, usePlaceError } from '../../store/use-app';
import { formatReplayTime, parseJumpInput, replayProgress, toJumpInput } from './replay-view';
import './replay.css';

/**
 * The replay bar under the status bar while a replay is open: play/pause, one step, speed, jump to a time, the
 * replay clock and how far it is, and Close (back to the account before). Every control is a plain button,
 * select or field, so Tab reaches them all (docs/replay.md).
 */
export function ReplayBar(): ReactNode {
  const replay = useApp((s) => s.replay);
  const controller = useController();
  const error = usePlaceError('replay');
  const isOpen = replay !== null && replay.state !== 'closed';
  if (!isOpen) return null;
  const isPlaying = replay.state === 'playing';
  const isEnded = replay.state === 'ended';
  const progress = replayProgress(replay);
  return (
    <section
      className="replay-bar"
      aria-label="Replay controls"
      data-testid="replay-bar"
      data-state={replay.state}
    >
      <span className="paper-mark replay" title={replay.file?.name ?? ''}>
        REPLAY
      </span>
      <span className="replay-name" title={replay.file?.name ?? ''} data-testid="replay-file">
        {replay.file?.name ?? ''}
      </span>
      <button
        type="button"
        className="btn small accent replay-play"
        data-testid="replay-play"
        disabled={isEnded}
        aria-label={isPlaying ? 'Pause the replay' : 'Play the replay'}
        onClick={() => {
          void controller.controlReplay({ kind: isPlaying ? 'pause' : 'play' });
        }}
      >
        {isPlaying ? '❚❚ Pause' : '▶ Play'}
      </button>
      <button
        type="button"
        className="btn small"
        data-testid="replay-step"
        disabled={isEnded}
        title="Play the next tick (pauses first)"
        onClick={() => {
          void controller.controlReplay({ kind: 'step' });
        }}
      >
        Step
      </button>
      <label className="replay-speed">
        <span className="figure-label">Speed</span>
        <select
          value={replay.speed}
          data-testid="replay-speed"
          aria-label="Replay speed"
          onChange={(e) => {
            void controller.controlReplay({ kind: 'speed', speed: Number(e.target.value) });
          }}
        >
          {REPLAY_SPEEDS.map((s) => (
            <option key={s} value={s}>
              {s}×
            </option>
          ))}
        </select>
      </label>
      <span className="replay-clock" data-testid="replay-time" title="Replay time, on the file's own clock">
        {formatReplayTime(replay.timeMs)}
      </span>
      <progress
        className="replay-progress"
        data-testid="replay-progress"
        aria-label="Replay progress"
        max={1000}
        value={Math.round(progress * 1000)}
        title={`${String(replay.ticksPlayed)} of ${String(replay.ticksTotal)} ticks · ends ${formatReplayTime(replay.endMs)}`}
      />
      {/* Keyed by file and start, so another replay's field starts at its own first time. */}
      <JumpForm key={`${replay.key ?? ''}|${String(replay.startMs)}`} startMs={replay.startMs} />
      {error === undefined ? null : (
        <span className="inline-error compact" role="alert" data-testid="replay-bar-error">
          {error}
        </span>
      )}
      <button
        type="button"
        className="btn small ghost replay-close"
        data-testid="replay-close"
        title="Stop the replay and trade the account you had before"
        onClick={() => {
          void controller.closeReplay();
        }}
      >
        Close replay
      </button>
    </section>
  );
}

/** The jump-to-time field: a date and time on the file's clock, sent when submitted (Enter or Jump). */
function JumpForm(props: { readonly startMs: number | null }): ReactNode {
  const controller = useController();
  const [jump, setJump] = useState(() => toJumpInput(props.startMs));
  const jumpMs = parseJumpInput(jump);
  return (
    <form
      className="replay-jump"
      onSubmit={(e) => {
        e.preventDefault();
        if (jumpMs !== null) void controller.controlReplay({ kind: 'jump', timeMs: jumpMs });
      }}
    >
      <input
        type="datetime-local"
        step={1}
        value={jump}
        aria-label="Jump to time (file's clock)"
        data-testid="replay-jump-input"
        onChange={(e) => {
          setJump(e.target.value);
        }}
      />
      <button type="submit" className="btn small" data-testid="replay-jump" disabled={jumpMs === null}>
        Jump
      </button>
    </form>
  );
}
