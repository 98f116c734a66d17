import { he } from '../../i18n/he';
import type { FileRef } from './types';
import { fileSrc } from './file';

/**
 * A PDF shown inside the page (Chromium's own viewer: zoom, pages, print). The file comes by URL
 * (the token-checked local route or the app:// protocol), never as base64 inside JSON.
 */
export function PdfFrame({
  file,
  title,
  busy,
  failed,
  emptyText,
  testId,
}: {
  file: Pick<FileRef, 'url' | 'sha256'> | null;
  title: string;
  busy?: boolean;
  failed?: boolean;
  emptyText?: string;
  testId?: string;
}) {
  if (!file)
    return (
      <div className="pdf-empty" data-testid={testId}>
        {failed ? he.billing.view.pdfFailed : busy ? he.billing.form.previewUpdating : emptyText}
      </div>
    );
  return (
    <div className="pdf-box">
      <iframe
        className="pdf-frame"
        title={title}
        src={`${fileSrc(file)}#toolbar=1&navpanes=0&view=FitH`}
        data-testid={testId}
        data-sha256={file.sha256}
      />
      {busy && (
        <span className="badge badge-info pdf-state" role="status">
          {he.billing.form.previewUpdating}
        </span>
      )}
      {failed && (
        <span className="badge badge-fail pdf-state" role="alert">
          {he.billing.form.previewFailed}
        </span>
      )}
    </div>
  );
}
