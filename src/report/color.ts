// Whether cubicle paints its own lines: --color/--no-color, then FORCE_COLOR as Node and chalk
// read it (it wins over NO_COLOR, as in Node), then NO_COLOR (https://no-color.org: set and not
// empty), then whether the stream is a terminal that is not `dumb`. Job output is the job's own
// and keeps its colours either way.

/**
 * FORCE_COLOR's verdict, undefined when it is unset: '', true and 1, 2, 3 (a colour depth) force
 * colours; 0 and false turn them off. A depth above 3 is 3 for chalk (colours), an error for Node
 * (none): colours, since whoever set it wants them; any other word is off, as in Node.
 */
export function forceColorFrom(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  return value === '' || value === 'true' || (/^\d+$/.test(value) && Number(value) >= 1);
}

export function colorEnabled(options: {
  readonly flag?: boolean | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly tty: boolean;
}): boolean {
  if (options.flag !== undefined) return options.flag;
  const forced = forceColorFrom(options.env.FORCE_COLOR);
  if (forced !== undefined) return forced;
  if (options.env.NO_COLOR) return false;
  return options.tty && options.env.TERM !== 'dumb';
}
