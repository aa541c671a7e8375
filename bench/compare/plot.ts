/**
 * Regret-vs-evaluations plots as hand-written SVG (no dependencies): one figure per group, one panel per
 * problem (BBOB instances of a function share a panel), one line per sampler: the median over runs of
 * log10 normalised regret, with the interquartile range as a translucent band. Both axes are logarithmic
 * (evaluations 1…budget; regret in decades). Tansaku samplers are drawn solid, Optuna samplers dashed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportBase, type CurveSummary, type GroupReport } from './report.js';

const PALETTE = ['#1b6ac9', '#d1495b', '#2e933c', '#8e44ad', '#e67e22', '#17a2b8', '#6c584c', '#c71585', '#7f8c8d', '#b8860b', '#000000'];

const PANEL_W = 300;
const PANEL_H = 210;
const MARGIN = { left: 46, right: 10, top: 22, bottom: 34 };
const COLUMNS = 4;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function n2(x: number): string {
  return (Math.round(x * 10) / 10).toString();
}

function decadeLabel(k: number): string {
  return k === 0 ? '1' : `1e${k}`;
}

/** One panel's SVG group at (x0, y0). */
function panel(
  title: string,
  curves: readonly CurveSummary[],
  colour: (s: string) => string,
  dashed: (s: string) => boolean,
  x0: number,
  y0: number,
): string {
  const w = PANEL_W - MARGIN.left - MARGIN.right;
  const h = PANEL_H - MARGIN.top - MARGIN.bottom;
  const budget = Math.max(...curves.map((c) => c.checkpoints[c.checkpoints.length - 1]));
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const c of curves) {
    for (const v of c.q1) yMin = Math.min(yMin, v);
    for (const v of c.q3) yMax = Math.max(yMax, v);
  }
  yMin = Math.floor(yMin);
  yMax = Math.ceil(yMax);
  if (yMax - yMin < 1) yMax = yMin + 1;
  const lx = (n: number): number => MARGIN.left + (budget > 1 ? (Math.log10(n) / Math.log10(budget)) * w : 0);
  const ly = (v: number): number => MARGIN.top + ((yMax - v) / (yMax - yMin)) * h;
  const parts: string[] = [`<g transform="translate(${x0},${y0})">`];
  parts.push(`<text x="${MARGIN.left + w / 2}" y="14" text-anchor="middle" font-size="12" font-weight="bold">${esc(title)}</text>`);
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${w}" height="${h}" fill="white" stroke="#999"/>`);
  const step = Math.max(1, Math.ceil((yMax - yMin) / 6));
  for (let k = yMin; k <= yMax; k += step) {
    const y = n2(ly(k));
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + w}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${MARGIN.left - 4}" y="${y}" dy="3" text-anchor="end" font-size="9">${decadeLabel(k)}</text>`);
  }
  for (let e = 1; e <= budget; e *= 10) {
    const x = n2(lx(e));
    parts.push(`<line x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${MARGIN.top + h}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${x}" y="${MARGIN.top + h + 11}" text-anchor="middle" font-size="9">${e}</text>`);
  }
  if (!Number.isInteger(Math.log10(budget)))
    parts.push(`<text x="${n2(lx(budget))}" y="${MARGIN.top + h + 11}" text-anchor="middle" font-size="9" fill="#666">${budget}</text>`);
  parts.push(
    `<text x="${MARGIN.left + w / 2}" y="${MARGIN.top + h + 25}" text-anchor="middle" font-size="9" fill="#444">evaluations</text>`,
  );
  for (const c of curves) {
    const upper = c.checkpoints.map((n, i) => `${n2(lx(n))},${n2(ly(c.q3[i]))}`);
    const lower = c.checkpoints.map((n, i) => `${n2(lx(n))},${n2(ly(c.q1[i]))}`).reverse();
    parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${colour(c.sampler)}" fill-opacity="0.12" stroke="none"/>`);
  }
  for (const c of curves) {
    const pts = c.checkpoints.map((n, i) => `${n2(lx(n))},${n2(ly(c.median[i]))}`).join(' ');
    parts.push(
      `<polyline points="${pts}" fill="none" stroke="${colour(c.sampler)}" stroke-width="1.6"${dashed(c.sampler) ? ' stroke-dasharray="5,3"' : ''}><title>${esc(`${c.sampler}: median over ${c.runs} runs`)}</title></polyline>`,
    );
  }
  parts.push('</g>');
  return parts.join('\n');
}

/** The SVG of a group report's curves (one panel per problem panel), or null when there are none. */
export function renderGroupSvg(report: Pick<GroupReport, 'group' | 'samplers' | 'curves' | 'description'>): string | null {
  if (report.curves.length === 0) return null;
  const colour = (s: string): string => PALETTE[Math.max(0, report.samplers.indexOf(s)) % PALETTE.length];
  const dashed = (s: string): boolean => s.startsWith('optuna-');
  const panels = [...new Set(report.curves.map((c) => `${c.panel}\u0000${c.budget}`))];
  const budgets = new Set(report.curves.map((c) => c.budget));
  const cols = Math.min(COLUMNS, panels.length);
  const rows = Math.ceil(panels.length / cols);
  const legendH = 20 + 16 * Math.ceil(report.samplers.length / 4);
  const width = Math.max(cols * PANEL_W, 640);
  const height = 60 + legendH + rows * PANEL_H;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="10" y="20" font-size="15" font-weight="bold">${esc(`${report.group}: normalised regret vs evaluations`)}</text>`);
  out.push(
    `<text x="10" y="36" font-size="11" fill="#444">${esc('Median (line) and IQR (band) over runs of normalised regret; 1 = median random configuration, 0 = optimum.')}</text>`,
  );
  out.push(
    `<text x="10" y="50" font-size="11" fill="#444">${esc('Log scales; Tansaku solid, Optuna dashed; BBOB instances of a function share a panel.')}</text>`,
  );
  report.samplers.forEach((s, i) => {
    const x = 14 + (i % 4) * 170;
    const y = 68 + Math.floor(i / 4) * 16;
    out.push(
      `<line x1="${x}" x2="${x + 26}" y1="${y}" y2="${y}" stroke="${colour(s)}" stroke-width="2.5"${dashed(s) ? ' stroke-dasharray="5,3"' : ''}/>`,
    );
    out.push(`<text x="${x + 32}" y="${y + 4}" font-size="11">${esc(s)}</text>`);
  });
  panels.forEach((key, i) => {
    const [name, budget] = key.split('\u0000');
    const curves = report.curves.filter((c) => c.panel === name && c.budget === Number(budget));
    const title = budgets.size > 1 ? `${name} (${budget})` : name;
    out.push(panel(title, curves, colour, dashed, (i % cols) * PANEL_W, 60 + legendH + Math.floor(i / cols) * PANEL_H));
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Writes `compare-<group>.svg` (or `<fileBase>.svg`) into `dir`; returns its path, or null when there is nothing to draw. */
export function writeGroupSvg(dir: string, report: GroupReport): string | null {
  const svg = renderGroupSvg(report);
  if (svg === null) return null;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${report.fileBase ?? reportBase(report.group)}.svg`);
  writeFileSync(path, svg);
  return path;
}
