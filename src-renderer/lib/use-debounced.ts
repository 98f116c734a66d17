import { useEffect, useState } from 'react';

/** `value`, once it has stopped changing for `ms` (typing into a search box or an editor). */
export function useDebounced<T>(value: T, ms = 250): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const h = setTimeout(() => setV(value), ms);
    return () => clearTimeout(h);
  }, [value, ms]);
  return v;
}
