/**
 * One answer of the pipeline: the streamed chat answer cut into clauses, each clause to TTS as
 * soon as it is complete (in parallel), the audio said in order on the answer's speech handle.
 * A held handle (a preemptive answer, a pending barge-in) keeps the audio until released.
 */
import type { Conversation } from '../../../agent/conversation';
import { isAbort, ProviderError } from '../../../agent/ports';
import { SentenceCutter, speakable } from '../../../agent/sentence-cutter';
import type { SpeechService } from '../../../agent/speech';
import type { ToolEffect } from '../../../agent/tools';
import type { SpeechHandle } from '../speech-handle';
import type { TurnStageMarks } from '../turn-record';

export interface AnswerRun {
  readonly callerText: string;
  readonly abort: AbortController;
  readonly handle: SpeechHandle;
  text: string;
  pieces: number;
  toolsRan: boolean;
  effect?: ToolEffect;
  errorCode?: string;
  marks: Pick<TurnStageMarks, 'llmStart' | 'llmFirstToken' | 'firstClause' | 'ttsFirstAudio'>;
  t: { nlp?: number; tts?: number };
  /** A pending barge-in: clauses wait here instead of going to TTS (none wasted if it is real). */
  ttsPaused: boolean;
  deferred: string[];
  /** Sends the deferred clauses to TTS. */
  resumeTts(): void;
  /**
   * A preemptive answer (started on a speculative transcript, its handle held): its text and audio
   * are prepared, but nothing plays and no tool runs until confirm() (the turn adopted it: the
   * held audio goes out at once) — a dropped one never acts.
   */
  readonly preemptive: boolean;
  confirm(): void;
  /** Settles when the model and every piece's TTS are done (rejects with a ProviderError). */
  done: Promise<'ok' | 'aborted'>;
}

export interface AnswerDeps {
  conversation: Conversation;
  speech: SpeechService;
  now: () => number;
  sequential: boolean;
  onTool(fields: Record<string, string> | undefined, run: AnswerRun): void;
}

export function startAnswer(
  deps: AnswerDeps,
  callerText: string,
  handle: SpeechHandle,
  opts: { preemptive?: boolean } = {},
): AnswerRun {
  let confirm: () => void = () => undefined;
  const confirmed = opts.preemptive ? new Promise<void>((resolve) => (confirm = resolve)) : Promise.resolve();
  const run: AnswerRun = {
    callerText,
    abort: new AbortController(),
    handle,
    text: '',
    pieces: 0,
    toolsRan: false,
    marks: {},
    t: {},
    ttsPaused: false,
    deferred: [],
    resumeTts: () => undefined,
    preemptive: opts.preemptive === true,
    confirm: () => {
      handle.release();
      confirm();
    },
    done: Promise.resolve('ok'),
  };
  run.abort.signal.addEventListener('abort', () => confirm(), { once: true });
  run.done = answer(deps, run, confirmed);
  run.done.catch(() => undefined);
  return run;
}

async function answer(deps: AnswerDeps, run: AnswerRun, confirmed: Promise<void>): Promise<'ok' | 'aborted'> {
  const signal = run.abort.signal;
  const cutter = new SentenceCutter();
  let chain: Promise<void> = Promise.resolve();
  const speakPiece = (raw: string) => {
    const say = speakable(raw);
    if (!say) return;
    if (run.ttsPaused) return void run.deferred.push(raw);
    const first = run.pieces++ === 0;
    if (first) run.marks.firstClause = deps.now();
    if (first && run.marks.llmStart != null)
      run.t.nlp = Math.round(run.marks.firstClause! - run.marks.llmStart);
    const tts = deps.speech.say(say, signal);
    tts.catch(() => undefined);
    chain = chain.then(async () => {
      const r = await tts.catch((err: unknown) => {
        if (isAbort(err)) return undefined;
        throw err;
      });
      if (!r || signal.aborted) return;
      if (first) run.t.tts = r.ms;
      if (first) run.marks.ttsFirstAudio = deps.now();
      if (r.error && !run.errorCode) run.errorCode = r.error;
      run.handle.say(r.audio, say);
    });
  };
  run.resumeTts = () => {
    run.ttsPaused = false;
    for (const p of run.deferred.splice(0)) speakPiece(p);
  };
  run.marks.llmStart = deps.now();
  try {
    const beforeTools = run.preemptive ? () => confirmed : undefined;
    for await (const ev of deps.conversation.answer(run.callerText, signal, { beforeTools })) {
      if (signal.aborted) return 'aborted';
      if (ev.type === 'text') {
        run.marks.llmFirstToken ??= deps.now();
        run.text += ev.text;
        if (!deps.sequential) for (const p of cutter.push(ev.text)) speakPiece(p);
      } else if (ev.type === 'tool') {
        run.toolsRan = true;
        deps.onTool(ev.fields, run);
      } else run.effect = ev.effect;
    }
  } catch (err) {
    if (signal.aborted) return 'aborted';
    throw new ProviderError('llm_failed', (err as Error).message, err);
  }
  if (deps.sequential) speakPiece(run.text);
  else for (const p of cutter.flush()) speakPiece(p);
  await chain;
  // Held by a barge-in at the end: done once released (or aborted).
  while (run.deferred.length || run.ttsPaused) {
    if (signal.aborted) return 'aborted';
    await new Promise<void>((resolve) => {
      const prev = run.resumeTts;
      run.resumeTts = () => {
        prev();
        resolve();
      };
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await chain;
  }
  return signal.aborted ? 'aborted' : 'ok';
}
