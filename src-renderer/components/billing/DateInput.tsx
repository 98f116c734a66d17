/**
 * Billing's date fields are the app's one date picker (components/DateTimeField.tsx): typed
 * DD/MM/YYYY or picked on the Hebrew calendar, independent of the browser's locale.
 */
export { DateField as DateInput } from '../DateTimeField';
export { israelToday, parseIsraeliDate, showIsoDate } from '../../lib/datetime';
