import type { WA_ERROR_CODES } from '../api/contract/whatsapp';

export type { WaConversation, WaMessage, WaSettings, WaConnection } from '../api/contract/whatsapp';
export type WaErrorCode = (typeof WA_ERROR_CODES)[number];
