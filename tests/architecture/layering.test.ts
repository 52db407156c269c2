// The layering rules, checked by reading every import statement in the tree (static imports,
// re-exports and dynamic import() calls): nothing below the server imports the server, the
// CLIs or the routes; lucia stays inside app/auth; and the production server's static module
// graph never reaches the demo seed generator (an empty demo database loads it on demand).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
const SOURCE = /\.(ts|tsx)$/;

function filesUnder(dir: string): string[] {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : filesUnder(rel);
    return SOURCE.test(entry.name) ? [rel] : [];
  });
}

type Import = { specifier: string; dynamic: boolean; line: number };

/** Every module a file names: `import … from`, `export … from`, `import "x"` and `import("x")`. */
function importsOf(source: string): Import[] {
  const found: Import[] = [];
  const lineAt = (index: number) => source.slice(0, index).split("\n").length;
  // Comments first, so an example in a comment is not an import.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " ")).replace(/(^|[^:])\/\/.*$/gm, "$1");
  const statics = /^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gm;
  for (const m of code.matchAll(statics)) {
    found.push({ specifier: (m[1] ?? m[2])!, dynamic: false, line: lineAt(m.index!) });
  }
  for (const m of code.matchAll(/\bimport\s*\(\s*["']([^"']+)["']\s*\)/g)) {
    found.push({ specifier: m[1]!, dynamic: true, line: lineAt(m.index!) });
  }
  return found;
}

/** A relative specifier as a repository path (extension resolved); a package name as itself. */
function resolve(from: string, specifier: string): string {
  if (!specifier.startsWith(".")) return specifier;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`]) {
    if (fs.existsSync(path.join(root, candidate)) && fs.statSync(path.join(root, candidate)).isFile()) return candidate;
  }
  return base;
}

const cache = new Map<string, Import[]>();
function importsOfFile(file: string): Import[] {
  let found = cache.get(file);
  if (!found) cache.set(file, (found = importsOf(fs.readFileSync(path.join(root, file), "utf8"))));
  return found;
}

type Edge = { file: string; line: number; target: string };
function edges(files: string[]): Edge[] {
  return files.flatMap((file) =>
    importsOfFile(file).map((i) => ({ file, line: i.line, target: resolve(file, i.specifier) })),
  );
}
const show = (e: Edge) => `${e.file}:${e.line} imports ${e.target}`;

/** Files reachable from `entry` through static imports (what loading it loads). */
function staticGraph(entry: string): Map<string, string> {
  const parent = new Map<string, string>([[entry, ""]]);
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift()!;
    for (const i of importsOfFile(file)) {
      if (i.dynamic) continue;
      const target = resolve(file, i.specifier);
      if (!SOURCE.test(target) || parent.has(target) || !fs.existsSync(path.join(root, target))) continue;
      parent.set(target, file);
      queue.push(target);
    }
  }
  return parent;
}

function chain(graph: Map<string, string>, file: string): string {
  const steps = [file];
  for (let f = graph.get(file); f; f = graph.get(f)) steps.unshift(f);
  return steps.join(" → ");
}

const layerBelowServer = [...filesUnder("db"), ...filesUnder("app/domain")];
const everything = ["app", "db", "emails", "tests"].flatMap(filesUnder);
const SEED_GENERATOR = /^db\/seed\/(?!demo-accounts\.ts$|demo-if-empty\.ts$)/;

describe("layering", () => {
  it("reads the import statements it checks", () => {
    expect(
      importsOf(`import a from "./a";\nimport {\n  b,\n} from "../b";\nexport * from "./c";\nimport "./d";\n` +
        `// import x from "./commented";\nconst e = await import("./e");`).map((i) => i.specifier),
    ).toEqual(["./a", "../b", "./c", "./d", "./e"]);
    expect(layerBelowServer).toContain("db/factories.ts");
    expect(layerBelowServer).toContain("app/domain/deals.server.ts");
  });

  it("nothing under db/ or app/domain/ imports app/cli, app/server or the routes", () => {
    const broken = edges(layerBelowServer).filter((e) => /^app\/(cli|server|routes)(\/|\.|$)/.test(e.target));
    expect(broken.map(show)).toEqual([]);
  });

  it("only app/auth/ imports lucia", () => {
    const broken = edges(everything).filter(
      (e) => (e.target === "lucia" || e.target.startsWith("lucia/")) && !e.file.startsWith("app/auth/"),
    );
    expect(broken.map(show)).toEqual([]);
  });

  it("nothing under app/server/ imports the demo seed generator", () => {
    const broken = edges(filesUnder("app/server")).filter((e) => SEED_GENERATOR.test(e.target));
    expect(broken.map(show)).toEqual([]);
  });

  it("the production server's static module graph does not reach the seed generator", () => {
    const graph = staticGraph("app/server/index.ts");
    expect(graph.has("app/db.server.ts")).toBe(true); // the walk does follow the server's imports
    expect(graph.has("db/seed/demo-if-empty.ts")).toBe(true);
    const reached = [...graph.keys()].filter((f) => SEED_GENERATOR.test(f));
    expect(reached.map((f) => chain(graph, f))).toEqual([]);
  });
});
