/**
 * The contracts feature module: API handlers, and the public signing routes behind the tunnel:
 *   GET  /sign/<token>            the signing page (sign-page.ts; its own bundle, not the CRM's)
 *   GET  /sign/<token>/contract   the contract to read (marks it viewed), or a reason code
 *   POST /sign/<token>            the signature (name, ID, consent, strokes, PNG)
 * A bad, expired or used link answers one shape that names only the reason; nothing about any
 * contract leaks. The public server's rate limit applies, and a link locks after repeated refusals.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { signatureInputSchema, type ContractSummary } from '../api/contract/contracts';
import type { EventBus } from '../api/events';
import { ApiError, badInput } from '../api/errors';
import type { FeatureModule } from '../core/module';
import type { FileAccess } from '../platform/files';
import type { Logger } from '../platform/logger';
import { sqlTimelineSource } from '../platform/timeline';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../platform/clock';
import { contractPdf } from './pdf';
import { signPageRoutes } from './sign-page';
import type { ContractAudit, ContractBusiness, ContractParties } from './ports';
import { ContractService, type ContractRow } from './service';
import { checkTemplate, toBlocks, type FieldValues } from './templates';

export interface ContractsDeps {
  sqlite: Database;
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  audit: ContractAudit;
  parties: ContractParties;
  business: () => ContractBusiness;
  files: () => FileAccess;
  /** The one live public host (for signing links), or null while there is none. */
  publicHost: () => string | null;
  /** Whether contracts/signatures are on for this business. */
  enabled: () => boolean;
  resourcesDir: string;
  /** The built remote signing page (out/sign), see sign-page.ts. */
  signPageDir: string;
  fontsDir?: string;
}

const TOKEN_PARAM = z.object({ token: z.string().max(100) });

export function contractsModule(deps: ContractsDeps): FeatureModule & { service: ContractService } {
  const service = new ContractService({
    sqlite: deps.sqlite,
    clock: deps.clock,
    audit: deps.audit,
    parties: deps.parties,
    business: deps.business,
    pdf: contractPdf({ fontsDir: deps.fontsDir }),
    contractsDir: deps.files().folderPath('contracts'),
    resourcesDir: deps.resourcesDir,
    // Every transition (the signer's too, over the public server) reaches the owner's screens.
    changed: (id) => {
      const c = deps.sqlite.prepare('select status from contracts where id = ?').get(id) as
        Pick<ContractSummary, 'status'> | undefined;
      if (c) deps.bus.emit('contracts.changed', { id, status: c.status });
    },
  });
  const log = deps.logger.child({ module: 'contracts' });
  const names = (ids: number[]) => {
    const out = new Map<number, string>();
    for (const i of new Set(ids)) out.set(i, deps.parties.detailsOf(i)?.name ?? '');
    return out;
  };
  const summary = (c: ContractRow, name: string) => ({
    id: c.id,
    number: c.number,
    title: c.title,
    customerId: c.customer_id,
    customerName: name,
    dealId: c.deal_id,
    status: c.status,
    createdAt: c.created_at,
    sentAt: c.sent_at,
    viewedAt: c.viewed_at,
    signedAt: c.signed_at,
  });
  const detail = (c: ContractRow) => ({
    ...summary(c, names([c.customer_id]).get(c.customer_id) ?? ''),
    templateId: c.template_id,
    templateVersion: c.template_version,
    body: c.body_rendered,
    values: JSON.parse(c.field_values) as FieldValues,
    missing: c.status === 'draft' ? service.missing(c) : [],
    requiresIdNumber: !!c.requires_id_number,
    linkExpiresAt: c.token_used_at ? null : c.token_expires_at,
    signer: c.signer_name
      ? {
          name: c.signer_name,
          idNumber: c.signer_id_number,
          via: (c.signed_via ?? 'in_office') as 'in_office' | 'remote',
          ip: c.signer_ip,
          userAgent: c.signer_user_agent,
        }
      : null,
    signedSha256: c.signed_sha256,
    voidReason: c.void_reason,
  });
  const template = (t: ReturnType<ContractService['template']>) => {
    const check = checkTemplate(t.body);
    return {
      id: t.id,
      name: t.name,
      version: t.version,
      body: t.body,
      requiresIdNumber: !!t.requires_id_number,
      placeholders: check.used,
      unknown: check.unknown,
      createdAt: t.created_at,
    };
  };

  /** The contract behind a link, or a reply that names only the reason. */
  const open = (req: FastifyRequest) => {
    const p = TOKEN_PARAM.safeParse(req.params);
    if (!p.success) return { ok: false as const, reason: 'invalid' as const };
    return service.byToken(p.data.token);
  };
  const signer = (req: FastifyRequest) => ({
    via: 'remote' as const,
    ip: req.ip ?? null,
    userAgent: String(req.headers['user-agent'] ?? '').slice(0, 400) || null,
  });

  const routes = async (app: FastifyInstance) => {
    await app.register(async (scope) => {
      signPageRoutes(scope, deps.signPageDir);
      scope.get('/sign/:token/contract', async (req, reply) => {
        if (!deps.enabled()) return reply.code(403).send({ ok: false, reason: 'off' });
        const r = open(req);
        if (!r.ok)
          return reply.code(r.reason === 'invalid' ? 404 : 410).send({ ok: false, reason: r.reason });
        service.viewed(r.contract.id, signer(req));
        const b = deps.business();
        return {
          ok: true,
          contract: {
            title: r.contract.title,
            number: r.contract.number,
            business: b.name,
            blocks: toBlocks(r.contract.body_rendered),
            requiresIdNumber: !!r.contract.requires_id_number,
          },
        };
      });
      scope.post('/sign/:token', { bodyLimit: 512 * 1024 }, async (req, reply) => {
        if (!deps.enabled()) return reply.code(403).send({ ok: false, reason: 'off' });
        const r = open(req);
        if (!r.ok)
          return reply.code(r.reason === 'invalid' ? 404 : 410).send({ ok: false, reason: r.reason });
        const body = signatureInputSchema.safeParse(req.body);
        if (!body.success) {
          service.refused(r.contract.id);
          return reply
            .code(400)
            .send({ ok: false, reason: 'bad_input', fields: body.error.issues.map((i) => i.path.join('.')) });
        }
        try {
          await service.sign(r.contract.id, body.data, signer(req));
          return { ok: true };
        } catch (err) {
          if (err instanceof ApiError && err.code === 'bad_input') {
            service.refused(r.contract.id);
            return reply.code(400).send({ ok: false, reason: 'bad_input', details: err.details });
          }
          if (err instanceof ApiError && err.code === 'conflict')
            return reply.code(410).send({ ok: false, reason: 'used' });
          log.error({ err }, 'remote signing failed');
          return reply.code(409).send({ ok: false, reason: 'later' });
        }
      });
    });
  };

  return {
    name: 'contracts',
    service,
    public: { name: 'contracts', routes },
    timeline: [
      sqlTimelineSource(deps.sqlite, {
        kind: 'contract',
        rank: 3,
        capability: 'contracts',
        table: 'contracts',
        time: 'created_at',
        select:
          'id, created_at as at, null as direction, status, title as text, number as subtype, null as amount, null as number, null as duration, signed_at as due',
      }),
    ],
    start() {
      service.seedTemplates();
    },
    handlers: {
      'contracts.templates.list': () => service.templates().map(template),
      'contracts.templates.save': (i) => template(service.saveTemplate(i)),
      'contracts.list': (i) => {
        const { items, total } = service.list(i);
        const n = names(items.map((c) => c.customer_id));
        return {
          items: items.map((c) => summary(c, n.get(c.customer_id) ?? '')),
          total,
          page: i.page,
          limit: i.limit,
        };
      },
      'contracts.get': (i) => detail(service.row(i.id)),
      'contracts.preview': (i) => {
        const r = service.preview(i);
        return { text: r.text, missing: r.missing, placeholders: r.used, unknown: r.unknown };
      },
      'contracts.create': (i) => detail(service.create(i)),
      'contracts.update': (i) => detail(service.updateDraft(i.id, i.values)),
      'contracts.send': (i) => {
        const r = service.send(i.id, i.days);
        const host = deps.publicHost();
        return {
          link: host ? `https://${host}/sign/${r.token}` : null,
          expiresAt: r.expiresAt,
          contract: detail(r.contract),
        };
      },
      'contracts.void': (i) => detail(service.void(i.id, i.reason)),
      'contracts.signInOffice': async ({ id, ...sig }) =>
        detail(await service.sign(id, sig, { via: 'in_office', ip: null, userAgent: null })),
      'contracts.file': (i) => {
        const c = service.row(i.id);
        if (!c.signed_pdf_path) throw badInput('the contract is not signed yet');
        return {
          url: deps.files().issue('contracts', c.signed_pdf_path.replace(/^contracts\//, '')).path,
          sha256: c.signed_sha256 ?? '',
        };
      },
      'contracts.previewPdf': async (i) => {
        const r = await service.previewPdf(i.id);
        return { url: deps.files().issue('contracts', r.path).path, sha256: r.sha256 };
      },
      'contracts.verify': (i) => {
        service.row(i.id);
        return deps.audit.verify({ entityType: 'contract', entityId: i.id });
      },
    },
  };
}
