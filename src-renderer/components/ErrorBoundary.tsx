import { AlertTriangle } from 'lucide-react';
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { he } from '../i18n/he';

interface Props {
  /** Changing it (the route) clears a caught error, so navigating away recovers. */
  resetKey: string;
  children: ReactNode;
}

/** A page that throws shows a Hebrew message and a way out, never a blank window. */
export class ErrorBoundary extends Component<Props, { error: Error | null; key: string }> {
  override state = { error: null as Error | null, key: this.props.resetKey };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: { error: Error | null; key: string }) {
    return props.resetKey !== state.key ? { error: null, key: props.resetKey } : null;
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('page crashed', error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="card" role="alert" data-testid="page-crash">
        <div className="state">
          <AlertTriangle className="icon" size={40} />
          <h2>{he.common.errorTitle}</h2>
          <p>{he.common.crashHint}</p>
          <button className="btn btn-primary" onClick={() => window.location.reload()}>
            {he.common.reload}
          </button>
        </div>
      </div>
    );
  }
}
