import { fileUrl } from '../../api/files';
import type { FileRef } from './types';

/**
 * Where the renderer loads a file the billing API handed over (a PDF): its `/files/<id>` path
 * through fileUrl(), which adds the per-launch token in browser mode (an <iframe> sends no header).
 */
export function fileSrc(file: FileRef): string {
  const m = /\/files\/([^/?#]+)/.exec(file.url);
  return m ? fileUrl(decodeURIComponent(m[1]!)) : file.url;
}
