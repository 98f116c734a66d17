/**
 * One way to name a key everywhere an owner enters one (settings, the wizard, payments): its
 * Hebrew name first, the English term of the service's own screen after it as a quieter hint,
 * and — unless the surrounding card already says it — one line on where to find it.
 */
import type { SECRET_KEYS } from '../../src-main/api/contract/system';
import { he } from '../i18n/he';

export type SecretName = (typeof SECRET_KEYS)[number];

/** "מזהה החשבון ב־Twilio" for labels and aria-labels (plain text: name and term). */
export const keyLabelText = (name: SecretName) =>
  `${he.settings.secrets[name]} (${he.settings.secretTerms[name]})`;

export function KeyLabel({
  name,
  where = true,
  htmlFor,
}: {
  name: SecretName;
  where?: boolean;
  htmlFor?: string;
}) {
  const Tag = htmlFor ? 'label' : 'span';
  return (
    <span className="key-label" data-testid={`key-label-${name}`}>
      <Tag htmlFor={htmlFor} className="key-name">
        {he.settings.secrets[name]} <span className="key-term">{he.settings.secretTerms[name]}</span>
      </Tag>
      {where && <span className="key-where-line">{he.settings.secretWhere[name]}</span>}
    </span>
  );
}
