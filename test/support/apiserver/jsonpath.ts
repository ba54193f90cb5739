/** The small JSONPath subset CRD printer columns use: .a.b, [n], [*], [?(@.k=="v")]. */

export function evalJsonPath(obj: unknown, path: string): unknown[] {
  let cur: unknown[] = [obj];
  const re =
    /\.([A-Za-z0-9_\-$]+)|\[(\d+)\]|\[\*\]|\[\?\(@\.([A-Za-z0-9_.-]+)\s*==\s*(?:"([^"]*)"|'([^']*)')\)\]|\.\*/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  const p = path.startsWith('{') && path.endsWith('}') ? path.slice(1, -1) : path;
  // biome-ignore lint/suspicious/noAssignInExpressions: tokenizer loop
  while ((m = re.exec(p)) !== null) {
    if (m.index !== consumed) return [];
    consumed = re.lastIndex;
    const next: unknown[] = [];
    for (const c of cur) {
      if (c === null || typeof c !== 'object') continue;
      if (m[1] !== undefined) {
        const v = (c as Record<string, unknown>)[m[1]];
        if (v !== undefined) next.push(v);
      } else if (m[2] !== undefined) {
        const v = Array.isArray(c) ? c[Number(m[2])] : undefined;
        if (v !== undefined) next.push(v);
      } else if (m[3] !== undefined) {
        const want = m[4] ?? m[5];
        if (Array.isArray(c))
          for (const item of c) {
            let v: unknown = item;
            for (const k of m[3].split('.'))
              v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
            if (String(v) === want) next.push(item);
          }
      } else next.push(...(Array.isArray(c) ? c : Object.values(c)));
    }
    cur = next;
  }
  return consumed === p.length ? cur : [];
}
