import { type ProgrammeReport, statusLabel } from '../../governance/report/model.ts';
import { longDate } from '../../shared/calendar.ts';
import { Decimal, formatGroupedPounds, formatPercent, formatTablePounds, tablePrecision } from '../../shared/money.ts';

/** What every format renders: headed sections of paragraphs and plain tables of text. */
export type Block =
  | { readonly kind: 'paragraph'; readonly text: string }
  | { readonly kind: 'table'; readonly head: readonly string[]; readonly rows: readonly (readonly string[])[]; readonly numeric?: readonly number[] };

export interface Section {
  readonly heading: string;
  readonly blocks: readonly Block[];
}

export interface ReportDocument {
  readonly title: string;
  readonly subtitle: string;
  readonly sections: readonly Section[];
}

const paragraph = (text: string): Block => ({ kind: 'paragraph', text });
const table = (head: readonly string[], rows: readonly (readonly string[])[], numeric: readonly number[] = []): Block => ({ kind: 'table', head, rows, numeric });
const orDash = (text: string | null | undefined) => (text ? text : '—');
const dateOrDash = (date: string | null) => (date ? longDate(date) : '—');
const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function workstreams(report: ProgrammeReport): Section {
  if (report.workstreams.length === 0) return { heading: 'Workstreams', blocks: [paragraph('No workstreams are recorded.')] };
  const rows = report.workstreams.map((w) => [
    w.name,
    orDash(w.lead),
    orDash(w.governanceBody),
    capitalised(statusLabel(w.status)),
    w.rag ? `${capitalised(w.rag)} (${longDate(w.ragDate ?? report.asOf)})` : 'Not rated',
    w.commentary ?? '—',
  ]);
  return { heading: 'Workstreams', blocks: [table(['Workstream', 'Lead', 'Reports to', 'Status', 'RAG', 'Latest commentary'], rows)] };
}

function posts(report: ProgrammeReport): Section {
  const p = report.posts;
  const rest = [p.recruiting ? `${p.recruiting} recruiting` : '', p.planned ? `${p.planned} planned` : '', p.unfilled ? `${p.unfilled} unfilled` : ''].filter(Boolean);
  const blocks: Block[] = [
    paragraph(
      `${p.filled} of ${plural(p.establishment, 'post')} filled${rest.length ? `: ${rest.join(', ')}` : ''}.${p.ended ? ` ${plural(p.ended, 'post has', 'posts have')} ended.` : ''}`,
    ),
  ];
  if (p.roles.length > 0) {
    const rows = p.roles.map((role) => [role.title, String(role.headcount), role.position]);
    blocks.push(table(['Role', 'Posts', 'Position'], rows, [1]));
  }
  blocks.push(...recruitingForecast(report));
  return { heading: 'Posts', blocks };
}

/** Which posts still recruiting move the forecast, and by how much a month's slip would. */
function recruitingForecast(report: ProgrammeReport): Block[] {
  const items = report.posts.recruitingForecast;
  if (items.length === 0) return [paragraph("No post still recruiting moves this year's forecast.")];
  const change = (amount: string) => {
    const value = new Decimal(amount);
    return value.isZero() ? 'No change' : `${value.isNegative() ? '−' : '+'}${formatGroupedPounds(value.abs())}`;
  };
  const rows = items.map((item) => [
    item.title,
    `${item.line.ref} ${item.line.title}`,
    dateOrDash(item.plannedStart),
    formatGroupedPounds(new Decimal(item.forecastCostThisYear)),
    change(item.monthLater),
  ]);
  return [
    paragraph(`${plural(items.length, 'post still recruiting moves', 'posts still recruiting move')} the forecast outturn:`),
    table(['Post', 'Line', 'Planned start', 'Forecast cost this year', 'Forecast outturn if a month later'], rows, [3, 4]),
  ];
}

function secondments(report: ProgrammeReport): Section {
  const s = report.secondments;
  if (s.total === 0) return { heading: 'Secondments', blocks: [paragraph('No secondments are recorded.')] };
  const byStatus = s.byStatus.map((entry) => `${entry.count} ${entry.label}`).join(', ');
  const rows = s.items.map((item) => [
    item.partner,
    item.role,
    capitalised(statusLabel(item.status)),
    orDash(item.sharedWith),
    formatPercent(new Decimal(item.costShare)),
    dateOrDash(item.startDate),
  ]);
  return {
    heading: 'Secondments',
    blocks: [paragraph(`${plural(s.total, 'secondment')}: ${byStatus}.`), table(['Partner', 'Role', 'Status', 'Shared with', 'Our share', 'Start'], rows, [4])],
  };
}

function milestones(report: ProgrammeReport): Section {
  const { late, due } = report.milestones;
  const head = ['Milestone', 'Workstream', 'Due', 'Status', 'Owner'];
  const row = (m: (typeof late)[number]) => [m.title, orDash(m.workstream), longDate(m.dueOn), capitalised(statusLabel(m.status)), orDash(m.owner)];
  const blocks: Block[] = [];
  blocks.push(paragraph(late.length ? `Late (due before ${longDate(report.asOf)} and not complete): ${late.length}.` : 'No milestone is late.'));
  if (late.length)
    blocks.push(
      table(
        [...head, 'Days late'],
        late.map((m) => [...row(m), String(m.daysLate)]),
        [5],
      ),
    );
  blocks.push(paragraph(due.length ? `Due in the next ${report.dueWithinDays} days: ${due.length}.` : `No milestone is due in the next ${report.dueWithinDays} days.`));
  if (due.length) blocks.push(table(head, due.map(row)));
  return { heading: 'Milestones', blocks };
}

function risks(report: ProgrammeReport): Section {
  const r = report.risks;
  if (r.open === 0) return { heading: 'Top risks', blocks: [paragraph('No open risks are recorded.')] };
  const rows = r.top.map((risk) => [orDash(risk.ref), risk.title, orDash(risk.owner), String(risk.likelihood), String(risk.impact), String(risk.score), orDash(risk.mitigation)]);
  return {
    heading: 'Top risks',
    blocks: [
      paragraph(`${plural(r.open, 'open risk')}; the highest scoring (likelihood × impact):`),
      table(['Ref', 'Risk', 'Owner', 'Likelihood', 'Impact', 'Score', 'Mitigation'], rows, [3, 4, 5]),
    ],
  };
}

function governance(report: ProgrammeReport): Section {
  const g = report.governance;
  const span = `from ${longDate(g.since)} to ${longDate(report.asOf)}`;
  const blocks: Block[] = [paragraph(g.meetings.length ? `${plural(g.meetings.length, 'meeting')} held ${span}:` : `No meetings are recorded ${span}.`)];
  if (g.meetings.length) {
    const rows = g.meetings.map((m) => [longDate(m.heldOn), m.governanceBody, orDash(m.title), String(m.decisions)]);
    blocks.push(table(['Date', 'Body', 'Meeting', 'Decisions'], rows, [3]));
  }
  blocks.push(paragraph(g.decisions.length ? `${plural(g.decisions.length, 'decision')} taken ${span}:` : `No decisions are recorded ${span}.`));
  if (g.decisions.length) {
    const approved = (lines: (typeof g.decisions)[number]['lines']) =>
      lines.length
        ? lines
            .map((line) => `${line.financialYear} line ${line.ref} ${line.title} (${line.amount === null ? 'tbc' : `£${formatGroupedPounds(new Decimal(line.amount))}`})`)
            .join('; ')
        : '—';
    const rows = g.decisions.map((d) => [d.reference, d.text, orDash(d.delegatedTo), approved(d.lines)]);
    blocks.push(table(['Decision', 'What was decided', 'Delegated to', 'Lines approved'], rows));
  }
  return { heading: 'Meetings and decisions', blocks };
}

function expectations(report: ProgrammeReport): Section {
  const e = report.expectations;
  const rows = e.items.map((item) => [orDash(item.code), item.title, capitalised(statusLabel(item.status)), orDash(item.owner), dateOrDash(item.dueBy), orDash(item.evidence)]);
  return {
    heading: 'Delivery expectations',
    blocks: [
      paragraph(`${e.met} of ${e.total} met; ${e.inProgress} in progress; ${e.notStarted} not started.`),
      table(['Code', 'Expectation', 'Status', 'Owner', 'Target date', 'Evidence'], rows),
    ],
  };
}

/**
 * A table of figures as committee papers print them: the money columns in whole pounds when
 * every figure in them is (src/shared/money.ts), "tbc" for a line with no amount yet.
 */
function moneyTable(head: readonly string[], rows: readonly (readonly (string | null)[])[], money: readonly number[], numeric: readonly number[] = money): Block {
  const figures = rows.flatMap((row) => money.map((column) => row[column] ?? null)).filter((figure): figure is string => figure !== null && figure !== '');
  const precision = tablePrecision(figures.map((figure) => new Decimal(figure)));
  const printed = rows.map((row) =>
    row.map((cell, column) => (money.includes(column) ? (cell === null ? 'tbc' : cell === '' ? '' : formatTablePounds(new Decimal(cell), precision)) : (cell ?? '—'))),
  );
  return table(head, printed, numeric);
}

/** The money behind the programme: funding lines by workstream, posts and secondments with their cost, the reconciliation and the forecast. */
function money(report: ProgrammeReport): Section {
  const m = report.money;
  const blocks: Block[] = [];
  if (m.grants.length === 0) blocks.push(paragraph(`No grant's year holds ${longDate(report.asOf)}: no funding lines or forecast to show.`));
  for (const grant of m.grants) {
    blocks.push(paragraph(`${grant.scheme} ${grant.financialYear}: allocation ${formatGroupedPounds(new Decimal(grant.allocation))}. Funding lines by workstream:`));
    const lineRows = grant.workstreams.flatMap((w) => {
      const name = w.workstream ?? 'No workstream';
      return [...w.lines.map((line) => [name, `${line.ref} ${line.title}`, capitalised(statusLabel(line.status)), line.amount]), [name, 'Total', '', w.total]];
    });
    blocks.push(lineRows.length ? moneyTable(['Workstream', 'Line', 'Status', '£'], lineRows, [3]) : paragraph('No lines are recorded.'));
    if (grant.reconciliation.length > 0) {
      blocks.push(paragraph('Posts and secondments against the lines that fund them (their cost in the year, pro-rated by days):'));
      blocks.push(
        moneyTable(
          ['Line', 'Line £', 'Posts and secondments £', 'Difference £', 'Result'],
          grant.reconciliation.map((r) => [`${r.ref} ${r.title}`, r.amount, r.fundedCost, r.difference ?? '', capitalised(statusLabel(r.result))]),
          [1, 2, 3],
        ),
      );
    }
    const f = grant.forecast;
    blocks.push(paragraph(`Forecast made on ${longDate(f.on)} (a positive variance is an underspend):`));
    blocks.push(
      moneyTable(
        ['Allocation £', 'Actual to date £', 'Forecast remaining £', 'Forecast outturn £', 'Variance £'],
        [[grant.allocation, f.actualToDate, f.forecastRemaining, f.forecastOutturn, f.variance]],
        [0, 1, 2, 3, 4],
      ),
    );
  }
  if (m.posts.length > 0)
    blocks.push(
      paragraph('Posts, with their annual cost (every post of the headcount together):'),
      moneyTable(
        ['Post', 'Posts', 'Status', 'Annual cost £', 'Funding line'],
        m.posts.map((p) => [p.title, String(p.headcount), capitalised(statusLabel(p.status)), p.annualCost, orDash(p.line)]),
        [3],
        [1, 3],
      ),
    );
  if (m.secondments.length > 0)
    blocks.push(
      paragraph('Secondments, with the share of their cost this council bears:'),
      moneyTable(
        ['Partner', 'Role', 'Status', 'Annual cost £', 'Our share', 'Our cost £', 'Funding line'],
        m.secondments.map((s) => [s.partner, s.role, capitalised(statusLabel(s.status)), s.annualCost, formatPercent(new Decimal(s.costShare)), s.ourAnnualCost, orDash(s.line)]),
        [3, 5],
        [3, 4, 5],
      ),
    );
  return { heading: 'Money', blocks };
}

export function programmeDocument(report: ProgrammeReport): ReportDocument {
  return {
    title: 'Programme progress report',
    subtitle: `${report.organisation.name} (${report.organisation.code}). Position on ${longDate(report.asOf)}.`,
    sections: [workstreams(report), money(report), governance(report), posts(report), secondments(report), milestones(report), risks(report), expectations(report)],
  };
}
