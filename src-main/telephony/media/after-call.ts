/**
 * After a live call: the transcript, a short Hebrew summary with the extracted lead fields on the
 * call (and the caller's name on the customer), and a desktop notification for the owner.
 */
import { z } from 'zod';
import type { ChatModel } from '../../agent/ports';
import type { CustomerDirectory } from '../../core/ports';
import type { Logger } from '../../platform/logger';
import type { Notifier } from '../../platform/notifier';
import { TEST_CALL_ENGINE } from './app-audio';
import { formatPhone } from '../../platform/phone';
import type { CallRepository } from '../call-repository';
import type { MediaStreamSession } from './session';

const extracted = z.object({
  summary: z.string().max(1000).catch(''),
  name: z.string().max(120).nullish().catch(null),
  reason: z.string().max(300).nullish().catch(null),
  callback_requested: z.boolean().nullish().catch(null),
  urgency: z.enum(['low', 'normal', 'high']).nullish().catch(null),
});

const SUMMARY_PROMPT = [
  'סכם/י בעברית שיחת טלפון בין לקוח לנציג וירטואלי של העסק.',
  'החזר/י JSON בלבד: {"summary": "סיכום של 1-2 משפטים", "name": "שם הלקוח או null", "reason": "סיבת הפנייה או null",',
  '"callback_requested": true/false, "urgency": "low"|"normal"|"high"}',
].join('\n');

export interface AfterCallDeps {
  customers: Pick<CustomerDirectory, 'nameOf' | 'fillIn'>;
  calls: CallRepository;
  notifier: Notifier;
  log: Logger;
  model: () => ChatModel | null;
}

export function transcriptText(s: MediaStreamSession): string {
  return s.transcript.map((l) => `${l.who === 'agent' ? 'נציג' : 'לקוח'}: ${l.text}`).join('\n');
}

/**
 * Runs once per call, for the session whose `start` was accepted (it claimed the call's single-use
 * stream token; a refused session has no CallSid and never gets here), and never on a call that
 * after-call already finalized: a transcript or summary on the row is never rewritten.
 */
export async function afterCall(deps: AfterCallDeps, s: MediaStreamSession): Promise<void> {
  if (!s.callSid) return;
  const log = deps.log.child({ call_sid: s.callSid });
  const row = deps.calls.getBySid(s.callSid);
  if (!row) return;
  if (row.streamStartedAt == null || row.transcript != null || row.summary != null) {
    log.warn(
      { stream_started: row.streamStartedAt != null },
      'after-call skipped: the call has no accepted stream or is already finalized',
    );
    return;
  }
  const callerSpoke = s.transcript.some((l) => l.who === 'caller');
  const transcript = transcriptText(s);
  let fields: Record<string, unknown> = { ...s.fields };
  try {
    if (row.leadFields) fields = { ...(JSON.parse(row.leadFields) as Record<string, unknown>), ...fields };
  } catch {
    /* a damaged value is replaced */
  }
  deps.calls.update(s.callSid, {
    transcript: transcript || null,
    leadFields: Object.keys(fields).length ? JSON.stringify(fields) : null,
  });
  if (!callerSpoke) return;

  let summary = '';
  const model = deps.model();
  if (model) {
    try {
      const text = await model.complete({
        messages: [
          { role: 'system', content: SUMMARY_PROMPT },
          { role: 'user', content: transcript.slice(-12_000) },
        ],
        json: true,
        signal: AbortSignal.timeout(20_000),
      });
      const parsed = extracted.safeParse(JSON.parse(text));
      if (parsed.success) {
        summary = parsed.data.summary.trim();
        if (parsed.data.name && !fields.name) fields.name = parsed.data.name;
        if (parsed.data.reason && !fields.reason) fields.reason = parsed.data.reason;
        if (parsed.data.callback_requested != null)
          fields.callback_requested = parsed.data.callback_requested;
        if (parsed.data.urgency) fields.urgency = parsed.data.urgency;
      }
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'call summary failed; using the first caller line');
    }
  }
  if (!summary) {
    const first = s.transcript.find((l) => l.who === 'caller')?.text ?? '';
    summary = `הלקוח אמר: ${first}`.slice(0, 300);
  }
  deps.calls.update(s.callSid, {
    summary,
    leadFields: Object.keys(fields).length ? JSON.stringify(fields) : null,
  });

  const customerId = s.customerId ?? row.customerId;
  let name = typeof fields.name === 'string' ? fields.name : '';
  if (customerId != null) {
    const known = deps.customers.nameOf(customerId);
    if (known) name = known;
    else if (name) deps.customers.fillIn(customerId, { name });
  }
  // The owner made a test call themselves: the summary is kept, no notification about it.
  if (row.engine === TEST_CALL_ENGINE) return log.info('after-call done (test call, no notification)');
  deps.notifier.notify({
    title: `שיחה מ${name || formatPhone(row.fromNumber) || 'מספר לא מזוהה'}`,
    body: summary.slice(0, 200),
    route: `/calls/${row.id}`,
  });
  log.info({ summary_chars: summary.length, fields: Object.keys(fields) }, 'after-call done');
}
