/**
 * Command templates for command objectives: split like a POSIX shell splits words, never run through a
 * shell, then `{param}` placeholders substituted word by word. A parameter value therefore always
 * stays inside the one argument it was written in: `{act}` = `relu; rm -rf /` reaches the program as
 * the single literal argument `relu; rm -rf /`.
 *
 * Splitting accepts exactly the part of `sh` whose meaning is literal, so a command behaves as it would
 * in a shell or is refused with a reason: words are separated by blanks; single quotes keep everything
 * literal; double quotes keep everything literal except `\"`, `\\`, `\$`, `` \` `` and
 * backslash-newline; an unquoted backslash escapes the next character; a leading `~` or `~/` is the home
 * directory. What a shell would interpret — `|`, `&`, `;`, `<`, `>`, `(`, `)`, `$`, backquotes, glob
 * characters `*`, `?`, `[`, a word starting with `#` — is refused unless quoted or escaped: run
 * `sh -c '...'` explicitly when shell features are really wanted.
 */
import { homedir } from 'node:os';
import { InvalidArgumentError } from '../core/errors.js';
import { closest } from '../core/options.js';
import type { Distribution, ParamValue } from '../core/distributions.js';

/** A word of a command template: literal text and placeholders. */
export type TemplatePart = string | { placeholder: string };
export type TemplateWord = TemplatePart[];

const OPERATORS = new Set(['|', '&', ';', '<', '>', '(', ')']);
const GLOBS = new Set(['*', '?', '[']);

function refuse(command: string, index: number, problem: string): never {
  const shown = command.length > 120 ? `${command.slice(0, 120)}...` : command;
  throw new InvalidArgumentError(`command ${JSON.stringify(shown)}: ${problem} (at character ${index + 1})`);
}

/**
 * Splits a command string into argv words as POSIX `sh` would, without any expansion.
 * @example splitCommand(`python train.py --name "my run" --act '{act}'`)
 *   // ['python', 'train.py', '--name', 'my run', '--act', '{act}']
 */
export function splitCommand(command: string): string[] {
  if (typeof command !== 'string') throw new InvalidArgumentError(`command must be a string, got ${typeof command}`);
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const n = command.length;
  while (i < n) {
    const c = command[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) refuse(command, i, 'unterminated single quote');
      word += command.slice(i + 1, end);
      inWord = true;
      i = end + 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const d = command[j];
        if (d === '"') {
          closed = true;
          break;
        }
        if (d === '\\' && j + 1 < n) {
          const e = command[j + 1];
          if (e === '"' || e === '\\' || e === '$' || e === '`') word += e;
          else if (e !== '\n') word += `\\${e}`;
          j += 2;
          continue;
        }
        if (d === '$' || d === '`') {
          refuse(
            command,
            j,
            `${d} inside double quotes would be expanded by a shell, and Tansaku runs no shell: write it in single quotes or as \\${d} to pass it literally`,
          );
        }
        word += d;
        j++;
      }
      if (!closed) refuse(command, i, 'unterminated double quote');
      inWord = true;
      i = j + 1;
      continue;
    }
    if (c === '\\') {
      if (i + 1 >= n) refuse(command, i, 'the command ends with a lone backslash');
      if (command[i + 1] !== '\n') {
        word += command[i + 1];
        inWord = true;
      }
      i += 2;
      continue;
    }
    if (OPERATORS.has(c)) {
      refuse(
        command,
        i,
        `unquoted ${JSON.stringify(c)}: the command is not run through a shell, so pipes, redirections and command lists do not work; quote it to pass it literally, or run sh -c '...' explicitly`,
      );
    }
    if (c === '$' || c === '`') {
      refuse(
        command,
        i,
        `unquoted ${c}: the command is not run through a shell, so variables and command substitution are not expanded; quote it ('${c}') to pass it literally`,
      );
    }
    if (GLOBS.has(c)) {
      refuse(
        command,
        i,
        `unquoted ${JSON.stringify(c)}: a shell would expand it as a file pattern and Tansaku does not; quote it to pass it literally`,
      );
    }
    if (c === '#' && !inWord) {
      refuse(command, i, `a word starting with # is a comment in a shell; quote it to pass it literally`);
    }
    if (c === '~' && !inWord && (i + 1 >= n || command[i + 1] === '/' || /[ \t\n]/.test(command[i + 1]))) {
      word += homedir();
      inWord = true;
      i++;
      continue;
    }
    word += c;
    inWord = true;
    i++;
  }
  if (inWord) words.push(word);
  if (words.length === 0) throw new InvalidArgumentError('command is empty: give the program to run and its arguments');
  return words;
}

/** Placeholders every command may use besides the parameters (a parameter of the same name wins). */
export const BUILTIN_PLACEHOLDERS = ['trial_number', 'study_name', 'params_file'] as const;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Parses the placeholders of each word. `{name}` is a placeholder when `name` is a parameter or a
 * built-in (`trial_number`, `study_name`, `params_file`); `{{name}}` is the literal text `{name}`; any
 * other braces are literal (JSON arguments stay intact). An identifier in braces that names nothing is
 * refused as a likely typo.
 */
export function parseTemplate(words: readonly string[], paramNames: readonly string[]): TemplateWord[] {
  const known = new Set<string>([...paramNames, ...BUILTIN_PLACEHOLDERS]);
  const pattern = /\{\{([A-Za-z_][A-Za-z0-9_.-]*)\}\}|\{([^{}]+)\}/g;
  return words.map((w) => {
    const parts: TemplatePart[] = [];
    let last = 0;
    let literal = '';
    for (const m of w.matchAll(pattern)) {
      const at = m.index ?? 0;
      literal += w.slice(last, at);
      last = at + m[0].length;
      if (m[1] !== undefined) {
        literal += `{${m[1]}}`;
        continue;
      }
      const name = m[2];
      if (known.has(name)) {
        if (literal) parts.push(literal);
        literal = '';
        parts.push({ placeholder: name });
      } else if (IDENTIFIER.test(name)) {
        const names = paramNames.length ? paramNames.map((p) => `{${p}}`).join(', ') : 'none';
        const hint = closest(name, [...known]);
        throw new InvalidArgumentError(
          `command placeholder {${name}} names no parameter of the space${hint ? ` (did you mean {${hint}}?)` : ''}; ` +
            `parameters: ${names}; built-ins: ${BUILTIN_PLACEHOLDERS.map((b) => `{${b}}`).join(', ')}; write {{${name}}} for a literal {${name}}`,
        );
      } else {
        literal += m[0];
      }
    }
    literal += w.slice(last);
    if (literal || parts.length === 0) parts.push(literal);
    return parts;
  });
}

/** Placeholder names used by a parsed template. */
export function placeholdersOf(template: readonly TemplateWord[]): Set<string> {
  const out = new Set<string>();
  for (const w of template) for (const p of w) if (typeof p !== 'string') out.add(p.placeholder);
  return out;
}

/** Text form of a parameter value in argv and environment variables: numbers as JavaScript writes them, strings as is. */
export function formatParamValue(value: ParamValue): string {
  if (value === null) return 'null';
  return String(value);
}

/** Digits after the decimal point in the shortest form of `x` (0.25 → 2, 1e-7 → 7, 3 → 0). */
function decimalPlaces(x: number): number {
  const [mantissa, exponent] = Math.abs(x).toString().split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent ?? 0));
}

/**
 * The value a program is shown for a stepped float: on the grid `low + k·step` in the grid's own
 * decimals (low 0.1, step 0.2 → 0.3, not the 0.30000000000000004 that the arithmetic stores); any other
 * value as it is.
 * @example programValue(0.1 + 0.2, { type: 'float', low: 0.1, high: 0.7, log: false, step: 0.2 }) // 0.3
 */
export function programValue(value: ParamValue, distribution: Distribution | undefined): ParamValue {
  if (typeof value !== 'number' || distribution?.type !== 'float' || distribution.step === null) return value;
  const decimals = Math.max(decimalPlaces(distribution.step), decimalPlaces(distribution.low));
  return decimals <= 15 ? Number(value.toFixed(decimals)) : value;
}

/** Builds argv from a parsed template: each word stays one argument whatever the substituted values contain. */
export function renderTemplate(template: readonly TemplateWord[], values: Readonly<Record<string, string>>): string[] {
  return template.map((w) =>
    w.map((p) => (typeof p === 'string' ? p : Object.hasOwn(values, p.placeholder) ? values[p.placeholder] : '')).join(''),
  );
}

/** `TANSAKU_PARAM_<NAME>`: the name upper-cased, every character other than A-Z and 0-9 replaced by `_`. */
export function paramEnvName(name: string): string {
  return `TANSAKU_PARAM_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash', 'mksh', 'fish']);

/**
 * The placeholders a command substitutes into a shell's script: `sh -c 'train --lr {lr}'` (or bash, zsh
 * ..., with -c among its options). There a value is not an argument but shell code — a categorical
 * choice `$(rm -rf ~)` would run — so the command runner warns; the safe form passes values as the
 * script's positional arguments (`sh -c 'train --lr "$1"' sh {lr}`) or reads `$TANSAKU_PARAM_LR`.
 *
 * @example shellScriptPlaceholders(parseTemplate(splitCommand("sh -c 'train --lr {lr}'"), ['lr'])) // ['lr']
 */
export function shellScriptPlaceholders(template: readonly TemplateWord[]): string[] {
  const program = template[0];
  if (!program || program.some((p) => typeof p !== 'string')) return [];
  const name = (program as string[]).join('').split('/').pop() ?? '';
  if (!SHELLS.has(name)) return [];
  for (let i = 1; i < template.length; i++) {
    const word = template[i];
    if (word.some((p) => typeof p !== 'string')) return []; // a script before -c is not one we can tell
    const text = (word as string[]).join('');
    if (!text.startsWith('-')) return []; // a script file: its arguments are arguments
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(text)) {
      const script = template[i + 1] ?? [];
      return [...new Set(script.filter((p): p is { placeholder: string } => typeof p !== 'string').map((p) => p.placeholder))];
    }
  }
  return [];
}
