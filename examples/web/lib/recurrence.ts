// The recurrence picker's choices and the RRULE text each stands for (contract "Recurring tasks").
// The API validates and normalises every rule; this file only turns a few common choices into rule
// text and back, and says in words what a rule means. Anything else is a custom rule, shown as typed.

export type RepeatKind = 'none' | 'daily' | 'weekdays' | 'weekly' | 'monthly' | 'yearly' | 'custom';

export const REPEAT_KINDS: { kind: RepeatKind; label: string }[] = [
  { kind: 'none', label: 'Does not repeat' },
  { kind: 'daily', label: 'Daily' },
  { kind: 'weekdays', label: 'Every weekday' },
  { kind: 'weekly', label: 'Weekly on…' },
  { kind: 'monthly', label: 'Monthly on this day' },
  { kind: 'yearly', label: 'Yearly' },
  { kind: 'custom', label: 'Custom rule' },
];

/** RFC 5545 weekday codes, Monday first, with the names the picker shows. */
export const WEEKDAYS = [
  ['MO', 'Mon'],
  ['TU', 'Tue'],
  ['WE', 'Wed'],
  ['TH', 'Thu'],
  ['FR', 'Fri'],
  ['SA', 'Sat'],
  ['SU', 'Sun'],
] as const;
const WORKDAYS = 'MO,TU,WE,TH,FR';
/** JavaScript's getDay() (0 = Sunday) as an RFC 5545 code. */
const codeOfDay = (day: number) => WEEKDAYS[(day + 6) % 7][0];

export interface RepeatChoice {
  kind: RepeatKind;
  /** Weekday codes for `weekly`. */
  days: string[];
  /** The rule text for `custom`. */
  custom: string;
}

/**
 * The rule text of a choice, for a series starting at `due` (a Date in the browser's zone): `monthly`
 * is on the due date's day of the month, `weekly` without days on the due date's weekday. Null: no
 * recurrence.
 */
export function ruleOf(choice: RepeatChoice, due: Date | null): string | null {
  switch (choice.kind) {
    case 'none':
      return null;
    case 'daily':
      return 'FREQ=DAILY';
    case 'weekdays':
      return `FREQ=WEEKLY;BYDAY=${WORKDAYS}`;
    case 'weekly': {
      const days = WEEKDAYS.map(([code]) => code).filter((code) => choice.days.includes(code));
      if (days.length === 0 && due) days.push(codeOfDay(due.getDay()));
      return days.length ? `FREQ=WEEKLY;BYDAY=${days.join(',')}` : 'FREQ=WEEKLY';
    }
    case 'monthly':
      return due ? `FREQ=MONTHLY;BYMONTHDAY=${due.getDate()}` : 'FREQ=MONTHLY';
    case 'yearly':
      return 'FREQ=YEARLY';
    case 'custom':
      // The API takes it or says why not (400 naming recurrence.rule).
      return choice.custom.trim();
  }
}

const parts = (rule: string): Map<string, string> =>
  new Map(
    rule
      .replace(/^RRULE:/i, '')
      .split(';')
      .map((part) => part.split('=') as [string, string])
      .map(([key, value]) => [key.toUpperCase(), value ?? '']),
  );

/** The choice a stored rule is (the API stores rules normalised); anything else is `custom`. */
export function choiceOf(rule: string | null | undefined): RepeatChoice {
  const none: RepeatChoice = { kind: 'none', days: [], custom: '' };
  if (!rule) return none;
  const p = parts(rule);
  const keys = [...p.keys()].sort().join(',');
  const freq = p.get('FREQ');
  if (keys === 'FREQ' && freq === 'DAILY') return { ...none, kind: 'daily' };
  if (keys === 'FREQ' && freq === 'YEARLY') return { ...none, kind: 'yearly' };
  if (keys === 'BYMONTHDAY,FREQ' && freq === 'MONTHLY' && /^\d+$/.test(p.get('BYMONTHDAY')!))
    return { ...none, kind: 'monthly' };
  if (keys === 'BYDAY,FREQ' && freq === 'WEEKLY') {
    const days = p.get('BYDAY')!.split(',');
    if (days.join(',') === WORKDAYS) return { ...none, kind: 'weekdays' };
    if (days.every((d) => WEEKDAYS.some(([code]) => code === d))) return { ...none, kind: 'weekly', days };
  }
  return { ...none, kind: 'custom', custom: rule };
}

const ordinal = (n: number) => {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
};

/** "Repeats daily", "Repeats weekly on Mon, Thu", …, or the rule itself for anything custom. */
export function describeRule(rule: string): string {
  const choice = choiceOf(rule);
  switch (choice.kind) {
    case 'daily':
      return 'Repeats daily';
    case 'weekdays':
      return 'Repeats every weekday';
    case 'weekly':
      return `Repeats weekly on ${WEEKDAYS.filter(([code]) => choice.days.includes(code))
        .map(([, name]) => name)
        .join(', ')}`;
    case 'monthly':
      return `Repeats monthly on the ${ordinal(Number(parts(rule).get('BYMONTHDAY')))}`;
    case 'yearly':
      return 'Repeats yearly';
    default:
      return `Repeats: ${rule}`;
  }
}
