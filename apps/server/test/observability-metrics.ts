/**
 * A reader of the Prometheus text exposition format (what prom-client serves), for tests: every
 * sample with its labels, and the declared type of each family.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  types: Map<string, string>;
  /** The sum of the samples named `name` whose labels include `match` (0 when there are none). */
  sum(name: string, match?: Record<string, string>): number;
  /** The one sample named `name` with exactly these labels (undefined when absent). */
  get(name: string, labels?: Record<string, string>): number | undefined;
}

function parseLabels(text: string, at: number, line: string): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = at;
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return [labels, i + 1];
    const eq = line.indexOf('=', i);
    if (eq < 0 || line[eq + 1] !== '"') throw new Error(`bad label in: ${text}`);
    const name = line.slice(i, eq).trim();
    let value = '';
    let j = eq + 2;
    for (; j < line.length && line[j] !== '"'; j++) {
      if (line[j] === '\\') {
        const next = line[++j];
        value += next === 'n' ? '\n' : next;
      } else value += line[j];
    }
    if (j >= line.length) throw new Error(`unterminated label value in: ${text}`);
    labels[name] = value;
    i = j + 1;
  }
}

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      const m = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (m) types.set(m[1]!, m[2]!);
      continue;
    }
    const nameEnd = line.search(/[{ ]/);
    if (nameEnd < 0) throw new Error(`bad sample: ${line}`);
    const name = line.slice(0, nameEnd);
    let labels: Record<string, string> = {};
    let rest = nameEnd;
    if (line[nameEnd] === '{') [labels, rest] = parseLabels(line, nameEnd + 1, line);
    const fields = line.slice(rest).trim().split(/\s+/);
    const v = fields[0]!;
    // prom-client writes NaN as `Nan`; Prometheus reads any case.
    const value = v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : /^nan$/i.test(v) ? NaN : Number(v);
    if (Number.isNaN(value) && !/^nan$/i.test(v)) throw new Error(`bad value in: ${line}`);
    samples.push({ name, labels, value });
  }
  const matches = (s: Sample, m: Record<string, string>) => Object.entries(m).every(([k, v]) => s.labels[k] === v);
  return {
    samples,
    types,
    sum: (name, match = {}) => samples.filter((s) => s.name === name && matches(s, match)).reduce((n, s) => n + s.value, 0),
    get: (name, labels = {}) =>
      samples.find((s) => s.name === name && Object.keys(s.labels).length === Object.keys(labels).length && matches(s, labels))?.value,
  };
}
