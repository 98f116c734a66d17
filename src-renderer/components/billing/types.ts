/** The billing contract's shapes, as the renderer uses them (one source: src-main/api/contract/billing). */
import type { MethodOutput } from '../../../src-main/api/contract';
import {
  DOCUMENT_TYPES,
  DRAFT_TYPES,
  MANUAL_PAYMENT_METHODS,
  type BillingDocument,
  type DocumentListItem,
  type DocumentType,
  type Payment,
} from '../../../src-main/api/contract/billing';

export const DOC_TYPES = DOCUMENT_TYPES;
export const FORM_TYPES = DRAFT_TYPES;
export const MANUAL_METHODS = MANUAL_PAYMENT_METHODS;
export type DocType = DocumentType;
export type FormType = (typeof DRAFT_TYPES)[number];
export type ManualMethod = (typeof MANUAL_PAYMENT_METHODS)[number];
export type { BillingDocument, DocumentListItem, Payment };
export type FileRef = MethodOutput<'billing.documents.file'>;
export type Totals = MethodOutput<'billing.documents.totals'>;
export type BillingSettings = MethodOutput<'billing.settings.get'>;
