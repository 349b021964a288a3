import { cabinetTableReport } from './cabinet-table/report.ts';
import type { AnyReport } from './definition.ts';
import { dfeReturnReport } from './dfe-return/report.ts';
import { programmeReport } from './programme/report.ts';
import { grantSpendingOver500Report, organisationSpendingOver500Report } from './transparency/report.ts';

/**
 * Every report the service gives. Each is defined in its own folder; the API's report routes
 * (routes.ts) and the pages' downloads (web/reports/routes.ts) serve whatever is listed here.
 */
export const REPORTS: readonly AnyReport[] = [cabinetTableReport, dfeReturnReport, grantSpendingOver500Report, organisationSpendingOver500Report, programmeReport];
