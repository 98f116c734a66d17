import { describe, expect, it } from 'vitest';
import { isGoodbye } from '../../src-main/agent/goodbye';
import { resolveGoogleCredentials } from '../../src-main/agent/google-tts';
import { SentenceCutter, speakable } from '../../src-main/agent/sentence-cutter';
import { fromLocal, localParts } from '../../src-main/agent/time';
import { parseWorkingHours } from '../../src-main/agent/calendar';
import { OutboundPlayer } from '../../src-main/telephony/media/player';
import { parseInbound } from '../../src-main/telephony/media/protocol';

function cutAll(chunks: string[]): string[] {
  const c = new SentenceCutter();
  return [...chunks.flatMap((x) => c.push(x)), ...c.flush()];
}

describe('sentence cutter', () => {
  it('cuts the first clause early, then whole sentences', () => {
    const text = 'בשמחה, אני אבדוק לכם את זה. המספרה פתוחה עד שש. רוצים לקבוע?';
    const pieces = cutAll(text.match(/.{1,3}/gsu)!);
    expect(pieces).toEqual(['בשמחה, אני אבדוק לכם את זה.', 'המספרה פתוחה עד שש.', 'רוצים לקבוע?']);
    expect(cutAll(['כן, בטח, אפשר לקבוע תור למחר בבוקר או אחר הצהריים. ', 'מה נוח?'])).toEqual([
      'כן, בטח, אפשר לקבוע תור למחר בבוקר או אחר הצהריים.',
      'מה נוח?',
    ]);
  });
  it('never cuts inside numbers, and cuts a long sentence at a clause', () => {
    expect(cutAll(['המחיר הוא 3.5 אלף, כלומר 3,500 ש"ח בסך הכול.'])).toEqual([
      'המחיר הוא 3.5 אלף,',
      'כלומר 3,500 ש"ח בסך הכול.',
    ]);
    const long = 'אנחנו עובדים עם ' + 'הרבה לקוחות '.repeat(12) + ', ולכן כדאי לקבוע מראש';
    const pieces = cutAll(['ראשון. ', long]);
    expect(pieces.length).toBeGreaterThanOrEqual(3);
  });
  it('makes text speakable', () => {
    expect(speakable('**שלום** 😀\n- אחד\n- שניים')).toBe('שלום אחד שניים');
  });
});

describe('goodbye detection', () => {
  it.each([
    ['תודה רבה, להתראות', true],
    ['ביי', true],
    ['יום טוב!', true],
    ['אוקיי תודה ביי ביי', true],
    ['להתראות, רק רגע, אני רוצה לשאול כמה עולה תספורת?', false],
    ['שלום, אני רוצה לקבוע תור', false],
    ['כמה עולה תספורת?', false],
  ])('%s → %s', (text, expected) => expect(isGoodbye(text)).toBe(expected));
});

describe('Google credentials', () => {
  const sa = {
    client_email: 'tts@proj.iam.gserviceaccount.com',
    private_key: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n',
    project_id: 'proj',
  };
  it('takes the Settings secret first, then raw or base64 JSON from env in the documented order', () => {
    expect(resolveGoogleCredentials({ GOOGLE_CLOUD_SERVICE_ACCOUNT_JSON: JSON.stringify(sa) })).toMatchObject(
      { from: 'GOOGLE_CLOUD_SERVICE_ACCOUNT_JSON' },
    );
    const b64 = Buffer.from(JSON.stringify(sa)).toString('base64');
    expect(resolveGoogleCredentials({ GOOGLE_CLOUD_SERVICE_ACCOUNT_JSON: b64 })).toMatchObject({
      kind: 'service_account',
      account: { project_id: 'proj' },
    });
    expect(
      resolveGoogleCredentials({
        GOOGLE_CLOUD_SERVICE_ACCOUNT_JSON: 'garbage',
        GOOGLE_TTS_SA_JSON: JSON.stringify(sa),
      }),
    ).toMatchObject({ from: 'GOOGLE_TTS_SA_JSON' });
    expect(
      resolveGoogleCredentials({
        GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/key.json',
        secret: JSON.stringify(sa),
      }),
    ).toMatchObject({ from: 'settings' });
    expect(resolveGoogleCredentials({ GOOGLE_APPLICATION_CREDENTIALS: __filename })).toMatchObject({
      kind: 'key_file',
    });
    const pasted = { ...sa, project_id: 'pasted-in-settings' };
    expect(
      resolveGoogleCredentials({
        GOOGLE_CLOUD_SERVICE_ACCOUNT_JSON: JSON.stringify(sa),
        GOOGLE_APPLICATION_CREDENTIALS: __filename,
        secret: JSON.stringify(pasted),
      }),
    ).toMatchObject({ from: 'settings', account: { project_id: 'pasted-in-settings' } });
    expect(resolveGoogleCredentials({})).toBeUndefined();
  });
});

describe('Jerusalem time and working hours', () => {
  it('converts wall time across DST', () => {
    const winter = fromLocal(2026, 1, 15, 10, 0);
    expect(new Date(winter).toISOString()).toBe('2026-01-15T08:00:00.000Z');
    const summer = fromLocal(2026, 7, 15, 10, 0);
    expect(new Date(summer).toISOString()).toBe('2026-07-15T07:00:00.000Z');
    expect(localParts(summer)).toMatchObject({ hour: 10, minute: 0, weekday: 3 });
  });
  it('parses hours text', () => {
    const h = parseWorkingHours("א'-ה' 08:30-17:00, ו' 08:00-12:00");
    expect(h.days[0]).toEqual([510, 1020]);
    expect(h.days[5]).toEqual([480, 720]);
    expect(h.days[6]).toBeNull();
  });
});

describe('Twilio media protocol', () => {
  it('accepts Twilio frames and rejects junk with a reason', () => {
    expect(parseInbound(JSON.stringify({ event: 'media', media: { payload: '/////w==' } })).ok).toBe(true);
    expect(parseInbound('nope')).toEqual({ ok: false, reason: 'not_json' });
    expect(parseInbound(JSON.stringify({ event: 'hello' }))).toEqual({ ok: false, reason: 'unknown_event' });
    expect(parseInbound(JSON.stringify({ event: 'media', media: { payload: 'a$b=' } }))).toEqual({
      ok: false,
      reason: 'bad_base64',
    });
    expect(
      parseInbound(JSON.stringify({ event: 'start', streamSid: 'MZ"injected', start: { callSid: 'CA1' } })),
    ).toEqual({ ok: false, reason: 'invalid_shape' });
  });
});

describe('outbound player', () => {
  it('keeps only a small lead ahead of playout, marks every ~200 ms, and clear forgets pending marks', async () => {
    let now = 0;
    const sent: string[] = [];
    const player = new OutboundPlayer(
      {
        media: () => sent.push('media'),
        mark: (n) => sent.push(`mark:${n}`),
        clear: () => sent.push('clear'),
      },
      () => now,
      {},
      { leadMs: 160, markEveryMs: 200, tickMs: 5 },
    );
    player.enqueue({ id: 'a', audio: Buffer.alloc(8000, 0x10), text: 'אחת שתיים שלוש' }); // 1 s
    expect(sent.filter((s) => s === 'media')).toHaveLength(8); // 160 ms lead, not the whole second
    now = 200;
    await new Promise((r) => setTimeout(r, 20));
    // 200 ms later the playhead had run dry (160 ms sent): playout restarts now, another 160 ms lead.
    expect(sent.filter((s) => s === 'media').length).toBe(16);
    const marks = sent.filter((s) => s.startsWith('mark:'));
    expect(marks).toHaveLength(1);
    player.handleMark('m1');
    expect(player.heard('a')!.ms).toBe(200);
    const cleared = player.clear();
    expect(sent.at(-1)).toBe('clear');
    expect(cleared[0]).toMatchObject({ id: 'a', heardMs: 200, totalMs: 1000 });
    expect(cleared[0]!.rest.length).toBe(8000 - 1600);
    player.handleMark('m2'); // echoed after clear: ignored
    expect(player.busy).toBe(false);
    player.close();
  });
});
