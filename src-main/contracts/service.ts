/**
 * The contract lifecycle: draft → sent → opened (viewed) → signed, or cancelled (void). Every
 * transition writes an audit event in the same transaction. A contract is made from one template
 * version and keeps its rendered text and the values it came from; once signed nothing about it
 * changes (the signed PDF and its hash are final, a merge only re-links the customer).
 *
 * Remote signing: a link token of 256 random bits, stored only as its SHA-256, expiring (default
 * 7 days), single use, with a bounded number of refused submissions.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { ApiError, badInput, notFound } from '../api/errors';
import type { Clock } from '../platform/clock';
import type { ContractAudit, ContractBusiness, ContractParties } from './ports';
import {
  checkTemplate,
  loadDefaultTemplates,
  renderTemplate,
  type FieldValues,
  type Placeholder,
  type Rendered,
  type TemplateCheck,
} from './templates';
import { validIsraeliId } from './text';

const BUSINESS_ID = 1;
export const LINK_DAYS_DEFAULT = 7;
export const MAX_LINK_ATTEMPTS = 10;
/** A signature PNG larger than this is not a signature. */
export const MAX_SIGNATURE_PNG_BYTES = 300_000;
export const MAX_SIGNATURE_STROKES_CHARS = 400_000;

export type ContractStatus = 'draft' | 'sent' | 'opened' | 'signed' | 'cancelled' | 'expired';

export interface ContractRow {
  id: number;
  number: string | null;
  customer_id: number;
  deal_id: number | null;
  template_id: number | null;
  template_version: number | null;
  title: string;
  body_rendered: string;
  field_values: string;
  requires_id_number: number;
  status: ContractStatus;
  unsigned_sha256: string | null;
  signed_pdf_path: string | null;
  signed_sha256: string | null;
  signer_name: string | null;
  signer_id_number: string | null;
  signer_ip: string | null;
  signer_user_agent: string | null;
  signed_at: number | null;
  signed_via: string | null;
  signature_png_path: string | null;
  token_expires_at: number | null;
  token_used_at: number | null;
  token_attempts: number;
  sent_at: number | null;
  viewed_at: number | null;
  voided_at: number | null;
  void_reason: string | null;
  created_at: number;
  updated_at: number;
}

export interface TemplateRow {
  id: number;
  name: string;
  version: number;
  body: string;
  active: number;
  template_key: string | null;
  requires_id_number: number;
  created_at: number;
}

export interface SignatureInput {
  name: string;
  idNumber?: string;
  consent: boolean;
  /** signature_pad `toData()`: strokes of points. */
  strokes: unknown;
  /** The drawn signature as a PNG data URL (image/png;base64). */
  png: string;
}

export interface SignerContext {
  via: 'in_office' | 'remote';
  ip: string | null;
  userAgent: string | null;
}

/** Renders the PDFs (contracts/pdf.ts). */
export interface ContractPdf {
  signed(input: {
    contract: ContractRow;
    business: ContractBusiness;
    signaturePng: Uint8Array;
    unsignedSha256: string;
    events: Array<{ event: string; at: number; actor: string; ip: string | null; userAgent: string | null }>;
  }): Promise<Uint8Array>;
  /** The contract as it will print, before it is signed (marked as a draft; no certificate). */
  draft(input: { contract: ContractRow; business: ContractBusiness; now: number }): Promise<Uint8Array>;
}

export interface ContractServiceDeps {
  sqlite: Database;
  clock: Clock;
  audit: ContractAudit;
  parties: ContractParties;
  business: () => ContractBusiness;
  pdf: ContractPdf;
  /** `<data>/files/contracts`. */
  contractsDir: string;
  resourcesDir: string;
  /** Called after any change (the renderer's live list). */
  changed?: (id: number) => void;
}

const sha256 = (b: string | Uint8Array) => createHash('sha256').update(b).digest('hex');
export const tokenHash = (token: string) => sha256(`agentlocator-sign:${token}`);

const dateIL = (ms: number) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Jerusalem',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  }).format(ms);
const amountIL = (agorot: number) =>
  `${(agorot / 100).toLocaleString('en-US', { minimumFractionDigits: agorot % 100 ? 2 : 0, maximumFractionDigits: 2 })} ₪`;

export class ContractService {
  constructor(private readonly d: ContractServiceDeps) {}

  private get db() {
    return this.d.sqlite;
  }

  /** The default templates, once, on an empty table. */
  seedTemplates(): void {
    const n = (this.db.prepare('select count(*) n from contract_templates').get() as { n: number }).n;
    if (n) return;
    const insert = this.db.prepare(
      `insert into contract_templates (business_id, name, version, body, active, template_key, requires_id_number, created_at)
       values (?, ?, 1, ?, 1, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const t of loadDefaultTemplates(this.d.resourcesDir)) {
        insert.run(BUSINESS_ID, t.name, t.body, t.key, t.requiresIdNumber ? 1 : 0, this.d.clock.now());
      }
    })();
  }

  /** The newest version of every active template. */
  templates(): TemplateRow[] {
    return this.db
      .prepare(
        `select t.* from contract_templates t
         where t.business_id = ? and t.active = 1 and t.version = (select max(version) from contract_templates u where u.business_id = t.business_id and u.name = t.name)
         order by t.name`,
      )
      .all(BUSINESS_ID) as TemplateRow[];
  }

  template(id: number): TemplateRow {
    const t = this.db
      .prepare('select * from contract_templates where id = ? and business_id = ?')
      .get(id, BUSINESS_ID) as TemplateRow | undefined;
    if (!t) throw notFound('template');
    return t;
  }

  /** Editing a template makes a new version; contracts keep the version they were made from. */
  saveTemplate(input: { id?: number; name: string; body: string; requiresIdNumber: boolean }): TemplateRow {
    const now = this.d.clock.now();
    return this.db.transaction(() => {
      const prev = input.id ? this.template(input.id) : undefined;
      const name = prev?.name ?? input.name;
      const version = prev
        ? (
            this.db
              .prepare('select max(version) v from contract_templates where business_id = ? and name = ?')
              .get(BUSINESS_ID, name) as { v: number }
          ).v + 1
        : 1;
      if (
        !prev &&
        this.db
          .prepare('select 1 from contract_templates where business_id = ? and name = ?')
          .get(BUSINESS_ID, name)
      ) {
        throw new ApiError('conflict', 'a template with this name exists');
      }
      const r = this.db
        .prepare(
          `insert into contract_templates (business_id, name, version, body, active, template_key, requires_id_number, created_at)
           values (?, ?, ?, ?, 1, ?, ?, ?)`,
        )
        .run(
          BUSINESS_ID,
          name,
          version,
          input.body,
          prev?.template_key ?? null,
          input.requiresIdNumber ? 1 : 0,
          now,
        );
      return this.template(Number(r.lastInsertRowid));
    })();
  }

  row(id: number): ContractRow {
    const c = this.db
      .prepare('select * from contracts where id = ? and business_id = ?')
      .get(id, BUSINESS_ID) as ContractRow | undefined;
    if (!c) throw notFound('contract');
    return c;
  }

  /** The business's own values and the app's (date, number): the same for every customer. */
  private businessValues(number: string): FieldValues {
    const b = this.d.business();
    return {
      'business.name': b.name,
      'business.vatId': b.vatId,
      'business.address': b.address,
      'business.phone': b.phone,
      'date.today': dateIL(this.d.clock.now()),
      'contract.number': number,
    };
  }

  /** The values a template's placeholders take for this customer and deal (and what the owner typed). */
  private values(customerId: number, dealId: number | null, number: string, extra: FieldValues): FieldValues {
    const c = this.d.parties.detailsOf(customerId);
    if (!c) throw notFound('customer');
    const deal = dealId ? this.d.parties.dealOf(dealId) : null;
    if (dealId && (!deal || deal.customerId !== customerId))
      throw badInput('the deal is not this customer’s');
    const base: FieldValues = {
      'customer.name': c.name,
      'customer.idNumber': c.vatId ?? '',
      'customer.address': c.address ?? '',
      'customer.phone': c.phone ?? '',
      'customer.email': c.email ?? '',
      'deal.title': deal?.title ?? '',
      'deal.amount': deal && deal.amountAgorot ? amountIL(deal.amountAgorot) : '',
      ...this.businessValues(number),
    };
    // What the owner typed for a blank wins; the contract number and date are the app's.
    const typed = Object.fromEntries(Object.entries(extra).filter(([k, v]) => v && k !== 'contract.number'));
    return { ...base, ...typed };
  }

  /** The next AGR-<year>-NNNN (numbered in the transaction that creates the contract). */
  private nextNumber(now: number): string {
    const year = new Date(now).getUTCFullYear();
    const last = this.db
      .prepare(
        'select number from contracts where business_id = ? and number like ? order by number desc limit 1',
      )
      .get(BUSINESS_ID, `AGR-${year}-%`) as { number: string } | undefined;
    const seq = last ? Number(last.number.split('-')[2]) + 1 : 1;
    return `AGR-${year}-${String(seq).padStart(4, '0')}`;
  }

  create(input: {
    customerId: number;
    templateId: number;
    dealId?: number | null;
    values?: FieldValues;
  }): ContractRow {
    const t = this.template(input.templateId);
    const now = this.d.clock.now();
    return this.db.transaction(() => {
      const number = this.nextNumber(now);
      const values = this.values(input.customerId, input.dealId ?? null, number, input.values ?? {});
      const r = renderTemplate(t.body, values);
      const res = this.db
        .prepare(
          `insert into contracts (business_id, customer_id, deal_id, template_id, template_version, title, body_rendered, status,
             number, field_values, requires_id_number, created_at, updated_at)
           values (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?)`,
        )
        .run(
          BUSINESS_ID,
          input.customerId,
          input.dealId ?? null,
          t.id,
          t.version,
          t.name,
          r.text,
          number,
          JSON.stringify(values),
          t.requires_id_number,
          now,
          now,
        );
      const id = Number(res.lastInsertRowid);
      this.d.audit.append({
        entityType: 'contract',
        entityId: id,
        event: 'contract.created',
        data: { number, templateId: t.id, templateVersion: t.version, bodySha256: sha256(r.text) },
      });
      this.d.changed?.(id);
      return this.row(id);
    })();
  }

  /**
   * What a template (or a body being edited) reads like for a customer and deal, without saving:
   * the create flow's preview and the template editor's live preview. With no customer, the
   * customer's placeholders stay blank.
   */
  preview(input: {
    templateId?: number;
    body?: string;
    customerId?: number;
    dealId?: number;
    values?: FieldValues;
  }): Rendered & TemplateCheck {
    const body = input.body ?? this.template(input.templateId!).body;
    const number = this.nextNumber(this.d.clock.now());
    const values = input.customerId
      ? this.values(input.customerId, input.dealId ?? null, number, input.values ?? {})
      : { ...this.businessValues(number), ...(input.values ?? {}) };
    return { ...renderTemplate(body, values), ...checkTemplate(body) };
  }

  /**
   * The contract as its PDF will read, before signing: written over one preview file per
   * contract (contracts/previews/), which the owner opens in the viewer.
   */
  async previewPdf(id: number): Promise<{ path: string; sha256: string }> {
    const c = this.row(id);
    if (c.status === 'signed') throw new ApiError('conflict', 'the contract is signed: open its signed PDF');
    const pdf = await this.d.pdf.draft({ contract: c, business: this.d.business(), now: this.d.clock.now() });
    const dir = path.join(this.d.contractsDir, 'previews');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const name = `${c.number ?? `contract-${id}`}-draft.pdf`;
    writeFileSync(path.join(dir, name), pdf, { mode: 0o600 });
    return { path: `previews/${name}`, sha256: sha256(pdf) };
  }

  /** Placeholders still blank in a draft (the owner fills them before sending). */
  missing(c: ContractRow): Placeholder[] {
    const t = c.template_id ? this.template(c.template_id) : undefined;
    return t ? renderTemplate(t.body, JSON.parse(c.field_values) as FieldValues).missing : [];
  }

  updateDraft(id: number, values: FieldValues): ContractRow {
    const c = this.row(id);
    if (c.status !== 'draft') throw new ApiError('conflict', 'only a draft can be changed');
    const t = this.template(c.template_id!);
    const merged = this.values(c.customer_id, c.deal_id, c.number!, {
      ...(JSON.parse(c.field_values) as FieldValues),
      ...values,
    });
    const r = renderTemplate(t.body, merged);
    this.db.transaction(() => {
      this.db
        .prepare('update contracts set body_rendered = ?, field_values = ?, updated_at = ? where id = ?')
        .run(r.text, JSON.stringify(merged), this.d.clock.now(), id);
      this.d.audit.append({
        entityType: 'contract',
        entityId: id,
        event: 'contract.edited',
        data: { bodySha256: sha256(r.text) },
      });
    })();
    this.d.changed?.(id);
    return this.row(id);
  }

  /** A new signing link (the previous one stops working). Returns the token once; only its hash is kept. */
  send(id: number, days = LINK_DAYS_DEFAULT): { contract: ContractRow; token: string; expiresAt: number } {
    const c = this.row(id);
    if (c.status === 'signed' || c.status === 'cancelled')
      throw new ApiError('conflict', `the contract is ${c.status}`);
    const missing = this.missing(c);
    if (missing.length) throw badInput('fill in the blanks first', { missing });
    const token = randomBytes(32).toString('base64url');
    const now = this.d.clock.now();
    const expiresAt = now + days * 86_400_000;
    this.db.transaction(() => {
      this.db
        .prepare(
          `update contracts set status = case when status = 'draft' or status = 'expired' then 'sent' else status end,
             sign_token_hash = ?, token_expires_at = ?, token_used_at = null, token_attempts = 0,
             sent_at = coalesce(sent_at, ?), updated_at = ? where id = ?`,
        )
        .run(tokenHash(token), expiresAt, now, now, id);
      this.d.audit.append({
        entityType: 'contract',
        entityId: id,
        event: 'contract.sent',
        data: { expiresAt },
      });
    })();
    this.d.changed?.(id);
    return { contract: this.row(id), token, expiresAt };
  }

  void(id: number, reason: string): ContractRow {
    const c = this.row(id);
    if (c.status === 'signed') throw new ApiError('conflict', 'a signed contract cannot be voided');
    if (c.status === 'cancelled') return c;
    const now = this.d.clock.now();
    this.db.transaction(() => {
      this.db
        .prepare(
          "update contracts set status = 'cancelled', voided_at = ?, void_reason = ?, sign_token_hash = null, updated_at = ? where id = ?",
        )
        .run(now, reason, now, id);
      this.d.audit.append({
        entityType: 'contract',
        entityId: id,
        event: 'contract.voided',
        data: { reason },
      });
    })();
    this.d.changed?.(id);
    return this.row(id);
  }

  /**
   * The contract a link opens, or why not. A wrong token tells nothing about any contract: the
   * caller shows one page for "no such link", whatever the reason.
   */
  byToken(
    token: string,
  ): { ok: true; contract: ContractRow } | { ok: false; reason: 'invalid' | 'expired' | 'used' | 'locked' } {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { ok: false, reason: 'invalid' };
    const c = this.db
      .prepare('select * from contracts where sign_token_hash = ? and business_id = ?')
      .get(tokenHash(token), BUSINESS_ID) as ContractRow | undefined;
    if (!c || c.status === 'cancelled') return { ok: false, reason: 'invalid' };
    if (c.status === 'signed' || c.token_used_at) return { ok: false, reason: 'used' };
    if (c.token_attempts >= MAX_LINK_ATTEMPTS) return { ok: false, reason: 'locked' };
    if ((c.token_expires_at ?? 0) <= this.d.clock.now()) return { ok: false, reason: 'expired' };
    return { ok: true, contract: c };
  }

  /** The signer opened the link (first time: opened). */
  viewed(id: number, ctx: SignerContext): void {
    const c = this.row(id);
    if (c.viewed_at) return;
    const now = this.d.clock.now();
    this.db.transaction(() => {
      this.db
        .prepare(
          "update contracts set viewed_at = ?, status = case when status = 'sent' then 'opened' else status end, updated_at = ? where id = ?",
        )
        .run(now, now, id);
      this.d.audit.append({
        entityType: 'contract',
        entityId: id,
        event: 'contract.viewed',
        ip: ctx.ip,
        userAgent: ctx.userAgent,
        actor: ctx.via === 'remote' ? 'signer' : 'owner',
      });
    })();
    this.d.changed?.(id);
  }

  /** A refused submission on a link counts toward its lock. */
  refused(id: number): void {
    this.db.prepare('update contracts set token_attempts = token_attempts + 1 where id = ?').run(id);
  }

  /** Checks a signature submission; throws bad_input naming the fields, changes nothing. */
  checkSignature(c: ContractRow, s: SignatureInput): Uint8Array {
    const errors: Record<string, string> = {};
    const name = (s.name ?? '').trim();
    if (name.length < 2 || name.length > 120) errors.name = 'required';
    if (c.requires_id_number && !validIsraeliId((s.idNumber ?? '').trim())) errors.idNumber = 'invalid';
    if (s.consent !== true) errors.consent = 'required';
    const m = /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(s.png ?? '');
    const png = m ? Buffer.from(m[1]!, 'base64') : null;
    if (!png || png.length < 67 || png.readUInt32BE(0) !== 0x89504e47) errors.signature = 'required';
    else if (png.length > MAX_SIGNATURE_PNG_BYTES) errors.signature = 'too_large';
    const strokes = JSON.stringify(s.strokes ?? null);
    if (!Array.isArray(s.strokes) || s.strokes.length === 0) errors.signature ??= 'required';
    else if (strokes.length > MAX_SIGNATURE_STROKES_CHARS) errors.signature = 'too_large';
    if (Object.keys(errors).length) throw badInput('the signature is not complete', { fields: errors });
    return png!;
  }

  /** Signs: the signed PDF with its certificate page, stored with its hash; the contract is final. */
  async sign(id: number, s: SignatureInput, ctx: SignerContext): Promise<ContractRow> {
    const c = this.row(id);
    if (c.status === 'signed') throw new ApiError('conflict', 'already signed');
    if (c.status === 'cancelled') throw new ApiError('conflict', 'the contract was voided');
    if (c.status === 'draft' && ctx.via === 'remote') throw new ApiError('conflict', 'not sent');
    const missing = this.missing(c);
    if (missing.length) throw badInput('fill in the blanks first', { missing });
    const png = this.checkSignature(c, s);
    const now = this.d.clock.now();
    const unsignedSha256 = sha256(c.body_rendered);
    const signer = { name: s.name.trim(), idNumber: s.idNumber?.trim() || null };
    const events = [
      ...this.d.audit
        .history('contract', id)
        .map((e) => ({ event: e.event, at: e.createdAt, actor: e.actor, ip: e.ip, userAgent: e.userAgent })),
      { event: 'contract.signed', at: now, actor: 'signer', ip: ctx.ip, userAgent: ctx.userAgent },
    ];
    const pending: ContractRow = {
      ...c,
      signer_name: signer.name,
      signer_id_number: signer.idNumber,
      signer_ip: ctx.ip,
      signer_user_agent: ctx.userAgent,
      signed_at: now,
      signed_via: ctx.via,
    };
    const pdf = await this.d.pdf.signed({
      contract: pending,
      business: this.d.business(),
      signaturePng: png,
      unsignedSha256,
      events,
    });
    const signedSha256 = sha256(pdf);
    mkdirSync(this.d.contractsDir, { recursive: true, mode: 0o700 });
    const base = `${c.number ?? `contract-${id}`}`;
    const pdfRel = `contracts/${base}-signed.pdf`;
    const pngRel = `contracts/${base}-signature.png`;
    writeFileSync(path.join(this.d.contractsDir, `${base}-signed.pdf`), pdf, { mode: 0o600, flag: 'wx' });
    writeFileSync(path.join(this.d.contractsDir, `${base}-signature.png`), png, { mode: 0o600, flag: 'wx' });
    this.db.transaction(() => {
      const r = this.db
        .prepare(
          `update contracts set status = 'signed', signer_name = ?, signer_id_number = ?, signer_ip = ?, signer_user_agent = ?,
             signed_at = ?, signed_via = ?, signature_strokes = ?, signature_png_path = ?, signed_pdf_path = ?, signed_sha256 = ?,
             unsigned_sha256 = ?, token_used_at = case when sign_token_hash is null then null else ? end, updated_at = ?
           where id = ? and status not in ('signed', 'cancelled')`,
        )
        .run(
          signer.name,
          signer.idNumber,
          ctx.ip,
          ctx.userAgent,
          now,
          ctx.via,
          JSON.stringify(s.strokes),
          pngRel,
          pdfRel,
          signedSha256,
          unsignedSha256,
          now,
          now,
          id,
        );
      if (!r.changes) throw new ApiError('conflict', 'already signed');
      this.d.audit.append({
        entityType: 'contract',
        entityId: id,
        event: 'contract.signed',
        actor: 'signer',
        ip: ctx.ip,
        userAgent: ctx.userAgent,
        data: {
          signer: signer.name,
          idNumber: signer.idNumber,
          via: ctx.via,
          unsignedSha256,
          file: { path: `files/${pdfRel}`, sha256: signedSha256 },
        },
      });
    })();
    this.d.changed?.(id);
    return this.row(id);
  }

  list(input: { status?: ContractStatus; customerId?: number; q?: string; page: number; limit: number }) {
    const where = ['business_id = ?'];
    const params: unknown[] = [BUSINESS_ID];
    const q = input.q?.trim();
    if (q) {
      const like = `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      const ids = this.d.parties.idsNamed(q, 500);
      where.push(
        `(number like ? escape '\\' or title like ? escape '\\'${ids.length ? ` or customer_id in (${ids.map(() => '?').join(',')})` : ''})`,
      );
      params.push(like, like, ...ids);
    }
    if (input.status) {
      where.push('status = ?');
      params.push(input.status);
    }
    if (input.customerId) {
      where.push('customer_id = ?');
      params.push(input.customerId);
    }
    const w = where.join(' and ');
    const total = (
      this.db.prepare(`select count(*) n from contracts where ${w}`).get(...params) as { n: number }
    ).n;
    const items = this.db
      .prepare(`select * from contracts where ${w} order by created_at desc, id desc limit ? offset ?`)
      .all(...params, input.limit, (input.page - 1) * input.limit) as ContractRow[];
    return { items, total };
  }
}
