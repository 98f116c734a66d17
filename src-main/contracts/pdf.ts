/**
 * The signed contract as a Hebrew A4 PDF on the shared engine (src-main/pdf): the contract text,
 * the signature image in place with the signer's name and the date, and an audit certificate
 * page — signer, ID, time in UTC and Asia/Jerusalem, IP, user agent, the SHA-256 of the unsigned
 * text and the event history. The hash of the final PDF is recorded beside it (and in the audit
 * log), since a document cannot contain its own hash.
 */
import { PDFDocument, rgb, type PDFPage } from 'pdf-lib';
import { ltr } from '../pdf/bidi';
import { A4, BLACK, Typesetter, type TextStyle } from '../pdf/engine';
import type { ContractPdf } from './service';
import { toBlocks } from './templates';

const MARGIN = 48;
const MUTED = rgb(0.38, 0.4, 0.45);
const RULE = rgb(0.78, 0.8, 0.83);
const ACCENT = rgb(0.11, 0.27, 0.45);

const EVENT_NAMES: Record<string, string> = {
  'contract.created': 'ההסכם נוצר',
  'contract.edited': 'פרטי ההסכם עודכנו',
  'contract.sent': 'קישור לחתימה נשלח',
  'contract.viewed': 'ההסכם נפתח לקריאה',
  'contract.signed': 'ההסכם נחתם',
  'contract.voided': 'ההסכם בוטל',
};

const fmt = (ms: number, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  })
    .format(ms)
    .replace(',', '');

type SignedInput = Parameters<ContractPdf['signed']>[0];

export function contractPdf(engine: { fontsDir?: string } = {}): ContractPdf {
  /** The contract's pages; with `signed`, the signature in place and the certificate page. */
  const render = async (
    c: SignedInput['contract'],
    business: SignedInput['business'],
    signed: Pick<SignedInput, 'signaturePng' | 'unsignedSha256' | 'events'> | null,
    now: number,
  ) => {
    const doc = await PDFDocument.create({ updateMetadata: false });
    const ts = await Typesetter.create(doc, engine.fontsDir);
    const at = new Date(signed ? c.signed_at! : now);
    doc.setTitle(`${c.title} ${c.number ?? ''}`.trim());
    doc.setAuthor(business.name);
    doc.setCreator('AgentLocator');
    doc.setProducer('AgentLocator PDF');
    doc.setLanguage('he-IL');
    doc.setCreationDate(at);
    doc.setModificationDate(at);
    const sig = signed ? await doc.embedPng(signed.signaturePng) : null;

    const [pageW, pageH] = A4;
    const right = pageW - MARGIN;
    const width = pageW - 2 * MARGIN;
    let page!: PDFPage;
    let y = 0;
    const pages: PDFPage[] = [];
    const newPage = () => {
      page = doc.addPage(A4);
      pages.push(page);
      y = pageH - MARGIN;
    };
    const need = (h: number) => {
      if (y - h < MARGIN + 30) newPage();
    };
    const line = (
      text: string,
      style: TextStyle & { align?: 'right' | 'left' | 'center'; base?: 'rtl' | 'ltr' },
      lh: number,
    ) => {
      for (const l of ts.wrap(text, style, width)) {
        need(lh);
        ts.drawLine(page, l, {
          x: style.align === 'left' ? MARGIN : style.align === 'center' ? pageW / 2 : right,
          y,
          ...style,
        });
        y -= lh;
      }
    };

    newPage();
    ts.drawLine(page, business.name, { x: right, y, size: 10, weight: 'bold', color: ACCENT });
    if (!sig)
      ts.drawLine(page, 'טיוטה לעיון — לא נחתם', {
        x: pageW / 2,
        y,
        size: 10,
        color: MUTED,
        align: 'center',
      });
    ts.drawLine(page, ltr(c.number ?? ''), { x: MARGIN, y, size: 10, color: MUTED, align: 'left' });
    y -= 28;
    for (const b of toBlocks(c.body_rendered)) {
      if (b.kind === 'p') {
        // A paragraph flows in one weight: bold only when all of it is bold.
        const allBold = b.runs.every((r) => r.bold);
        line(b.runs.map((r) => r.text).join(''), { size: 11, weight: allBold ? 'bold' : 'regular' }, 17);
        y -= 6;
      } else {
        y -= 6;
        if (b.kind === 'h1') line(b.text, { size: 18, weight: 'bold', align: 'center' }, 26);
        else line(b.text, { size: 12.5, weight: 'bold' }, 19);
        if (b.kind === 'h1') y -= 8;
      }
    }

    if (!sig || !signed) {
      // A draft: where the signature will go, and nothing that vouches for anything.
      need(90);
      y -= 40;
      page.drawLine({ start: { x: right - 240, y }, end: { x: right, y }, thickness: 0.7, color: RULE });
      y -= 16;
      ts.drawLine(page, 'חתימת הלקוח', { x: right, y, size: 10.5, color: MUTED });
      numberPages(ts, pages, pageW);
      return doc.save({ useObjectStreams: false });
    }
    const { unsignedSha256, events } = signed;

    // The signature, in place under the text.
    const sigH = 70;
    const sigW = Math.min(220, (sig.width / sig.height) * sigH);
    need(sigH + 70);
    y -= 16;
    page.drawLine({
      start: { x: right - 240, y: y - sigH - 6 },
      end: { x: right, y: y - sigH - 6 },
      thickness: 0.7,
      color: RULE,
    });
    page.drawImage(sig, { x: right - sigW, y: y - sigH, width: sigW, height: sigH });
    y -= sigH + 20;
    ts.drawLine(
      page,
      `חתימת הלקוח: ${c.signer_name}${c.signer_id_number ? `, ת.ז. ${c.signer_id_number}` : ''}`,
      {
        x: right,
        y,
        size: 10.5,
      },
    );
    y -= 15;
    ts.drawLine(page, `תאריך החתימה: ${fmt(c.signed_at!, 'Asia/Jerusalem')} (שעון ישראל)`, {
      x: right,
      y,
      size: 10.5,
    });

    // The certificate page.
    newPage();
    line('תעודת חתימה ויומן ביקורת', { size: 17, weight: 'bold', align: 'center' }, 26);
    y -= 10;
    const row = (label: string, value: string, ltrValue = false, size = 10) => {
      need(18);
      ts.drawLine(page, `${label}:`, { x: right, y, size: 10, weight: 'bold' });
      const v = ltrValue ? ltr(value) : value;
      for (const l of ts.wrap(v, { size }, width - 150)) {
        need(15);
        ts.drawLine(page, l, { x: right - 150, y, size, base: ltrValue ? 'ltr' : 'rtl' });
        y -= 15;
      }
      y -= 3;
    };
    row('ההסכם', `${c.title} ${c.number ?? ''}`);
    row('העסק', `${business.name}${business.vatId ? `, עוסק ${business.vatId}` : ''}`);
    row('שם החותם', c.signer_name ?? '');
    if (c.signer_id_number) row('מספר זהות', c.signer_id_number, true);
    row('אופן החתימה', c.signed_via === 'remote' ? 'בקישור מרחוק' : 'במשרד, על המסך');
    row('מועד (UTC)', fmt(c.signed_at!, 'UTC'), true);
    row('מועד (ישראל)', fmt(c.signed_at!, 'Asia/Jerusalem'), true);
    row('כתובת IP', c.signer_ip ?? '—', true);
    row('דפדפן', c.signer_user_agent ?? '—', true);
    row('SHA-256 של נוסח ההסכם', unsignedSha256, true, 8);
    y -= 8;
    need(40);
    ts.drawLine(page, 'היסטוריית האירועים', { x: right, y, size: 12, weight: 'bold' });
    y -= 18;
    for (const e of events) {
      need(15);
      ts.drawLine(page, EVENT_NAMES[e.event] ?? e.event, { x: right, y, size: 9.5 });
      ts.drawLine(page, ltr(`${fmt(e.at, 'Asia/Jerusalem')}${e.ip ? `  ${e.ip}` : ''}`), {
        x: MARGIN,
        y,
        size: 9.5,
        align: 'left',
        color: BLACK,
      });
      y -= 15;
    }
    y -= 10;
    line(
      'הקובץ החתום נשמר יחד עם גיבוב SHA-256 שלו ביומן הביקורת של העסק, שבו כל אירוע קשור לקודמו; כל שינוי בקובץ או ביומן מתגלה בבדיקת האימות.',
      { size: 9, color: MUTED },
      13,
    );
    numberPages(ts, pages, pageW);
    return doc.save({ useObjectStreams: false });
  };
  return {
    signed: ({ contract, business, ...rest }) => render(contract, business, rest, contract.signed_at!),
    draft: ({ contract, business, now }) => render(contract, business, null, now),
  };
}

function numberPages(ts: Typesetter, pages: PDFPage[], pageW: number) {
  pages.forEach((p, i) =>
    ts.drawLine(p, `עמוד ${i + 1} מתוך ${pages.length}`, {
      x: pageW / 2,
      y: 26,
      size: 8.5,
      color: MUTED,
      align: 'center',
    }),
  );
}
