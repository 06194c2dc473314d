/**
 * Lint-level guard: code under src/ uses the timers of `src/platform/timers.ts`, never the
 * global `setTimeout`, `setInterval`, `clearTimeout` or `clearInterval` (in Deno 2.9 these
 * are Node's `Timeout`: the first use loads part of the Node layer, and cleared timers
 * with new delays leak timer lists). Comments, strings and regular expressions are blanked
 * before the search; `x.setTimeout(...)` (a method of something else) is not a use.
 *
 * @module
 */

import assert from "node:assert/strict";

const SRC = new URL("../../src/", import.meta.url);

const EXCLUDED = new Set([
  // The replacement itself (its doc comment names the globals it replaces).
  "platform/timers.ts",
]);

const GLOBAL_TIMER =
  /(?<![\w$]|\.\s*)\b(?:setTimeout|setInterval|clearTimeout|clearInterval)\b|\b(?:globalThis|self|window)\s*\.\s*(?:setTimeout|setInterval|clearTimeout|clearInterval)\b/g;

/** Words after which a "/" starts a regular expression, not a division. */
const REGEX_AFTER = new Set([
  "return",
  "typeof",
  "case",
  "in",
  "of",
  "yield",
  "await",
  "void",
  "delete",
  "throw",
  "new",
  "else",
  "do",
]);

/** Each use of a global timer function in `source`, as `line: text`. */
function globalTimerUses(source: string): string[] {
  const code = blankCommentsAndLiterals(source).split("\n");
  const uses: string[] = [];
  code.forEach((line, i) => {
    for (const match of line.matchAll(GLOBAL_TIMER)) uses.push(`${i + 1}: ${match[0]}`);
  });
  return uses;
}

/**
 * `source` with comments, string and template text and regular expressions replaced by
 * spaces (newlines kept, so line numbers stay). `${...}` inside templates stays code.
 */
function blankCommentsAndLiterals(source: string): string {
  const out = source.split("");
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== "\n") out[k] = " ";
  };
  /** Brace depth at which each open template's `${` started. */
  const templates: number[] = [];
  let depth = 0;
  // The last significant code character ("a" for a word) and word: a "/" after an operand
  // divides, anywhere else (after "(", "=", "return" …) it starts a regular expression.
  let last = "";
  let word = "";
  let i = 0;
  const template = () => { // from just after "`" or "}" to "${" or the closing "`"
    const start = i;
    while (i < source.length && source[i] !== "`" && !source.startsWith("${", i)) {
      i += source[i] === "\\" ? 2 : 1;
    }
    blank(start, i);
    if (source.startsWith("${", i)) {
      templates.push(depth++);
      i += 2;
      last = "{";
    } else {
      i++;
      last = "`";
    }
  };
  while (i < source.length) {
    const c = source[i];
    if (source.startsWith("//", i)) {
      const end = source.indexOf("\n", i);
      const stop = end < 0 ? source.length : end;
      blank(i, stop);
      i = stop;
    } else if (source.startsWith("/*", i)) {
      const end = source.indexOf("*/", i + 2);
      const stop = end < 0 ? source.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'") {
      const start = i++;
      while (i < source.length && source[i] !== c && source[i] !== "\n") {
        i += source[i] === "\\" ? 2 : 1;
      }
      blank(start + 1, i++);
      last = c;
    } else if (c === "`") {
      i++;
      template();
    } else if (c === "/" && (last === "a" ? REGEX_AFTER.has(word) : !")]`'\"".includes(last))) {
      const start = i++;
      let inClass = false;
      while (i < source.length && source[i] !== "\n" && (inClass || source[i] !== "/")) {
        if (source[i] === "[") inClass = true;
        else if (source[i] === "]") inClass = false;
        i += source[i] === "\\" ? 2 : 1;
      }
      blank(start + 1, i++);
      last = "/";
    } else if (c === "}" && templates.length > 0 && templates.at(-1) === depth - 1) {
      templates.pop();
      depth--;
      i++;
      template();
    } else {
      if (c === "{") depth++;
      else if (c === "}") depth--;
      if (/[\w$]/.test(c)) {
        const end = source.slice(i).search(/[^\w$]|$/);
        word = source.slice(i, i + end);
        last = "a";
        i += end;
        continue;
      }
      if (!/\s/.test(c)) last = c;
      i++;
    }
  }
  return out.join("");
}

async function* typeScriptFiles(dir: URL, prefix = ""): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = prefix + entry.name;
    if (entry.isDirectory) yield* typeScriptFiles(new URL(`${entry.name}/`, dir), `${path}/`);
    else if (entry.isFile && entry.name.endsWith(".ts")) yield path;
  }
}

Deno.test("globalTimerUses() finds calls and types, not comments, strings or methods", () => {
  const source = [
    "// setTimeout(f, 1) in a comment",
    "/* clearInterval(t)",
    "   setInterval(f, 2) */ const a = 1;",
    'const s = "setTimeout(f, 3)" + `setTimeout ${"x"} clearTimeout(t)`;',
    "const r = /setTimeout\\(/g; const d = a / 2 / 1;",
    "conn.setTimeout(5); this.clearTimeout(); x?.setInterval(1);",
    "setTimeout(f, 0);",
    "let t: ReturnType<typeof setInterval>;",
    "const u = `${setTimeout(f)}`; globalThis.clearTimeout(t);",
    "const setTimer = 1; clearInterval",
  ].join("\n");
  assert.deepEqual(globalTimerUses(source), [
    "7: setTimeout",
    "8: setInterval",
    "9: setTimeout",
    "9: globalThis.clearTimeout",
    "10: clearInterval",
  ]);
});

Deno.test("src/ calls no global setTimeout, setInterval, clearTimeout or clearInterval", async () => {
  const found: string[] = [];
  for await (const path of typeScriptFiles(SRC)) {
    if (EXCLUDED.has(path)) continue;
    const source = await Deno.readTextFile(new URL(path, SRC));
    for (const use of globalTimerUses(source)) found.push(`src/${path}:${use}`);
  }
  assert.deepEqual(
    found.sort(),
    [],
    "use setTimer, setRepeating and clearTimer from src/platform/timers.ts instead",
  );
});
