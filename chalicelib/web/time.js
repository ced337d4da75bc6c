// Instants as people read them: in a given IANA zone (a trigger's) or the viewer's own, with the
// zone's UTC offset at that instant, so a DST change shows as a change of offset.

import {h} from './dom.js';

const LOCALE = 'en-GB';
const formatters = new Map();

function formatter(zone) {
  const key = zone || '';
  if (!formatters.has(key)) {
    formatters.set(key, new Intl.DateTimeFormat(LOCALE, {
      timeZone: zone || undefined, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
      hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'shortOffset',
    }));
  }
  return formatters.get(key);
}

/** The viewer's IANA zone, e.g. "America/New_York". */
export function viewerZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** "Fri 26 Mar 2027, 02:30 GMT+1" for an ISO instant in `zone` (the viewer's when omitted). */
export function formatIn(iso, zone) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const parts = Object.fromEntries(formatter(zone).formatToParts(date).map((p) => [p.type, p.value]));
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}

const relative = new Intl.RelativeTimeFormat(LOCALE, {numeric: 'auto'});
const UNITS = [['year', 365 * 86400], ['month', 30 * 86400], ['week', 7 * 86400], ['day', 86400],
               ['hour', 3600], ['minute', 60], ['second', 1]];

/** "3 minutes ago", "in 2 days". */
export function fromNow(iso, now = Date.now()) {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second') return relative.format(Math.round(seconds / size), unit);
  }
  return '';
}

/** A <time> element: the instant in the viewer's zone (or `zone`), the ISO value machine-readable. */
export function timeEl(iso, zone) {
  if (!iso) return h('span', {class: 'muted'}, '—');
  return h('time', {datetime: iso, title: `${iso} (${fromNow(iso)})`}, formatIn(iso, zone));
}

/** "+2 s", "+1 min": how long after its nominal tick a scheduled run was triggered. */
export function lag(fromIso, toIso) {
  const seconds = Math.round((new Date(toIso) - new Date(fromIso)) / 1000);
  if (Number.isNaN(seconds)) return '';
  const sign = seconds < 0 ? '−' : '+';
  const abs = Math.abs(seconds);
  if (abs < 120) return `${sign}${abs} s`;
  if (abs < 7200) return `${sign}${Math.round(abs / 60)} min`;
  return `${sign}${Math.round(abs / 3600)} h`;
}
