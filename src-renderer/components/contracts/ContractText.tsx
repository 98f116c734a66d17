import { CONTRACT_BLANK as BLANK } from '../../../src-main/api/contract/contracts';
import '../../styles/contracts.css';

/**
 * A contract's rendered text as headings and paragraphs — the template's small Markdown subset
 * (`#`/`##` headings, `**bold**`), read as text, never as HTML. Blanks still to fill are marked.
 */
export function ContractText({ body, testId = 'contract-text' }: { body: string; testId?: string }) {
  const blocks = body.split(/\n\s*\n/).filter((b) => b.trim());
  const runs = (line: string) =>
    line.split('**').map((run, j) => {
      const parts = run.split(BLANK).flatMap((p, k) =>
        k === 0
          ? [p]
          : [
              <span key={`b${k}`} className="contract-blank" aria-label="—">
                {BLANK}
              </span>,
              p,
            ],
      );
      return j % 2 ? <strong key={j}>{parts}</strong> : <span key={j}>{parts}</span>;
    });
  return (
    <div className="contract-text" data-testid={testId} dir="rtl">
      {blocks.map((b, i) => {
        const line = b.trim().replace(/\n/g, ' ');
        const h = /^(#{1,2})\s+(.*)$/.exec(line);
        if (h) return h[1] === '#' ? <h2 key={i}>{h[2]}</h2> : <h3 key={i}>{h[2]}</h3>;
        return <p key={i}>{runs(line)}</p>;
      })}
    </div>
  );
}
