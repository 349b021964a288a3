import type { Readable } from 'node:stream';
import { buildDfeReturn } from './dfe-return/model.ts';
import type { DatabaseHandle } from '../db/connect.ts';
import type { Quarter } from '../shared/calendar.ts';
import { lineSpendPages, loadReportContext, quarterFigures, quarterForecast, quarterSpend } from './service.ts';
import { categoryFinder, type ReportContext } from './shared/context.ts';
import { streamFromSnapshot } from './snapshot.ts';

/**
 * The DfE return as a workbook, for any caller (the API route, the web pages). Its sheets come
 * from many statements, so all are read again inside one snapshot (see snapshot.ts); the
 * forecast column is read there too (`today` is the app's clock's day); the
 * writer is loaded on first use, as exceljs is large and most requests never need it.
 */
export function dfeReturnWorkbook(database: DatabaseHandle, context: ReportContext, quarter: Quarter, today: string): Readable {
  return streamFromSnapshot(database, async (db) => {
    const { dfeReturnXlsx } = await import('./dfe-return/xlsx.ts');
    const snapshot = await loadReportContext(db, context.grant.organisationId, context.grant.id, context.asAt);
    // The forecast is read in the same snapshot as the figures, so its actual to date and the Summary's spend agree.
    const [figures, forecast] = await Promise.all([quarterFigures(db, snapshot, quarter), quarterForecast(db, snapshot, quarter, today)]);
    const report = buildDfeReturn(snapshot, figures, quarter, forecast);
    const detail = { lines: lineSpendPages(db, snapshot, quarter), spend: quarterSpend(db, snapshot, quarter), categoryOf: categoryFinder(snapshot.grant) };
    return dfeReturnXlsx(report, detail, new Date());
  });
}
