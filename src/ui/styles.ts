import { css } from 'lit';

/**
 * Shared look of the app's elements. Colours come from custom properties set in
 * index.html (light and dark through `color-scheme` and `light-dark()`), so shadow
 * roots inherit them.
 */
export const base = css`
  :host { display: block; color: var(--text); }
  *, *::before, *::after { box-sizing: border-box; }
  h2 { font-size: 1.15rem; margin: 0 0 0.35rem; letter-spacing: -0.01em; }
  h3 { font-size: 1rem; margin: 0 0 0.5rem; }
  p { margin: 0.4rem 0; }
  a { color: var(--accent-text); }
  code, .mono { font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace; font-size: 0.86em; overflow-wrap: anywhere; }
  .card { background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius); padding: 1.1rem 1.25rem; margin: 0 0 1rem; }
  .muted { color: var(--muted); }
  .small { font-size: 0.875rem; }
  .row { display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: center; }
  button, .button { font: inherit; font-size: 0.94rem; line-height: 1.2; display: inline-flex; align-items: center; gap: 0.4rem; padding: 0.55rem 0.95rem;
    border-radius: 9px; border: 1px solid var(--line-strong); background: var(--surface); color: var(--text); cursor: pointer; text-decoration: none; white-space: nowrap; }
  button:hover, .button:hover { background: var(--hover); }
  button.primary, .button.primary { background: var(--accent); border-color: var(--accent); color: #fff; font-weight: 600; }
  button.primary:hover { filter: brightness(1.08); }
  button.danger { color: var(--danger); }
  button:disabled { opacity: 0.5; cursor: not-allowed; }
  button:focus-visible, .button:focus-visible, .button:focus-within, a:focus-visible, input:focus-visible, select:focus-visible, [tabindex]:focus-visible {
    outline: 3px solid var(--focus); outline-offset: 2px; }
  input[type='text'], input[type='password'], input[type='search'], select { font: inherit; padding: 0.55rem 0.7rem; border-radius: 9px;
    border: 1px solid var(--line-strong); background: var(--field); color: var(--text); min-width: 0; }
  input[type='file'] { position: absolute; opacity: 0; width: 1px; height: 1px; pointer-events: none; }
  .error { color: var(--danger); }
  .warning { color: var(--warn); }
  .ok { color: var(--ok); }
  .note { border-radius: 10px; padding: 0.6rem 0.85rem; margin: 0.6rem 0; font-size: 0.92rem; }
  .note.error { background: var(--danger-bg); color: var(--danger); border: 1px solid color-mix(in srgb, var(--danger) 35%, transparent); }
  .note.warning { background: var(--warn-bg); color: var(--text); border: 1px solid color-mix(in srgb, var(--warn) 40%, transparent); }
  .note.ok { background: var(--ok-bg); color: var(--text); border: 1px solid color-mix(in srgb, var(--ok) 40%, transparent); }
  .badge { display: inline-block; font-size: 0.75rem; font-weight: 600; padding: 0.1rem 0.5rem; border-radius: 999px; background: var(--chip); color: var(--muted); }
  .badge.live { background: var(--ok-bg); color: var(--ok); }
  .badge.accent { background: var(--accent-bg); color: var(--accent-text); }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
`;
