import { useEffect, useState } from 'react';
import type { CustomerListItem } from '../../../src-main/api/contract/crm';
import { api } from '../../api';
import { he } from '../../i18n/he';

/** Pick a customer by typing a name or phone; the list comes from the same indexed search. */
export function CustomerPicker({
  value,
  onChange,
}: {
  value: { id: number; name: string } | null;
  onChange: (v: { id: number; name: string } | null) => void;
}) {
  const [q, setQ] = useState('');
  const [items, setItems] = useState<CustomerListItem[]>([]);
  useEffect(() => {
    if (!q.trim()) return setItems([]);
    let live = true;
    const h = setTimeout(() => {
      api
        .call('crm.customers.list', { q, limit: 8, sort: 'lastContact' })
        .then((r) => live && setItems(r.items))
        .catch(() => live && setItems([]));
    }, 150);
    return () => {
      live = false;
      clearTimeout(h);
    };
  }, [q]);
  if (value) {
    return (
      <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
        <span className="badge badge-info" data-testid="picked-customer">
          {value.name || he.crm.customers.noName}
        </span>
        <button type="button" className="btn btn-sm btn-ghost" onClick={() => onChange(null)}>
          {he.common.cancel}
        </button>
      </div>
    );
  }
  return (
    <div style={{ position: 'relative' }}>
      <input
        className="input"
        placeholder={he.crm.tasks.customerSearch}
        value={q}
        onChange={(e) => setQ(e.target.value)}
        aria-label={he.crm.tasks.customer}
      />
      {items.length > 0 && (
        <div
          className="card"
          style={{ position: 'absolute', insetInline: 0, top: '100%', zIndex: 5, padding: 4 }}
        >
          {items.map((c) => (
            <div
              key={c.id}
              className="search-item"
              onMouseDown={(e) => {
                e.preventDefault();
                onChange({ id: c.id, name: c.name });
                setQ('');
              }}
            >
              <span>{c.name || he.crm.customers.noName}</span>
              <small className="ltr">{c.phoneDisplay}</small>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
