import { Compass } from 'lucide-react';
import { Link } from 'react-router-dom';
import { he } from '../i18n/he';

export function NotFoundPage() {
  return (
    <div className="card" data-testid="not-found">
      <div className="state">
        <Compass className="icon" size={56} />
        <div className="not-found-code ltr" aria-hidden="true">
          404
        </div>
        <h1>{he.notFound.title}</h1>
        <p>{he.notFound.body}</p>
        <Link className="btn btn-primary" to="/">
          {he.notFound.back}
        </Link>
      </div>
    </div>
  );
}
