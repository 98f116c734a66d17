import { Compass } from 'lucide-react';
import { Link } from 'react-router-dom';
import { he } from '../i18n/he';

export function NotFoundPage() {
  return (
    <div className="card" data-testid="not-found">
      <div className="state">
        <Compass className="icon" size={56} />
        <div
          style={{ fontSize: 64, fontWeight: 800, color: 'var(--color-border-strong)', lineHeight: 1 }}
          className="ltr"
        >
          404
        </div>
        <h2>{he.notFound.title}</h2>
        <p>{he.notFound.body}</p>
        <Link className="btn btn-primary" to="/">
          {he.notFound.back}
        </Link>
      </div>
    </div>
  );
}
