/**
 * The pipeline's agent lines beside the answer: the filler said at the turn deadline, the sorry
 * line after a failed turn, and the lines a `clear` cut (the greeting, a filler, an interrupted
 * answer's rest) that a false interruption resumes where the caller stopped hearing them.
 */
import type { Conversation } from '../../../agent/conversation';
import { FILLER_TEXT, SORRY_TEXT } from '../../../agent/prompt';
import type { EngineHost } from '../engine';
import type { SpeechHandle } from '../speech-handle';
import type { TurnBook } from './turn-book';

/** The filler line for turn `id`, if it is still waiting when the line is ready. */
export function playFiller(host: EngineHost, book: TurnBook, id: number, stillWaiting: () => boolean): void {
  const t = book.get(id);
  void host.playLine(FILLER_TEXT, 'filler', (at: number) => void (t && book.firstAudio(t, at)), stillWaiting);
}

/** The sorry line for turn `id` (recorded on its row); `heard` once it played and the line is idle. */
export function playSorry(
  host: EngineHost,
  book: TurnBook,
  id: number,
  index: number | null,
  stillWanted: () => boolean,
  heard: () => void,
): void {
  const t = book.get(id);
  if (t) {
    t.sorry = SORRY_TEXT;
    t.index ??= index;
  }
  void host.playLine(SORRY_TEXT, 'sorry', undefined, stillWanted).then((played) => {
    if (played && !host.playerBusy()) heard();
  });
}

/** Lines cut by a clear that a false interruption may resume (until the next answer starts). */
export class ResumableLines {
  private handles: SpeechHandle[] = [];

  /** After a clear: every cut handle but `except` (the answer the barge-in is deciding on). */
  cut(host: EngineHost, except: SpeechHandle | undefined): void {
    this.handles = host.speaker.heldHandles().filter((h) => h !== except);
  }

  keep(h: SpeechHandle): void {
    this.handles.push(h);
  }

  /** A new answer starts: what was cut stays cut. */
  drop(): void {
    for (const h of this.handles.splice(0)) h.interrupt();
  }

  /** A false interruption: each cut line goes on; an answer's rest joins the conversation as said. */
  resume(host: EngineHost, conversation: Conversation): void {
    const handles = this.handles.splice(0);
    if (handles.length) host.log.info('false interruption: resuming');
    for (const h of handles) {
      const rest = h.pendingText();
      if (h.kind === 'answer' && rest) conversation.commitSpoken(rest, false);
      h.release();
    }
  }
}
