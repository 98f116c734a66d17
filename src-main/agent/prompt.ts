/**
 * The system prompt: who the agent is, how it speaks (short spoken Hebrew), and what it knows
 * about the business. Shared by the phone agent and WhatsApp auto-reply (channel differs).
 */
import type { Business } from '../api/contract/business';
import { hebrewWeekday, localDate, localParts } from './time';

export type Channel = 'phone' | 'whatsapp';

function section(title: string, body: string): string {
  const t = body.trim();
  return t ? `## ${title}\n${t}\n` : '';
}

export function buildSystemPrompt(
  b: Business,
  opts: { channel: Channel; now: number; callerKnownName?: string | null },
): string {
  const k = b.knowledge;
  const name = b.name.trim() || 'העסק';
  const p = localParts(opts.now);
  const time = `${p.hour}:${String(p.minute).padStart(2, '0')}`;
  const style =
    opts.channel === 'phone'
      ? [
          'את/ה מדבר/ת בטלפון: כל תשובה קצרה – משפט אחד או שניים, לכל היותר כ-30 מילים.',
          'בלי רשימות, בלי סימונים, בלי אימוג׳י ובלי קישורים. מספרים ושעות כתובים כך שנוח להקריא אותם.',
          'שאל/י שאלה אחת בכל פעם. פנה/י ללקוח בלשון רבים ניטרלית ("אתם").',
          'אם לא שמעת טוב – בקש/י לחזור בקצרה.',
        ]
      : ['את/ה עונה בוואטסאפ: תשובות קצרות וברורות, בלי רשימות ארוכות.'];
  return [
    `את/ה הנציג/ה הווירטואלי/ת של "${name}". עונה תמיד בעברית טבעית, חמה ועניינית.`,
    `היום יום ${hebrewWeekday(opts.now)}, ${localDate(opts.now)}, השעה ${time} (שעון ישראל).`,
    ...style,
    'אל תמציא/י מחירים, שעות או עובדות שאינם כתובים למטה. אם אין תשובה – הצע/י שבעל העסק יחזור ללקוח, וצור/י משימת חזרה (create_callback_task).',
    'כשהלקוח אומר את שמו או את סיבת הפנייה – שמור/י עם update_customer.',
    'לקביעת תור השתמש/י ב-book_appointment ואשר/י ללקוח את המועד שהתקבל.',
    'אם הלקוח מבקש לדבר עם בעל העסק או עם אדם – transfer_to_owner.',
    'כשהשיחה הסתיימה והלקוח נפרד – end_call.',
    opts.callerKnownName ? `הלקוח המתקשר מוכר: ${opts.callerKnownName}.` : '',
    '',
    '# מידע על העסק',
    section('שם', name),
    section('כתובת', [b.address, b.city].filter(Boolean).join(', ')),
    section('טלפון', b.phone),
    section('אתר', b.website),
    section('שעות פעילות', k.hours),
    section('שירותים', k.services),
    section('מחירים', k.prices),
    section('שאלות נפוצות', k.faq.map((f) => `ש: ${f.q}\nת: ${f.a}`).join('\n')),
    section('מידע נוסף', k.freeText),
  ]
    .filter((l) => l !== '')
    .join('\n');
}

/** Words the transcriber should expect: the business's name, services and FAQ terms. */
export function transcriptionPrompt(b: Business): string {
  const k = b.knowledge;
  const text = [b.name, b.city, k.services, k.prices].join(' ').replace(/\s+/g, ' ').trim();
  return `שיחת טלפון בעברית עם ${b.name || 'עסק'}. ${text}`.slice(0, 600);
}

/** The greeting: the owner's text, or a default from the business name. */
export function greetingText(b: Business): string {
  const custom = b.knowledge.greeting.trim();
  if (custom) return custom;
  return b.name.trim() ? `שלום, הגעתם ל${b.name.trim()}. איך אפשר לעזור?` : 'שלום, איך אפשר לעזור?';
}

export function goodbyeText(b: Business): string {
  return b.name.trim() ? `תודה שהתקשרתם ל${b.name.trim()}, יום טוב!` : 'תודה שהתקשרתם, יום טוב!';
}

/** Said to a live caller when the app is closing (the computer shuts down, the owner quits). */
export const SHUTDOWN_TEXT = 'המערכת נסגרת כעת לכמה דקות. אפשר להתקשר שוב בעוד מעט. תודה ולהתראות!';
export const UNAVAILABLE_TEXT = 'כרגע איני פנוי, אנא השאירו הודעה אחרי הצליל';
export const FILLER_TEXT = 'רק רגע, אני בודק.';
export const SORRY_TEXT = 'סליחה, לא הצלחתי לשמוע. אפשר לחזור על זה?';
export const TRANSFER_TEXT = 'אני מעביר אתכם עכשיו לבעל העסק, רק רגע.';
