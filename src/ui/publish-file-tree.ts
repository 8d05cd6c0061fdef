import { html, nothing } from 'lit';
import { formatCount, formatSize } from './format-size.js';
import { fileTree, treeRows, type PickedFile, type TreeNode } from './publish-plan.js';

/** Rows of the file tree shown; the rest is counted. */
const TREE_ROWS = 500;

function treeList(nodes: TreeNode[], top = false): unknown {
  return html`<ul class="tree ${top ? 'top' : ''}" role=${top ? 'tree' : 'group'} aria-label=${top ? 'Files to publish' : nothing}>
    ${nodes.map(
      (n) => html`<li role="treeitem" aria-expanded=${n.children ? 'true' : nothing} class=${n.children ? 'folder' : 'file'}>
        <span class="name"><span>${n.children ? `${n.name}/` : n.name}</span><span class="size">${formatSize(n.size)}</span></span>
        ${n.children ? treeList(n.children) : nothing}
      </li>`,
    )}
  </ul>`;
}

/**
 * The files to publish as a folder tree, cut at TREE_ROWS rows with a count of the rest.
 * Costly for large drops: callers render it under `guard([files])`.
 */
export function fileTreeView(files: readonly PickedFile[]) {
  const { nodes, hidden } = treeRows(fileTree(files), TREE_ROWS);
  return html`<div class="files">
    ${treeList(nodes, true)}
    ${hidden ? html`<p class="small muted" data-field="tree-more">…and ${formatCount(hidden)} more ${hidden === 1 ? 'file' : 'files'} not listed here.</p>` : nothing}
  </div>`;
}
