/**
 * The channel-agnostic brain: the core offers a ConversationService; a WhatsApp-channel
 * conversation gets the business's knowledge in its prompt and only that channel's tools, streams
 * text deltas and runs tool calls through the CRM's ports — no telephony involved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONVERSATIONS, type AnswerEvent } from '../../src-main/agent/conversation';
import type { AgentMessage, ChatDelta, ChatModel, ToolSpec } from '../../src-main/agent/ports';
import { startTestCore, type TestCore } from '../helpers/core';

let t: TestCore;
beforeAll(async () => {
  t = await startTestCore();
});
afterAll(() => t.stop());

/** A scripted model: round 1 asks for a call-back task, round 2 answers in two deltas. */
function scriptedModel() {
  const seen: Array<{ messages: AgentMessage[]; tools: ToolSpec[] }> = [];
  const model: ChatModel = {
    async *stream(req): AsyncIterable<ChatDelta> {
      seen.push({ messages: req.messages, tools: req.tools });
      if (seen.length === 1) {
        yield { type: 'text', text: 'רגע, ' };
        yield {
          type: 'tool_call',
          call: {
            id: 't1',
            name: 'create_callback_task',
            arguments: JSON.stringify({ reason: 'הצעת מחיר' }),
          },
        };
      } else {
        yield { type: 'text', text: 'בעל העסק ' };
        yield { type: 'text', text: 'יחזור אליך היום.' };
      }
    },
    complete: async () => '',
  };
  return { model, seen };
}

describe('ConversationService', () => {
  it('answers a WhatsApp message with the business knowledge and the channel’s tools', async () => {
    const { model, seen } = scriptedModel();
    const service = t.core.services.require(CONVERSATIONS);
    const conversation = service.start({
      ctx: { channel: 'whatsapp', callId: null, phone: '+972521112233', customerId: null },
      model,
    })!;
    const events: AnswerEvent[] = [];
    for await (const e of conversation.answer('אפשר שיחזרו אליי?', new AbortController().signal))
      events.push(e);

    expect(events).toEqual([
      { type: 'text', text: 'רגע, ' },
      { type: 'tool', name: 'create_callback_task', ok: true, fields: { callback_reason: 'הצעת מחיר' } },
      { type: 'text', text: 'בעל העסק ' },
      { type: 'text', text: 'יחזור אליך היום.' },
    ]);
    const tools = seen[0]!.tools.map((s) => s.name);
    expect(tools).toContain('create_callback_task');
    expect(tools).not.toContain('transfer_to_owner');
    expect(tools).not.toContain('end_call');
    expect(seen[0]!.messages[0]).toMatchObject({ role: 'system' });
    expect((seen[0]!.messages[0] as { content: string }).content).toContain(
      t.core.business.get().name.trim() || 'העסק',
    );
    expect(seen[0]!.messages.at(-1)).toEqual({ role: 'user', content: 'אפשר שיחזרו אליי?' });

    const tasks = await t.api('crm.tasks.list', { status: 'all' });
    expect(tasks.body.data.items.filter((x: { kind: string }) => x.kind === 'callback')).toHaveLength(1);
    const found = await t.api('crm.customers.list', { q: '052-1112233' });
    expect(found.body.data.items).toHaveLength(1);
  });

  it('has no conversation without a model', () => {
    const service = t.core.services.require(CONVERSATIONS);
    expect(
      service.start({
        ctx: { channel: 'whatsapp', callId: null, phone: null, customerId: null },
      }),
    ).toBeNull();
  });
});
