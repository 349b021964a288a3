import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import type { Database } from '../../src/db/tables.ts';
import { forecastJson, forecastSchema } from '../../src/forecasts/schemas.ts';
import { forecastGrant } from '../../src/forecasts/service.ts';
import type { Api, ApiResponse } from '../support/app.ts';

/** GET …/forecast with this query ("?on=…", or "" for today's), answered 200 in the schema's shape. */
export async function getForecast(api: Api, grantId: string, query: string): Promise<ApiResponse> {
  const response = await api.get(`/api/v1/grants/${grantId}/forecast${query}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  forecastSchema.parse(response.body);
  return response;
}

/** The forecast made now from the database, nothing kept (forecastGrant), as the API prints it; `on` null: today's. */
export async function freshForecast(db: Kysely<Database>, organisationId: string, grantId: string, on: string | null, today: string): Promise<any> {
  const { grant, forecast } = await forecastGrant(db, organisationId, grantId, { on: on ?? undefined, today });
  return JSON.parse(forecastJson(grant, forecast, false));
}
