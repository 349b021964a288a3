import type { ReportDocument } from './document.ts';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

// Inline styles only: Word keeps them when the report is pasted, and drops stylesheets.
const FONT = 'font-family:Arial,sans-serif';
const TABLE = `border-collapse:collapse;${FONT};font-size:11pt;margin-bottom:8pt`;
const CELL = 'border:1px solid #000;padding:2pt 4pt;vertical-align:top;text-align:left';
const NUMBER = `${CELL};text-align:right;white-space:nowrap`;

/** A self-contained HTML page that pastes cleanly into Word; every text is escaped. */
export function programmeReportHtml(document: ReportDocument): string {
  const body: string[] = [`<h1 style="${FONT};font-size:14pt">${escape(document.title)}</h1>`, `<p style="${FONT};font-size:11pt">${escape(document.subtitle)}</p>`];
  for (const section of document.sections) {
    body.push(`<h2 style="${FONT};font-size:12pt">${escape(section.heading)}</h2>`);
    for (const block of section.blocks) {
      if (block.kind === 'paragraph') {
        body.push(`<p style="${FONT};font-size:11pt">${escape(block.text)}</p>`);
        continue;
      }
      const style = (index: number) => (block.numeric?.includes(index) ? NUMBER : CELL);
      const head = block.head.map((cell, index) => `<th style="${style(index)}">${escape(cell)}</th>`).join('');
      const rows = block.rows.map((row) => `<tr>${row.map((cell, index) => `<td style="${style(index)}">${escape(cell)}</td>`).join('')}</tr>`);
      body.push(`<table style="${TABLE}"><thead><tr style="font-weight:bold;background:#d9d9d9">${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`);
    }
  }
  return [
    '<!DOCTYPE html>',
    '<html lang="en-GB">',
    `<head><meta charset="utf-8"><title>${escape(document.title)}</title></head>`,
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
