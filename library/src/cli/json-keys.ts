/**
 * Duplicate keys in JSON text. `JSON.parse` keeps the last of two equal keys in silence; YAML refuses
 * them; a space file or an options object that names a parameter or an option twice is a mistake, so
 * the CLI refuses it too, naming the key and its line. Call it on text `JSON.parse` accepted.
 *
 * @example
 * duplicateJsonKey('{"lr": {"type": "float"},\n "lr": {"type": "int"}}'); // { key: 'lr', line: 2 }
 */
export function duplicateJsonKey(text: string): { key: string; line: number } | null {
  // One set of keys per open object ({ pushes, } pops); arrays push null so brackets stay paired.
  const open: (Set<string> | null)[] = [];
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    else if (c === '{') open.push(new Set());
    else if (c === '[') open.push(null);
    else if (c === '}' || c === ']') open.pop();
    else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const raw = text.slice(i, j + 1);
      const at = line;
      i = j;
      let k = j + 1;
      while (k < text.length && /\s/.test(text[k])) k++;
      const keys = open[open.length - 1];
      if (text[k] === ':' && keys) {
        const key = JSON.parse(raw) as string;
        if (keys.has(key)) return { key, line: at };
        keys.add(key);
      }
    }
  }
  return null;
}
