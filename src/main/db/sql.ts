/**
 * Parameterised SQL only. `sql` is a tagged template that turns every interpolated value into a
 * numbered parameter; fragments made with `sql` can be nested and are renumbered. The only way
 * to put an identifier into SQL is `sqlId`, which checks it against a strict pattern.
 */
export class SqlFragment {
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
  ) {}
}

class SqlIdentifier {
  constructor(readonly name: string) {}
}

/** A value already written as JSON text (see sqlJson). */
class SqlJsonText {
  constructor(readonly text: string) {}
}

/**
 * A value as one JSON text parameter. JSON.stringify writes NUL as the escape \u0000, never as
 * the character, so the text skips the NUL scan every other string gets (storable): a pulled
 * batch of 5,000 messages is several megabytes, and that scan was 2.7 % of a first pull's time on
 * the main thread (CPU profile of tests/sync/bench/profile.ts).
 */
export function sqlJson(value: unknown): SqlJsonText {
  return new SqlJsonText(JSON.stringify(value));
}

/**
 * JSON text that PostgreSQL or JSON.stringify wrote (a team server's rows, as a pull keeps them),
 * as one parameter. Neither writes NUL as the character (PostgreSQL's text cannot hold it), so it
 * skips the NUL scan as sqlJson's does.
 */
export function sqlJsonText(text: string): SqlJsonText {
  return new SqlJsonText(text);
}

export interface SqlQuery {
  text: string;
  values: unknown[];
}

export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlFragment {
  return new SqlFragment(strings, values);
}

const IDENT_RE = /^[a-z_][a-z0-9_]{0,62}$/;

export function sqlId(name: string): SqlIdentifier {
  if (!IDENT_RE.test(name)) throw new Error(`Refusing unsafe SQL identifier: ${JSON.stringify(name)}`);
  return new SqlIdentifier(name);
}

/** Joins fragments with a separator (which is SQL text, not a value). */
export function sqlJoin(parts: SqlFragment[], separator: string): SqlFragment {
  if (parts.length === 0) return sql``;
  const strings: string[] = [''];
  const values: unknown[] = [];
  parts.forEach((part, i) => {
    if (i > 0) strings[strings.length - 1] += separator;
    values.push(part);
    strings.push('');
  });
  return new SqlFragment(strings, values);
}

export const sqlEmpty = sql``;

/**
 * PostgreSQL text cannot hold NUL. Every string that reaches the database, whatever method sent
 * it (message content, a model name, a UI key), gets the same cleaning here: NUL becomes U+FFFD,
 * so one stray character never fails a whole write.
 */
function storable(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
  if (Array.isArray(value)) return value.map(storable);
  return value;
}

export function compile(fragment: SqlFragment): SqlQuery {
  const values: unknown[] = [];
  const walk = (frag: SqlFragment): string => {
    let text = frag.strings[0] ?? '';
    frag.values.forEach((value, i) => {
      if (value instanceof SqlFragment) text += walk(value);
      else if (value instanceof SqlIdentifier) text += `"${value.name}"`;
      else {
        values.push(value instanceof SqlJsonText ? value.text : storable(value));
        text += `$${values.length}`;
      }
      text += frag.strings[i + 1] ?? '';
    });
    return text;
  };
  return { text: walk(fragment), values };
}
