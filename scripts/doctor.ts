/**
 * `npm run doctor`: the golden-path checks against the RUNNING app (browser mode or Electron),
 * one ✅/❌ line each with a Hebrew hint; exit 1 when a check fails, 2 when the app cannot be
 * reached. The checks themselves run inside the app (`setup.doctor`), so they see its own
 * keys, public address and data — this script only asks and prints.
 *
 * Finding the app, first match wins:
 *   1. the URL `npm run serve` prints ("Open the app: http://127.0.0.1:5051/?token=…"), as the
 *      first argument or AGENTLOCATOR_URL;
 *   2. AGENTLOCATOR_LOCAL_TOKEN (the fixed token the app was started with) on 127.0.0.1:LOCAL_PORT
 *      (default 5051).
 */
const TIMEOUT_MS = Number(process.env.DOCTOR_TIMEOUT_MS ?? 90_000);

interface Check {
  id: string;
  ok: boolean;
  hint: string | null;
  detail: string | null;
  note: string | null;
}

const LABELS: Record<string, string> = {
  healthz: 'השרת עונה (/healthz)',
  readyz: 'השירותים מוכנים (/readyz)',
  incoming_call: 'שיחה נכנסת מקבלת את הסוכן (incoming_call → <Connect><Stream>)',
  stream_ended: 'נפילת קו עוברת להקלטה (stream_ended → <Record>)',
  media_turn: 'הסוכן עונה לדיבור בשיחה מדומה (turn_metrics)',
  recording: 'הודעה מוקלטת נכנסת לטיפול (handle_recording)',
  payments: 'תשלומים',
  public_url: 'הכתובת הציבורית מגיעה לאפליקציה מבחוץ',
  number: 'המספר ב-Twilio מכוון לכתובת הנוכחית',
  key_openai: 'מפתח OpenAI',
  key_google: 'חשבון Google (קול)',
  key_twilio: 'פרטי Twilio',
  key_ngrok: 'מפתח ngrok',
};

const NOTES: Record<string, string> = {
  'not built yet': 'עוד לא נבנו (אין מה לבדוק)',
  'payments are not built yet; the flags do nothing': 'עוד לא נבנו; ההפעלה בהגדרות לא עושה דבר',
  'not configured': 'לא הוגדר',
  'recording fallback is turned off': 'גיבוי ההקלטה כבוי',
};

function target(): { base: string; token: string } | undefined {
  const raw = process.argv[2] ?? process.env.AGENTLOCATOR_URL;
  if (raw) {
    const u = new URL(raw);
    const token = u.searchParams.get('token') ?? process.env.AGENTLOCATOR_LOCAL_TOKEN;
    return token ? { base: u.origin, token } : undefined;
  }
  const token = process.env.AGENTLOCATOR_LOCAL_TOKEN;
  if (!token) return undefined;
  return { base: `http://127.0.0.1:${process.env.LOCAL_PORT ?? '5051'}`, token };
}

async function main(): Promise<number> {
  const t = target();
  if (!t) {
    console.error(
      '❌ לא נמצאה אפליקציה פועלת. הריצו: npm run doctor -- "<הכתובת ש-npm run serve מדפיס>"\n' +
        '   (or set AGENTLOCATOR_URL, or AGENTLOCATOR_LOCAL_TOKEN with LOCAL_PORT)',
    );
    return 2;
  }
  let body: { data?: { ok: boolean; checks: Check[] }; error?: { message?: string } };
  try {
    const res = await fetch(`${t.base}/api/setup.doctor`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    body = (await res.json()) as typeof body;
    if (!res.ok || !body.data) throw new Error(`HTTP ${res.status}: ${body.error?.message ?? ''}`);
  } catch (err) {
    console.error(`❌ האפליקציה לא ענתה ב-${t.base} (${(err as Error).message})`);
    console.error('   ודאו שהאפליקציה פתוחה ושהכתובת והאסימון נכונים.');
    return 2;
  }
  for (const c of body.data.checks) {
    const label = LABELS[c.id] ?? c.id;
    const extra = c.note ? ` — ${NOTES[c.note] ?? c.note}` : '';
    console.log(`${c.ok ? '✅' : '❌'} ${label}${extra}`);
    if (!c.ok) {
      if (c.hint) console.log(`   ${c.hint}`);
      if (c.detail) console.log(`   (${c.detail})`);
    }
  }
  const failed = body.data.checks.filter((c) => !c.ok).length;
  console.log(failed ? `\n${failed} בדיקות נכשלו.` : '\nהכול תקין: הקו עונה.');
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
