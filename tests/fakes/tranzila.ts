/**
 * A loopback Tranzila: the hosted payment page and the transaction report API, on their real
 * wire shapes.
 *   GET  /{terminal}/iframenew.php?sum=…&currency=1&…   the hosted page (HTML); remembers the link
 *   POST /v1/transaction                                 report API: the four X-tranzila-api-*
 *                                                        headers (HMAC-SHA256(key = secret + time +
 *                                                        nonce, data = app key)) and
 *                                                        {terminal_name, transaction_index}
 * `pay(link)` plays the payer: it makes a transaction (index, amount in agorot, response code)
 * and returns the form fields Tranzila POSTs to notify_url_address (every link parameter echoed,
 * plus Response, index, ConfirmationCode …).
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { closeServer, listenLoopback, readBody, sendJson } from './http';

export interface FakeTranzilaTransaction {
  index: number;
  terminal: string;
  amountAgorot: number;
  currency: string;
  responseCode: string;
  token: string | null;
}

export interface FakeTranzila {
  url: string;
  terminal: string;
  appKey: string;
  secret: string;
  transactions: Map<number, FakeTranzilaTransaction>;
  pageViews: URL[];
  reportRequests: Array<{ ok: boolean; body: unknown }>;
  /** The payer pays at the link; returns the notify fields. `code` ≠ '000' is a decline. */
  pay(link: string, opts?: { code?: string }): Record<string, string>;
  close(): Promise<void>;
}

export async function startFakeTranzila(
  opts: { terminal?: string; appKey?: string; secret?: string } = {},
): Promise<FakeTranzila> {
  const terminal = opts.terminal ?? 'fakeshop';
  const appKey = opts.appKey ?? 'tz-app-key-0123456789';
  const secret = opts.secret ?? 'tz-secret-abcdefghij';
  const transactions = new Map<number, FakeTranzilaTransaction>();
  const pageViews: URL[] = [];
  const reportRequests: Array<{ ok: boolean; body: unknown }> = [];
  let nextIndex = 1001;

  const server: Server = createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const raw = (await readBody(req)).toString('utf8');
    const page = /^\/([^/]+)\/iframenew\.php$/.exec(u.pathname);
    if (req.method === 'GET' && page) {
      pageViews.push(u);
      if (page[1] !== terminal) {
        res.writeHead(404, { 'content-type': 'text/html' });
        return res.end('<p>terminal not found</p>');
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(`<html dir="rtl"><body><h1>תשלום ${u.searchParams.get('sum')} ₪</h1></body></html>`);
    }
    if (req.method === 'POST' && u.pathname === '/v1/transaction') {
      const key = req.headers['x-tranzila-api-app-key'];
      const time = req.headers['x-tranzila-api-request-time'];
      const nonce = req.headers['x-tranzila-api-nonce'];
      const token = req.headers['x-tranzila-api-access-token'];
      const expected =
        typeof time === 'string' && typeof nonce === 'string'
          ? createHmac('sha256', secret + time + nonce)
              .update(appKey)
              .digest('hex')
          : '';
      const fresh = typeof time === 'string' && Math.abs(Date.now() / 1000 - Number(time)) < 300;
      let body: Record<string, unknown> | undefined;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        body = undefined;
      }
      const authOk =
        key === appKey && token === expected && fresh && typeof nonce === 'string' && nonce.length >= 40;
      reportRequests.push({ ok: authOk, body });
      if (!authOk) return sendJson(res, 401, { error_code: 20001, message: 'Unauthorized' });
      if (!body || body.terminal_name !== terminal) {
        return sendJson(res, 200, { error_code: 20004, message: 'terminal not found' });
      }
      const t = transactions.get(Number(body.transaction_index));
      const rows = t
        ? [
            {
              index: t.index,
              transaction_date: new Date().toISOString().slice(0, 10),
              amount: t.amountAgorot,
              currency: t.currency,
              processor_response_code: t.responseCode,
              transtatus: 0,
              txn_type: 'DEBIT',
              ...(t.token ? { al_token: t.token } : {}),
            },
          ]
        : [];
      return sendJson(res, 200, {
        error_code: 0,
        message: 'Success',
        total: rows.length,
        transactions: rows,
      });
    }
    sendJson(res, 404, { error_code: 404, message: 'not found' });
  });
  const url = await listenLoopback(server);

  return {
    url,
    terminal,
    appKey,
    secret,
    transactions,
    pageViews,
    reportRequests,
    pay(link, o = {}) {
      const u = new URL(link);
      const sum = u.searchParams.get('sum') ?? '0';
      const [whole, frac = ''] = sum.split('.');
      const t: FakeTranzilaTransaction = {
        index: nextIndex++,
        terminal: u.pathname.split('/')[1] ?? '',
        amountAgorot: Number(whole) * 100 + Number(frac.padEnd(2, '0')),
        currency: u.searchParams.get('currency') ?? '1',
        responseCode: o.code ?? '000',
        token: u.searchParams.get('al_token'),
      };
      transactions.set(t.index, t);
      return {
        ...Object.fromEntries(u.searchParams),
        Response: t.responseCode,
        index: String(t.index),
        ConfirmationCode: t.responseCode === '000' ? '0123456' : '0000000',
        Tempref: '01230001',
        ccno: '4580',
        cardtype: '2',
        cardissuer: '2',
        expmonth: '12',
        expyear: '29',
      };
    },
    close: () => closeServer(server),
  };
}
