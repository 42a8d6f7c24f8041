import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every relative link in README.md and docs/ resolves inside the repository: the file exists,
 * is not git-ignored (so a fresh clone, and GitHub, have it too), and a `#fragment` names a
 * heading of the target document. Links to other sites are left alone: no network here.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function markdownFiles(): string[] {
  const files = ['README.md'];
  const walk = (dir: string) => {
    for (const name of readdirSync(join(root, dir))) {
      const path = join(dir, name);
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (name.endsWith('.md')) files.push(path);
    }
  };
  if (existsSync(join(root, 'docs'))) walk('docs');
  return files;
}

/** The text outside fenced code blocks, line by line (a link shown in an example is no link). */
function proseLines(text: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      continue;
    }
    if (fence === undefined) lines.push(line);
  }
  return lines;
}

/** Link targets of a markdown text: `[text](target)`, `![alt](target)`, and src/href attributes. */
export function linkTargets(text: string): string[] {
  const targets: string[] = [];
  for (const raw of proseLines(text)) {
    const line = raw.replace(/`[^`]*`/g, '``'); // code spans are not links
    for (const m of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1]!);
    for (const m of line.matchAll(/\b(?:src|href)="([^"]+)"/g)) targets.push(m[1]!);
  }
  return targets;
}

/** GitHub's anchor for a heading: lower case, markup and punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a markdown document offers, with GitHub's -1, -2 suffixes for repeated headings. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(text)) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

interface Link {
  from: string;
  target: string;
}

const files = markdownFiles();
const links: Link[] = files.flatMap((from) => linkTargets(readFileSync(join(root, from), 'utf8')).map((target) => ({ from, target })));
const local = links.filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l.target));

/** Where a relative link points, from the repository root; undefined for a same-page anchor. */
function pathOf(link: Link): string | undefined {
  const path = decodeURIComponent(link.target.split('#')[0]!);
  if (path === '') return undefined;
  return relative(root, resolve(root, dirname(link.from), path));
}

describe('links in README.md and docs/', () => {
  it('the slug follows GitHub: punctuation and code marks dropped, accents kept', () => {
    expect(slug("Watch a ticket's lifecycle")).toBe('watch-a-tickets-lifecycle');
    expect(slug("The desk's policy: `config/policy.json`")).toBe('the-desks-policy-configpolicyjson');
    expect(slug('The team, from the API')).toBe('the-team-from-the-api');
    expect(slug('Não conecta — *urgente*')).toBe('não-conecta--urgente');
    expect(linkTargets('see [a](docs/a.md#x) and ![b](img.png "t")\n```\n[not](a-link.md)\n```\n`[nor](this.md)`')).toEqual(['docs/a.md#x', 'img.png']);
  });

  it('finds the README and the docs, and links between them', () => {
    expect(files).toContain('README.md');
    expect(files.some((f) => f.startsWith(`docs${sep}`))).toBe(true);
    expect(local.some((l) => l.from === 'README.md' && l.target.startsWith('docs/'))).toBe(true);
  });

  it('every relative link names a file or folder inside the repository', () => {
    const broken = local.filter((l) => {
      const path = pathOf(l);
      if (path === undefined) return false;
      return path.startsWith('..') || !existsSync(join(root, path));
    });
    expect(broken.map((l) => `${l.from}: ${l.target}`)).toEqual([]);
  });

  it('no link points at a git-ignored file (a fresh clone would not have it)', () => {
    const paths = [...new Set(local.map(pathOf).filter((p): p is string => p !== undefined && !p.startsWith('..')))];
    const git = spawnSync('git', ['check-ignore', '--no-index', '--stdin'], { cwd: root, input: paths.join('\n'), encoding: 'utf8' });
    // Exit 1: none ignored; 0: some are (listed on stdout); anything else is git failing.
    expect(git.status === 0 || git.status === 1, git.stderr).toBe(true);
    expect(git.stdout.split('\n').filter(Boolean)).toEqual([]);
  });

  it("every #fragment names a heading of the target document", () => {
    const broken: string[] = [];
    for (const l of local) {
      const hash = l.target.indexOf('#');
      if (hash < 0) continue;
      const path = pathOf(l) ?? l.from;
      if (!path.endsWith('.md') || !existsSync(join(root, path))) continue;
      const anchor = decodeURIComponent(l.target.slice(hash + 1));
      if (!anchorsOf(readFileSync(join(root, path), 'utf8')).has(anchor)) broken.push(`${l.from}: ${l.target}`);
    }
    expect(broken).toEqual([]);
  });
});
