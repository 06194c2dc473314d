/**
 * The few POSIX path operations the config code needs, without `node:path` (which would
 * load Deno's Node compatibility layer at start). Paths are Linux paths: `/`-separated.
 *
 * @module
 */

/** `/a/b` → `/a`, `b` → `.`, `/` → `/` (as POSIX dirname, trailing slashes ignored). */
export function dirname(path: string): string {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path;
  if (trimmed === "" && path !== "") return "/";
  const i = trimmed.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return trimmed.slice(0, i).replace(/\/+$/, "") || "/";
}

/** True for an absolute path. */
export function isAbsolute(path: string): boolean {
  return path.startsWith("/");
}

/** `.` and `..` resolved, repeated slashes collapsed; `""` → `.`. */
export function normalize(path: string): string {
  const absolute = isAbsolute(path);
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length > 0 && parts.at(-1) !== "..") parts.pop();
      else if (!absolute) parts.push("..");
    } else parts.push(part);
  }
  const joined = parts.join("/");
  return absolute ? `/${joined}` : joined || ".";
}

/** The segments joined with `/` and normalized. */
export function join(...segments: string[]): string {
  return normalize(segments.filter((s) => s !== "").join("/"));
}

/** An absolute, normalized path: `path` against the working directory unless absolute. */
export function resolve(path: string): string {
  return isAbsolute(path) ? normalize(path) : normalize(`${Deno.cwd()}/${path}`);
}
