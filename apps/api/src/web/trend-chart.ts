/** One month's figures: outstanding and overdue actions at its end (or now, for the current month). */
export type MonthFigures = Readonly<{ month: string; label: string; outstanding: number; overdue: number }>;

/** The axis names the year under its first month and under every January. */
const yearUnder = (m: MonthFigures, index: number): string | undefined =>
  index === 0 || m.month.endsWith('-01') ? m.month.slice(0, 4) : undefined;

const WIDTH = 640;
const HEIGHT = 260;
const MARGIN = { top: 20, right: 20, bottom: 48, left: 44 };

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Outstanding and overdue actions over the months as an SVG line chart, drawn on the server: it needs
 * no script, and the figures are also given as a table for screen readers and for copying.
 */
export function trendChartSvg(months: readonly MonthFigures[]): string {
  const top = Math.max(1, ...months.map((m) => m.outstanding));
  const step = niceStep(top);
  const ceiling = Math.ceil(top / step) * step;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (index: number) => MARGIN.left + (months.length <= 1 ? plotWidth / 2 : (index * plotWidth) / (months.length - 1));
  const y = (value: number) => MARGIN.top + plotHeight - (value / ceiling) * plotHeight;
  const line = (pick: (m: MonthFigures) => number) => months.map((m, i) => `${x(i).toFixed(1)},${y(pick(m)).toFixed(1)}`).join(' ');
  const ticks = Array.from({ length: ceiling / step + 1 }, (_, i) => i * step);
  return [
    `<svg class="app-chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="trend-title" xmlns="http://www.w3.org/2000/svg">`,
    `<title id="trend-title">Outstanding and overdue actions at the end of each month</title>`,
    ...ticks.map(
      (tick) =>
        `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(tick)}" y2="${y(tick)}" stroke="#b1b4b6" stroke-width="1"/>` +
        `<text x="${MARGIN.left - 8}" y="${y(tick) + 5}" text-anchor="end">${tick}</text>`,
    ),
    ...months.map((m, i) => {
      const year = yearUnder(m, i);
      return (
        `<text x="${x(i)}" y="${HEIGHT - 26}" text-anchor="middle">${escapeXml(m.label)}</text>` +
        (year ? `<text x="${x(i)}" y="${HEIGHT - 8}" text-anchor="middle">${year}</text>` : '')
      );
    }),
    `<polyline fill="none" stroke="#1d70b8" stroke-width="3" points="${line((m) => m.outstanding)}"/>`,
    `<polyline fill="none" stroke="#d4351c" stroke-width="3" stroke-dasharray="8 4" points="${line((m) => m.overdue)}"/>`,
    `</svg>`,
  ].join('\n');
}

/** A tick interval of 1, 2 or 5 times a power of ten, giving about five ticks: never less than one action. */
function niceStep(top: number): number {
  const rough = Math.max(1, top / 5);
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((f) => f * power).find((candidate) => candidate >= rough) ?? rough;
}
