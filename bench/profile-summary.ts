// `node bench/dist/bench/profile-summary.js <file.cpuprofile> [top]`: the functions with the most
// self time in a V8 CPU profile (from `npm run bench -- --cpu-prof`), and the same grouped by
// package or source folder, which is what tells you whose code the proxy spends its time in.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

// The command line runs as an esbuild bundle: a frame's line in a chunk belongs to the module
// named by the nearest `// path/to/module.js` comment esbuild put above it.
const bundleModules = new Map<string, { line: number; path: string }[]>();
function moduleInBundle(url: string, lineNumber: number): string | undefined {
  if (!url.startsWith('file://')) return undefined;
  let starts = bundleModules.get(url);
  if (!starts) {
    starts = [];
    try {
      readFileSync(new URL(url), 'utf8')
        .split('\n')
        .forEach((text, line) => {
          const match = /^\/\/ ((?:node_modules|dist|src)\/\S+\.[cm]?js)$/.exec(text);
          if (match?.[1]) starts?.push({ line, path: match[1] });
        });
    } catch {
      // A profile from another checkout: fall back to the chunk's own name.
    }
    bundleModules.set(url, starts);
  }
  let found: string | undefined;
  for (const start of starts) {
    if (start.line > lineNumber) break;
    found = start.path;
  }
  return found;
}

function owner(url: string, lineNumber = 0): string {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return url;
  const path = moduleInBundle(url, lineNumber) ?? url;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (modules?.[1]) return modules[1];
  const ours = /(?:^|\/)dist\/(.+)\/[^/]+\.js$/.exec(path);
  return ours?.[1] ? `src/${ours[1]}` : path;
}

function main(): void {
  const [file, topText] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node bench/dist/bench/profile-summary.js <file.cpuprofile> [top]\n');
    process.exitCode = 2;
    return;
  }
  const top = Number(topText ?? 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idle = [...selfUs].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((a, [, us]) => a + us, 0);

  const functions = new Map<string, number>();
  const owners = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') continue;
    const where = frame.url ? `${owner(frame.url, frame.lineNumber)}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    functions.set(key, (functions.get(key) ?? 0) + us);
    const who = owner(frame.url, frame.lineNumber);
    owners.set(who, (owners.get(who) ?? 0) + us);
  }
  // Native frames (socket writes, TLS, GC) have no URL: charge them to the nearest JS caller,
  // which says whose write it was (the HTTP response, the upstream request, the log line).
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const nativeCallers = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.url || frame.functionName.startsWith('(')) continue;
    let up = parent.get(id);
    const chain: string[] = [];
    while (up !== undefined && chain.length < 3) {
      const f = byId.get(up)?.callFrame;
      if (f?.url) chain.push(`${f.functionName || '(anonymous)'} ${owner(f.url, f.lineNumber)}:${f.lineNumber + 1}`);
      up = parent.get(up);
    }
    const key = `${frame.functionName} <- ${chain.join(' <- ') || '?'}`;
    nativeCallers.set(key, (nativeCallers.get(key) ?? 0) + us);
  }
  const busy = total - idle;
  const pct = (us: number): string => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
  process.stdout.write(`${file}\nsampled ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (percentages are of busy time)\n\n`);
  process.stdout.write('self time by package / source folder:\n');
  for (const [name, us] of [...owners].sort((x, y) => y[1] - x[1]).slice(0, top)) process.stdout.write(`${pct(us)}  ${name}\n`);
  process.stdout.write('\nself time by function:\n');
  for (const [name, us] of [...functions].sort((x, y) => y[1] - x[1]).slice(0, top)) process.stdout.write(`${pct(us)}  ${name}\n`);
  process.stdout.write('\nnative self time by JS caller (up to 3 JS frames):\n');
  for (const [name, us] of [...nativeCallers].sort((x, y) => y[1] - x[1]).slice(0, top)) process.stdout.write(`${pct(us)}  ${name}\n`);
}

main();
