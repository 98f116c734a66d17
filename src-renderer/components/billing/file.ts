import { fileUrl } from '../../api/files';
import type { FileRef } from './types';

/**
 * Where the renderer loads a file the billing API handed over (a PDF): its `/files/<id>` path
 * through fileUrl(), which adds the per-launch token in browser mode (an <iframe> sends no header).
 * A draft's preview keeps its path while its bytes change: `v=<sha-256>` makes each version its
 * own URL, so the frame reloads and no cached older version is shown.
 */
export function fileSrc(file: Pick<FileRef, 'url' | 'sha256'>): string {
  const m = /\/files\/([^/?#]+)/.exec(file.url);
  const url = m ? fileUrl(decodeURIComponent(m[1]!)) : file.url;
  return `${url}${url.includes('?') ? '&' : '?'}v=${file.sha256.slice(0, 16)}`;
}
