import { MessageCircle } from 'lucide-react';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useApp } from '../app-context';
import { ComingSoon } from '../components/States';
import { ConversationList } from '../components/whatsapp/ConversationList';
import { CONNECTION_BADGE, useWaConnection, useWaProvider } from '../components/whatsapp/hooks';
import { Thread } from '../components/whatsapp/Thread';
import { he } from '../i18n/he';
import { plural } from '../lib/plural';
import { availability } from '../lib/capabilities';
import '../styles/whatsapp.css';

const t = he.whatsapp;

/**
 * The WhatsApp inbox: conversations by customer on the right, the open thread beside them.
 * `/whatsapp/:customerId` opens one (a new conversation when the customer has none yet).
 */
export function WhatsAppPage() {
  const { business } = useApp();
  // Until the capability is built (CAPABILITY_BUILT), the page says so like every other entry point.
  if (availability(business?.features, ['whatsapp_enabled']) === 'soon')
    return <ComingSoon title={t.title} />;
  return <Inbox />;
}

function Inbox() {
  const param = useParams().customerId;
  const customerId = param && /^\d+$/.test(param) ? Number(param) : null;
  const conn = useWaConnection();
  const provider = useWaProvider();
  const [unread, setUnread] = useState(0);
  const active = provider.data?.available.find((p) => p.name === provider.data?.active) ?? null;
  const state = conn.data?.connection.state;

  return (
    <div className={`wa-page${customerId ? ' has-thread' : ''}`} data-testid="wa-page">
      <div className="wa-page-head">
        <h1>{t.title}</h1>
        {unread > 0 && (
          <span className="badge badge-ok" data-testid="wa-unread-total">
            {plural(unread, t.unreadCount)}
          </span>
        )}
        <span className="wa-page-spacer" />
        {state && (
          <Link
            to="/settings?section=whatsapp"
            className={CONNECTION_BADGE[state]}
            data-testid="wa-connection"
            data-state={state}
            title={t.connection.toSettings}
          >
            {t.connection.states[state]}
          </Link>
        )}
      </div>
      {state && state !== 'open' && (
        <p className="notice wa-offline" role="status">
          {t.connection.inboxOffline} <Link to="/settings?section=whatsapp">{t.connection.toSettings}</Link>
        </p>
      )}
      <div className="wa-inbox">
        <ConversationList selectedId={customerId} onUnreadTotal={setUnread} />
        <div className="wa-thread-pane">
          {customerId ? (
            <Thread key={customerId} customerId={customerId} caps={active} />
          ) : (
            <div className="wa-pick">
              <MessageCircle size={44} aria-hidden />
              <h2>{t.pickConversation}</h2>
              <p>{t.pickConversationHint}</p>
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
