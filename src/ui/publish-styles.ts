import { css } from 'lit';

/**
 * The look of the publish view and of the templates it renders (drop zone, plan, file
 * tree, diff, progress and result cards): they all render into its one shadow root.
 */
export const publishStyles = css`
  .drop { position: relative; border: 2px dashed var(--line-strong); border-radius: var(--radius); padding: 2.2rem 1rem; text-align: center;
    background: var(--surface); transition: background 0.15s, border-color 0.15s; }
  .drop.over { background: var(--accent-bg); border-color: var(--accent); }
  .drop .big { font-size: 1.1rem; font-weight: 600; margin: 0.5rem 0 0.2rem; }
  .drop svg { width: 2.6rem; height: 2.6rem; color: var(--accent); }
  .drop .row { justify-content: center; margin-top: 0.9rem; }
  .limits { margin-top: 0.8rem; }
  .after { display: grid; gap: 1rem; margin-top: 1rem; }
  .after .card, .after .note { margin: 0; }
  .summary { display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; align-items: baseline; margin-bottom: 0.5rem; }
  .summary h3 { margin: 0; font-size: 1.05rem; }
  .columns { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1rem; margin-top: 0.8rem; align-items: start; }
  @media (max-width: 720px) { .columns { grid-template-columns: minmax(0, 1fr); } }
  ul.tree { list-style: none; margin: 0; padding: 0 0 0 1.1rem; font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace; font-size: 0.84rem; }
  ul.tree.top { padding: 0.6rem 0.8rem; max-height: 18rem; overflow: auto; border: 1px solid var(--line); border-radius: 10px; background: var(--field); }
  ul.tree li { padding: 0.08rem 0; }
  .name { display: inline-flex; justify-content: space-between; width: 100%; gap: 1rem; }
  .folder > .name { font-weight: 600; }
  .size { color: var(--muted); white-space: nowrap; }
  .frame { border: 1px solid var(--line); border-radius: 10px; overflow: hidden; background: #fff; height: 18rem; display: flex; flex-direction: column; }
  .frame .bar { font-size: 0.75rem; padding: 0.3rem 0.6rem; background: var(--chip); color: var(--muted); }
  .frame iframe { border: 0; width: 100%; flex: 1; background: #fff; }
  .actions { margin-top: 1rem; gap: 0.75rem; }
  .actions label { display: flex; flex-direction: column; gap: 0.25rem; font-size: 0.875rem; color: var(--muted); flex: 1 1 16rem; }
  .actions .primary { align-self: flex-end; }
  .diff { margin-top: 1rem; padding-top: 0.9rem; border-top: 1px solid var(--line); }
  .diff ul { list-style: none; padding: 0; margin: 0.4rem 0; font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace; font-size: 0.84rem; }
  .diff li { padding: 0.1rem 0; }
  .added { color: var(--ok); } .removed { color: var(--danger); } .modified { color: var(--warn); }
  ol.steps { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.55rem; }
  ol.steps li { display: grid; grid-template-columns: 1.4rem 1fr; align-items: center; gap: 0.2rem 0.5rem; }
  ol.steps .icon { width: 1.2rem; height: 1.2rem; border-radius: 50%; border: 2px solid var(--line-strong); display: grid; place-items: center; font-size: 0.7rem; }
  ol.steps .done .icon { background: var(--ok); border-color: var(--ok); color: #fff; }
  ol.steps .active .icon { border-color: var(--accent); }
  ol.steps .pending { color: var(--muted); }
  /* In view while the page scrolls: below the app's sticky header (main.ts sets its height). */
  .progress-card { position: sticky; top: calc(var(--p2p-sticky-top, 0px) + 0.5rem); z-index: 1; box-shadow: 0 6px 18px -10px rgb(0 0 0 / 0.35); }
  .progress-head { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
  .progress-head h3 { margin: 0; }
  .progress-head .step { font-weight: 600; color: var(--accent-text); }
  .counts { font-variant-numeric: tabular-nums; margin: 0.35rem 0 0.5rem; }
  .progress-card progress { width: 100%; height: 0.5rem; accent-color: var(--accent); margin-bottom: 0.7rem; }
  .progress-card ol.steps { grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); }
  .done-card { display: flex; gap: 1.25rem; flex-wrap: wrap; align-items: flex-start; border-color: color-mix(in srgb, var(--ok) 45%, var(--line)); }
  .done-card .text { flex: 1 1 18rem; min-width: 0; }
  .done-card h3 { color: var(--ok); }
  .link { display: block; font-size: 0.95rem; margin: 0.2rem 0 0.7rem; overflow-wrap: anywhere; }
`;
