import { FileText, Film, Mic, Play } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import type { WaMessage } from '../../../src-main/api/contract/whatsapp';
import { api } from '../../api';
import { fileUrl } from '../../api/files';
import { he } from '../../i18n/he';
import { formatBytes } from './format';

const t = he.whatsapp.thread;

type Loaded = { kind: 'idle' } | { kind: 'loading' } | { kind: 'ready'; url: string } | { kind: 'failed' };

/** The data-folder file's id, once the core issues one for message media (FileAccess). */
const fileIdOf = (m: WaMessage): string | null => {
  const media = m.media as (NonNullable<WaMessage['media']> & { fileId?: string | null }) | null;
  return media?.fileId ?? null;
};

/**
 * A message's file: a file URL when the core issued one; otherwise its bytes, asked for only when
 * needed (an image when it scrolls into view, others on click).
 */
function useMediaUrl(message: WaMessage) {
  const messageId = message.id;
  const fileId = fileIdOf(message);
  const [state, setState] = useState<Loaded>(() =>
    fileId ? { kind: 'ready', url: fileUrl(fileId) } : { kind: 'idle' },
  );
  const load = () => {
    if (state.kind === 'loading' || state.kind === 'ready') return;
    setState({ kind: 'loading' });
    api
      .call('whatsapp.media', { messageId })
      .then((r) => setState({ kind: 'ready', url: r.dataUrl }))
      .catch(() => setState({ kind: 'failed' }));
  };
  return { state, load };
}

/** Images inline; documents, voice messages and videos as cards with their name and size. */
export function MediaPreview({ message }: { message: WaMessage }) {
  const media = message.media!;
  if (message.kind === 'image' || message.kind === 'sticker') return <ImagePreview message={message} />;
  return <FileCard message={message} media={media} />;
}

function ImagePreview({ message }: { message: WaMessage }) {
  const { state, load } = useMediaUrl(message);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || state.kind !== 'idle') return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && load());
    io.observe(el);
    return () => io.disconnect();
  });
  return (
    <div className="wa-image" ref={box} data-testid="wa-image">
      {state.kind === 'ready' ? (
        <a href={state.url} download={message.media?.fileName ?? undefined} target="_blank" rel="noreferrer">
          <img src={state.url} alt={message.text || t.imageAlt} />
        </a>
      ) : (
        <div className="wa-image-placeholder">{state.kind === 'failed' ? t.fileFailed : t.loadingFile}</div>
      )}
    </div>
  );
}

function FileCard({ message, media }: { message: WaMessage; media: NonNullable<WaMessage['media']> }) {
  const { state, load } = useMediaUrl(message);
  const download = useRef<HTMLAnchorElement>(null);
  const wantsDownload = useRef(false);
  const playable = message.kind === 'audio' || message.kind === 'video';
  const Icon = message.kind === 'audio' ? Mic : message.kind === 'video' ? Film : FileText;
  const name = media.fileName || he.whatsapp.kinds[message.kind];
  useEffect(() => {
    if (state.kind === 'ready' && wantsDownload.current) {
      wantsDownload.current = false;
      download.current?.click();
    }
  }, [state]);
  return (
    <div className="wa-file" data-testid="wa-file" data-kind={message.kind}>
      <span className="wa-file-icon" aria-hidden>
        <Icon size={22} />
      </span>
      <span className="wa-file-info">
        <bdi className="wa-file-name">{name}</bdi>
        <span className="wa-file-size">{formatBytes(media.size)}</span>
      </span>
      {playable && state.kind !== 'ready' && (
        <button type="button" className="btn btn-sm" onClick={load} disabled={state.kind === 'loading'}>
          <Play size={14} aria-hidden /> {state.kind === 'loading' ? t.loadingFile : t.play}
        </button>
      )}
      {!playable && (
        <button
          type="button"
          className="btn btn-sm"
          disabled={state.kind === 'loading'}
          onClick={() => {
            if (state.kind === 'ready') return download.current?.click();
            wantsDownload.current = true;
            load();
          }}
        >
          {state.kind === 'loading' ? t.loadingFile : t.downloadFile}
        </button>
      )}
      {state.kind === 'failed' && <span className="wa-file-failed">{t.fileFailed}</span>}
      {state.kind === 'ready' && !playable && (
        <a ref={download} href={state.url} download={media.fileName ?? name} hidden>
          {name}
        </a>
      )}
      {state.kind === 'ready' && message.kind === 'audio' && (
        <audio className="wa-audio" src={state.url} controls autoPlay />
      )}
      {state.kind === 'ready' && message.kind === 'video' && (
        <video className="wa-video" src={state.url} controls autoPlay />
      )}
    </div>
  );
}
