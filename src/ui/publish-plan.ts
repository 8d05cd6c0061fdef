import { CoreError, DEFAULT_LIMITS, isReservedSitePath, normalisePath, pathCollisionKey, type SiteLimits } from '../core/index.js';

/** A file the publisher picked or dropped, before it is read. */
export interface PickedFile {
  /** Path relative to what was dropped, `/`-separated. */
  path: string;
  size: number;
  blob?: Blob;
}

export type PlanIssueCode =
  | 'E_EMPTY'
  | 'E_FILE_TOO_LARGE'
  | 'E_SITE_TOO_LARGE'
  | 'E_TOO_MANY_FILES'
  | 'E_BAD_PATH'
  | 'E_RESERVED_PATH'
  | 'E_DUPLICATE_PATH'
  | 'W_NO_INDEX'
  | 'W_HIDDEN_SKIPPED';

export interface PlanIssue {
  code: PlanIssueCode;
  /** What it is about: a path, a count. */
  subject?: string;
  /** The limit it breaks, for the limit errors (bytes or files). */
  limit?: number;
}

export interface PublishPlan {
  files: PickedFile[];
  total: number;
  /** The page `/` will show, when there is one. */
  entry?: string;
  /** 404.html when present; the shell (with status 200) for a single-page app. */
  fallback?: string;
  /** The HTML pages, any of which may be the start page. */
  pages: string[];
  /** One page and scripts, no 404.html: probably a single-page app (the publisher decides). */
  looksLikeSpa: boolean;
  /** Problems that stop the publish. */
  errors: PlanIssue[];
  /** Things the publisher should know. */
  warnings: PlanIssue[];
}

/**
 * What publishing these files would do: which files go in (hidden ones skipped, the
 * dropped folder's own name stripped), the entry page, and every problem, before any
 * byte is read or hashed.
 */
export function planPublish(picked: readonly PickedFile[], limits: SiteLimits = DEFAULT_LIMITS): PublishPlan {
  const errors: PlanIssue[] = [];
  const warnings: PlanIssue[] = [];
  const stripped = stripCommonFolder(picked);
  const hidden = new Set(stripped.filter((f) => f.path.split('/').some((s) => s.startsWith('.'))));
  if (hidden.size) warnings.push({ code: 'W_HIDDEN_SKIPPED', subject: String(hidden.size) });
  const files: PickedFile[] = [];
  const seen = new Map<string, string>();
  for (const f of stripped) {
    if (hidden.has(f)) continue;
    let path: string;
    try {
      path = normalisePath(f.path, limits);
    } catch (err) {
      errors.push({ code: 'E_BAD_PATH', subject: f.path });
      if (!(err instanceof CoreError)) throw err;
      continue;
    }
    // The server keeps these paths for itself: such a file could never be reached.
    if (isReservedSitePath(path)) {
      errors.push({ code: 'E_RESERVED_PATH', subject: path });
      continue;
    }
    const clash = seen.get(pathCollisionKey(path));
    if (clash) {
      errors.push({ code: 'E_DUPLICATE_PATH', subject: `${clash} / ${path}` });
      continue;
    }
    seen.set(pathCollisionKey(path), path);
    if (f.size > limits.maxFileBytes) errors.push({ code: 'E_FILE_TOO_LARGE', subject: path, limit: limits.maxFileBytes });
    files.push({ ...f, path });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const total = files.reduce((n, f) => n + f.size, 0);
  if (files.length === 0) errors.push({ code: 'E_EMPTY' });
  if (files.length > limits.maxFiles) errors.push({ code: 'E_TOO_MANY_FILES', subject: String(files.length), limit: limits.maxFiles });
  if (total > limits.maxTotalBytes) errors.push({ code: 'E_SITE_TOO_LARGE', subject: String(total), limit: limits.maxTotalBytes });
  const html = files.filter((f) => /\.html?$/i.test(f.path));
  const entry = files.some((f) => f.path === 'index.html') ? 'index.html' : html.length === 1 ? html[0].path : undefined;
  if (files.length && entry !== 'index.html') warnings.push({ code: 'W_NO_INDEX', subject: entry });
  const fallback = files.some((f) => f.path === '404.html') ? '404.html' : undefined;
  const pages = html.map((f) => f.path);
  const looksLikeSpa = pages.length === 1 && entry === 'index.html' && !fallback && files.some((f) => /\.m?js$/i.test(f.path));
  return { files, total, entry, fallback, pages, looksLikeSpa, errors, warnings };
}

/** What the publisher chose in the plan: the start page, and whether it is a single-page app. */
export interface SiteChoice {
  entry?: string;
  spa: boolean;
}

/**
 * The plan with the publisher's choice applied: a single-page app's unknown paths get its
 * shell (the start page) with status 200; otherwise a 404.html when there is one.
 */
export function applySiteChoice(plan: PublishPlan, choice: SiteChoice): PublishPlan {
  const entry = choice.entry && plan.pages.includes(choice.entry) ? choice.entry : plan.entry;
  const notFound = plan.files.some((f) => f.path === '404.html') ? '404.html' : undefined;
  const warnings = plan.warnings.filter((w) => w.code !== 'W_NO_INDEX' || !choice.entry);
  return { ...plan, entry, fallback: choice.spa ? entry : notFound, warnings };
}

/** Dropping a folder gives paths like `my-site/index.html`; the site starts inside it. */
function stripCommonFolder(files: readonly PickedFile[]): PickedFile[] {
  if (files.length === 0) return [];
  const first = files[0].path.replace(/^\/+/, '').split('/');
  if (first.length < 2) return [...files];
  const prefix = `${first[0]}/`;
  if (!files.every((f) => f.path.replace(/^\/+/, '').startsWith(prefix))) return [...files];
  return files.map((f) => ({ ...f, path: f.path.replace(/^\/+/, '').slice(prefix.length) }));
}

export interface TreeNode {
  name: string;
  path: string;
  size: number;
  children?: TreeNode[];
}

/** Folders and files as a tree, folders first, with folder sizes summed. */
export function fileTree(files: readonly { path: string; size: number }[]): TreeNode[] {
  const root: TreeNode = { name: '', path: '', size: 0, children: [] };
  // Folders by path: a lookup per file, not a scan of its folder (10,000 files in one folder).
  const folders = new Map<string, TreeNode>([['', root]]);
  for (const f of files) {
    const parts = f.path.split('/');
    let node = root;
    node.size += f.size;
    for (let i = 0; i < parts.length - 1; i++) {
      const path = parts.slice(0, i + 1).join('/');
      let child = folders.get(path);
      if (!child) {
        node.children!.push((child = { name: parts[i], path, size: 0, children: [] }));
        folders.set(path, child);
      }
      child.size += f.size;
      node = child;
    }
    node.children!.push({ name: parts[parts.length - 1], path: f.path, size: f.size });
  }
  const byName = (a: TreeNode, b: TreeNode) => Number(Boolean(b.children)) - Number(Boolean(a.children)) || a.name.localeCompare(b.name);
  for (const folder of folders.values()) folder.children!.sort(byName);
  return root.children!;
}

/**
 * The tree cut to its first `max` rows (folders and files, depth first), for display,
 * and how many files were left out: 10,000 rows would take the page seconds to lay out.
 */
export function treeRows(nodes: readonly TreeNode[], max: number): { nodes: TreeNode[]; hidden: number } {
  let left = max;
  let hidden = 0;
  const count = (n: TreeNode): number => (n.children ? n.children.reduce((k, c) => k + count(c), 0) : 1);
  const cut = (list: readonly TreeNode[]): TreeNode[] => {
    const out: TreeNode[] = [];
    for (const n of list) {
      if (left <= 0) {
        hidden += count(n);
        continue;
      }
      left--;
      out.push(n.children ? { ...n, children: cut(n.children) } : n);
    }
    return out;
  };
  const shown = cut(nodes);
  return { nodes: shown, hidden };
}
