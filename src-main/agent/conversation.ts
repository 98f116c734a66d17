/**
 * The channel-agnostic brain. `ConversationService` starts a conversation on a channel with the
 * business's knowledge (the system prompt) and that channel's tools; a `Conversation` keeps the
 * history, streams the answer (text deltas, tool results, effects) with tool rounds, and records
 * what was actually said. Nothing here knows telephony: the phone session and, next, WhatsApp
 * auto-reply drive it; an effect (end call, transfer) is for the channel to carry out.
 */
import type { Business } from '../api/contract/business';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import { serviceKey } from '../core/registry';
import { isAbort, type AgentMessage, type ChatModel, type ToolCall } from './ports';
import { buildSystemPrompt } from './prompt';
import type { AgentToolbox, ToolContext, ToolEffect } from './tools';

export type AnswerEvent =
  | { type: 'text'; text: string }
  | { type: 'tool'; name: string; ok: boolean; fields?: Record<string, string> }
  | { type: 'effect'; effect: ToolEffect };

const MAX_TOOL_ROUNDS = 3;
const MAX_HISTORY = 40;

export class Conversation {
  readonly history: AgentMessage[] = [];

  constructor(
    private readonly deps: {
      model: ChatModel;
      toolbox: AgentToolbox;
      systemPrompt: () => string;
      ctx: ToolContext;
      log: Logger;
    },
  ) {}

  /**
   * The caller said something; streams the answer (text deltas, tool results, effects).
   * `beforeTools` is awaited before any tool runs (an answer started on a speculative transcript
   * acts only once the caller's turn is confirmed; aborted meanwhile, no tool runs).
   */
  async *answer(
    userText: string,
    signal: AbortSignal,
    opts: { beforeTools?: () => Promise<void> } = {},
  ): AsyncIterable<AnswerEvent> {
    this.history.push({ role: 'user', content: userText });
    const tools = this.deps.toolbox.specs(this.deps.ctx.channel);
    for (let round = 0; round < MAX_TOOL_ROUNDS; round++) {
      const messages: AgentMessage[] = [
        { role: 'system', content: this.deps.systemPrompt() },
        ...this.history.slice(-MAX_HISTORY),
      ];
      const calls: ToolCall[] = [];
      let text = '';
      for await (const d of this.deps.model.stream({ messages, tools, signal })) {
        if (signal.aborted) return;
        if (d.type === 'text') {
          text += d.text;
          yield d;
        } else calls.push(d.call);
      }
      if (calls.length === 0) return;
      if (opts.beforeTools) await opts.beforeTools();
      if (signal.aborted) return;
      // Text spoken before the tool calls is committed by the caller with commitSpoken().
      this.history.push({ role: 'assistant', content: text, toolCalls: calls });
      let effect: ToolEffect | undefined;
      for (const call of calls) {
        let outcome;
        try {
          outcome = await this.deps.toolbox.execute(call, this.deps.ctx);
        } catch (err) {
          if (isAbort(err)) throw err;
          this.deps.log.error({ err, tool: call.name }, 'tool failed');
          outcome = { ok: false, result: JSON.stringify({ error: 'internal error' }) };
        }
        this.deps.log.info({ tool: call.name, ok: outcome.ok }, 'tool call');
        this.history.push({ role: 'tool', toolCallId: call.id, content: outcome.result });
        yield {
          type: 'tool',
          name: call.name,
          ok: outcome.ok,
          ...(outcome.fields ? { fields: outcome.fields } : {}),
        };
        if (outcome.effect) effect = outcome.effect;
      }
      if (effect) {
        yield { type: 'effect', effect };
        return;
      }
    }
  }

  /** What the caller heard of the answer (all of it, or the heard part of an interrupted one). */
  commitSpoken(text: string, interrupted: boolean): void {
    const t = text.trim();
    if (!t) return;
    const last = this.history.at(-1);
    const content = interrupted ? `${t}… [הלקוח קטע את הדברים]` : t;
    if (last?.role === 'assistant' && !last.toolCalls?.length) last.content = content;
    else this.history.push({ role: 'assistant', content });
  }

  /** A caller line handled without the model (e.g. a goodbye). */
  noteUser(text: string): void {
    this.history.push({ role: 'user', content: text });
  }

  /** Forgets the last caller message and what followed (the caller went on talking). */
  rollbackLastUser(text: string): void {
    for (let i = this.history.length - 1; i >= 0; i--) {
      const m = this.history[i]!;
      if (m.role === 'user') {
        if (m.content === text) this.history.splice(i);
        return;
      }
    }
  }

  /** A line the session spoke by itself (greeting, filler). */
  noteAgentLine(text: string): void {
    this.history.push({ role: 'assistant', content: text });
  }
}

export interface ConversationServiceDeps {
  /** The configured chat model, or null when no key is set. */
  model: () => ChatModel | null;
  toolbox: AgentToolbox;
  business: () => Business;
  clock: Clock;
  log: Logger;
}

/** The brain as the core offers it to channels (`core.services.require(CONVERSATIONS)`). */
export const CONVERSATIONS = serviceKey<ConversationService>('agent.conversations');

export class ConversationService {
  constructor(private readonly deps: ConversationServiceDeps) {}

  /**
   * A new conversation on `ctx.channel` (its tools: the phone's include transfer and end call),
   * with the business's knowledge read fresh for every answer; null without a model.
   */
  start(o: {
    ctx: ToolContext;
    callerKnownName?: () => string | null;
    model?: ChatModel;
    /** The channel's logger (a call's carries its call id); else the service's. */
    log?: Logger;
  }): Conversation | null {
    const model = o.model ?? this.deps.model();
    if (!model) return null;
    return new Conversation({
      model,
      toolbox: this.deps.toolbox,
      systemPrompt: () =>
        buildSystemPrompt(this.deps.business(), {
          channel: o.ctx.channel,
          now: this.deps.clock.now(),
          callerKnownName: o.callerKnownName?.() ?? null,
        }),
      ctx: o.ctx,
      log: o.log ?? this.deps.log,
    });
  }
}
