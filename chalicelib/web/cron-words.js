// A schedule trigger's cron expression in words ("At 02:30, on days 26 to 30 of the month, in March").
// The grammar and the day rule are the service's (chalicelib/logic/cron_schedule.py, SPEC §6): five
// fields, `*`, N, N-M, each with an optional /STEP (N/STEP = N-max/STEP), month and weekday names,
// Sunday as 0 or 7, and the POSIX rule: when both day fields are restricted (neither starts with `*`)
// a day matches if EITHER does. Anything this cannot read gives null (the page shows the raw cron).

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
                'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = Object.fromEntries(MONTHS.map((m, i) => [m.slice(0, 3).toUpperCase(), i + 1]));
const WEEKDAY_NAMES = Object.fromEntries(WEEKDAYS.map((d, i) => [d.slice(0, 3).toUpperCase(), i]));

const FIELDS = [
  {name: 'minute', low: 0, high: 59},
  {name: 'hour', low: 0, high: 23},
  {name: 'day', low: 1, high: 31},
  {name: 'month', low: 1, high: 12, names: MONTH_NAMES},
  {name: 'weekday', low: 0, high: 7, names: WEEKDAY_NAMES},
];

function value(token, field) {
  let n;
  if (/^[0-9]{1,4}$/.test(token)) n = Number(token);
  else if (field.names && token.toUpperCase() in field.names) return field.names[token.toUpperCase()];
  else throw new Error(`bad value ${token}`);
  if (n < field.low || n > field.high) throw new Error(`out of range ${token}`);
  return n;
}

/** {text, star, items: [{low, high, step, kind: 'all'|'range'|'from'|'one'}]} */
function parseField(text, field) {
  const items = text.split(',').map((item) => {
    const [base, stepText, extra] = item.split('/');
    if (!base || extra !== undefined) throw new Error('bad item');
    let step = 1;
    if (stepText !== undefined) {
      if (!/^[0-9]{1,4}$/.test(stepText)) throw new Error('bad step');
      step = Number(stepText);
      if (step < 1 || step > field.high - field.low + 1) throw new Error('bad step');
    }
    if (base === '*') return {low: field.low, high: field.high, step, kind: 'all'};
    if (base.includes('-')) {
      const [a, b] = base.split('-');
      const low = value(a, field);
      let high = value(b, field);
      if (field.names === WEEKDAY_NAMES && high === 0 && low > 0) high = 7; // FRI-SUN
      if (low > high) throw new Error('backwards range');
      return {low, high, step, kind: 'range'};
    }
    const low = value(base, field);
    return stepText !== undefined ? {low, high: field.high, step, kind: 'from'} : {low, high: low, step, kind: 'one'};
  });
  return {text, star: text.startsWith('*'), items};
}

function isEvery(field) {
  return field.items.length === 1 && field.items[0].kind === 'all' && field.items[0].step === 1;
}

function singles(field) {
  return field.items.every((i) => i.kind === 'one') ? field.items.map((i) => i.low) : null;
}

function ordinal(n) {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({1: 'st', 2: 'nd', 3: 'rd'}[n % 10] || 'th');
  return `${n}${suffix}`;
}

function joinWords(words) {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

const pad = (n) => String(n).padStart(2, '0');

/** Items of a field in words: "26 to 30", "Monday to Friday", "every 2nd hour from 9 to 17". */
function listWords(field, name, unit) {
  return joinWords(field.items.map((item) => {
    if (item.kind === 'one') return name(item.low);
    if (item.kind === 'range' && item.step === 1) return `${name(item.low)} to ${name(item.high)}`;
    const every = `every ${item.step === 1 ? '' : `${ordinal(item.step)} `}${unit}`;
    if (item.kind === 'all') return every;
    if (item.kind === 'from') return `${every} from ${name(item.low)}`;
    return `${every} from ${name(item.low)} to ${name(item.high)}`;
  }));
}

function describeTime(minute, hour) {
  const mins = singles(minute);
  const hours = singles(hour);
  const stepOnly = (f) => f.items.length === 1 && f.items[0].kind === 'all' && f.items[0].step > 1 ? f.items[0].step : null;
  if (isEvery(minute) && isEvery(hour)) return 'Every minute';
  if (stepOnly(minute) && isEvery(hour)) return `Every ${stepOnly(minute)} minutes`;
  if (mins && mins.length === 1 && isEvery(hour)) {
    return mins[0] === 0 ? 'Every hour, on the hour' : `Every hour, at ${mins[0]} minutes past`;
  }
  if (mins && mins.length === 1 && stepOnly(hour)) {
    return `Every ${stepOnly(hour)} hours, at ${mins[0] === 0 ? 'the hour' : `${mins[0]} minutes past`}`;
  }
  if (mins && hours && mins.length * hours.length <= 8) {
    return `At ${joinWords(hours.flatMap((h) => mins.map((m) => `${pad(h)}:${pad(m)}`)))}`;
  }
  const minuteWords = isEvery(minute) ? 'Every minute' : `At minute ${listWords(minute, String, 'minute')}`;
  const hourWords = isEvery(hour) ? '' : ` past hour ${listWords(hour, String, 'hour')}`;
  return minuteWords + hourWords;
}

function describeDays(dom, dow) {
  const domWords = () => {
    const [first] = dom.items;
    if (dom.items.length === 1 && first.kind === 'all') return `${listWords(dom, String, 'day')} of the month`;
    return `${dom.items.length === 1 && first.kind === 'one' ? 'day' : 'days'} ${listWords(dom, String, 'day')} of the month`;
  };
  const dowWords = () => listWords(dow, (d) => WEEKDAYS[d % 7], 'day of the week');
  const domRestricted = !isEvery(dom);
  const dowRestricted = !isEvery(dow);
  if (!domRestricted && !dowRestricted) return '';  // every day: said by the caller when it helps
  if (!dom.star && !dow.star) return `on ${domWords()} or on ${dowWords()}`; // POSIX: either matches
  if (domRestricted && dowRestricted) return `on ${domWords()}, if it is ${dowWords()}`;
  return domRestricted ? `on ${domWords()}` : `on ${dowWords()}`;
}

/** The expression in words, or null when it is not a valid 5-field expression. */
export function describeCron(expr) {
  const parts = String(expr || '').trim().split(/\s+/);
  if (parts.length !== 5) return null;
  let fields;
  try {
    fields = parts.map((text, i) => parseField(text, FIELDS[i]));
  } catch (_) {
    return null;
  }
  const [minute, hour, dom, month, dow] = fields;
  const time = describeTime(minute, hour);
  let days = describeDays(dom, dow);
  // "At 02:30" alone reads as a one-off: say it is daily (the Every … forms already say how often).
  if (!days && isEvery(month) && time.startsWith('At ')) days = 'every day';
  const words = [time, days];
  if (!isEvery(month)) words.push(`in ${listWords(month, (m) => MONTHS[m - 1], 'month')}`);
  return words.filter(Boolean).join(', ');
}
