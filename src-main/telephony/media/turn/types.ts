/** The pipeline call's turn-taking: its state, events, effects (see reducer.ts). */

export type Floor = 'greeting' | 'listening' | 'thinking' | 'speaking' | 'ending' | 'ended';

/** The caller utterance being transcribed (`id` keys the engine's own record of it). */
export interface Utterance {
  id: number;
  speechEndAt: number;
}

/** The agent's answer to one caller turn. */
export interface Answer {
  id: number;
  /** The turn row's index (taken when the transcript had words; never rewound). */
  index: number;
  callerText: string;
  phase: 'thinking' | 'speaking';
  toolsRan: boolean;
  done: boolean;
  fillerPlayed: boolean;
  /** Barge-in pending: its audio was cleared and nothing more plays until released. */
  held: boolean;
}

export interface TurnState {
  floor: Floor;
  /** Utterance ids handed out. */
  ids: number;
  /** Turn indexes handed out. */
  indexes: number;
  /** The index of a turn the caller went on from, for the merged turn. */
  reserved: number | null;
  utterance: Utterance | null;
  answer: Answer | null;
  /** The caller's speech was confirmed while the agent talked (ms, monotonic); null when resolved. */
  bargeAt: number | null;
  /** That barge-in paused the line (nothing more is sent until it is resolved). */
  paused: boolean;
  /** Cleared agent audio that a false interruption may resume (until at + resumeWithinMs). */
  resumableAt: number | null;
  /** An answer started on a speculative transcript, not yet adopted. */
  preempt: { id: number; text: string } | null;
  /** A short reply said over the agent's closing question: answered when the question was heard. */
  reply: { id: number; text: string } | null;
  wastedPreempts: number;
  turnErrors: number;
}

export interface TurnConfig {
  resumeWithinMs: number;
  maxTurnErrors: number;
  preemptive: boolean;
}

export type TurnEvent =
  | { type: 'greeting'; at: number }
  | { type: 'confirmed'; at: number }
  /** Voiced audio of the current speech passed the interruption length while a barge-in is pending. */
  | { type: 'sustained'; at: number }
  /** The caller's speech over the agent stopped (a short silence) before it was an interruption. */
  | { type: 'burst_end'; at: number }
  | { type: 'resume'; at: number }
  | { type: 'noise'; at: number }
  | { type: 'utterance_end'; at: number; speechEndAt: number }
  | { type: 'speculative'; at: number; text: string }
  /** `agentAsking`: the agent is saying the last piece of an answer that ends with a question. */
  | { type: 'transcript'; at: number; id: number; text: string; agentAsking?: boolean }
  | { type: 'tool'; at: number; id: number }
  | { type: 'answer_done'; at: number; id: number; spoke: boolean; ending: 'end_call' | 'transfer' | null }
  | { type: 'answer_failed'; at: number; id: number; code: string }
  | { type: 'piece_started'; at: number; id: number }
  | { type: 'idle'; at: number }
  | { type: 'deadline'; at: number; id: number }
  /** The session ends the call; `cut`: the agent's current answer stops now (owner hang-up, transfer). */
  | { type: 'ending'; at: number; cut?: boolean }
  | { type: 'hangup'; at: number };

export type TurnEffect =
  | { type: 'transcribe'; id: number }
  | { type: 'arm_deadline'; id: number; speechEndAt: number }
  | { type: 'answer'; id: number; index: number; text: string; goodbye: boolean }
  /** Start an answer on a speculative transcript, held (nothing plays). */
  | { type: 'preempt'; id: number; text: string }
  /** The preemptive answer becomes turn `id`'s answer and is released. */
  | { type: 'adopt'; id: number; preemptId: number; index: number; text: string }
  | { type: 'drop_preempt'; id: number }
  | { type: 'clear' }
  /** Nothing more is sent to the caller until `unpause` (or a clear). */
  | { type: 'pause' }
  | { type: 'unpause' }
  | { type: 'release'; id: number }
  | { type: 'resume_cleared' }
  | { type: 'cancel'; id: number }
  /** The caller went on: utterance `id`'s audio goes in front of the next one. */
  | { type: 'merge'; id: number; rollback: string | null }
  | { type: 'speaking'; id: number }
  | { type: 'filler'; id: number }
  | { type: 'sorry'; id: number }
  | { type: 'complete'; id: number }
  | { type: 'record'; id: number; interrupted: boolean; errorCode?: string }
  | { type: 'end_call'; id: number; reason: 'goodbye' | 'agent_end_call' }
  | { type: 'transfer'; id: number }
  | { type: 'hand_over' };

export interface TurnIo {
  /** The player has agent audio queued or not yet heard. */
  busy: boolean;
}

export interface Reduced {
  state: TurnState;
  effects: TurnEffect[];
}
