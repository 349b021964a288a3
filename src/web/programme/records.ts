import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { isUuid } from '../../auth/access.ts';
import { statusLabel } from '../../governance/report/model.ts';
import type { Collection } from '../../governance/shared/collection.ts';
import { createRecord, etagOf, updateRecord, type Versioned } from '../../governance/shared/records.ts';
import { governanceBodies } from '../../governance/bodies/collection.ts';
import { meetings } from '../../governance/meetings/collection.ts';
import { workstreams as workstreamCollection } from '../../governance/workstreams/collection.ts';
import { longDate } from '../../shared/calendar.ts';
import { Decimal, formatPounds } from '../../shared/money.ts';
import { NotFoundProblem } from '../../shared/problems.ts';
import { page, pageAccessOf, pageActorOf, pageAllows, seeOther, setFlash } from '../access.ts';
import { type FieldLabels, type FormErrors, formValues, problemToFormErrors, validateForm } from '../forms.ts';
import { renderPage } from '../render.ts';
import { formatDate } from '../view.ts';
import { choiceItems, dateErrors, type FieldSpec, formBody, formValuesOf } from './fields.ts';
import type { RecordKind } from './kinds.ts';

type OrgParams = { Params: { orgId: string } };
type RecordParams = { Params: { orgId: string; id: string } };

function labelsOf(kind: RecordKind): FieldLabels {
  return Object.fromEntries(kind.fields.map((f) => [f.name, f.label.replace(/ \(optional[^)]*\)$/, '')]));
}

/** Whole-number boxes: the schema's own message assumes a JSON number was sent. */
function messagesOf(kind: RecordKind): Record<string, string> {
  return Object.fromEntries(kind.fields.filter((f) => f.kind === 'integer').map((f) => [f.name, 'must be a whole number']));
}

function cell(field: FieldSpec | undefined, value: unknown): string {
  if (value == null || value === '') return '–';
  if (field?.kind === 'money') return formatPounds(new Decimal(String(value)));
  if (field?.kind === 'date') return formatDate(String(value));
  if (field?.kind === 'choice') return statusLabel(String(value));
  return String(value);
}

/**
 * List, add and change pages for one kind of governance record, over its collection in
 * src/governance: the same zod schemas, checks, optimistic locking and audit as the API.
 */
export function registerRecordPages<Rec extends Versioned, Fields, C extends z.ZodType, U extends z.ZodType, Q extends z.ZodType, O extends z.ZodType>(
  app: FastifyInstance,
  kind: RecordKind,
  collection: Collection<Rec, Fields, C, U, Q, O>,
): void {
  const base = `/organisations/:orgId/programme/${kind.path}`;
  const reader = { config: { page: page.member('organisation', 'orgId', 'reader') } };
  const lead = { config: { page: page.member('organisation', 'orgId', 'programme_lead') } };
  const labels = labelsOf(kind);
  const collectionFields = kind.fields;
  const isKey = collection.isKey ?? isUuid;
  // Every collection presents an object of named fields; the generic O cannot say so itself.
  const presented = (record: Rec) => collection.present(record) as Record<string, unknown>;

  /** The records a form's selects offer, read only when the form has such a select. */
  async function linkChoices(organisationId: string) {
    const has = (kind: FieldSpec['kind']) => collectionFields.some((field) => field.kind === kind);
    const [workstreams, bodies, meetingList] = await Promise.all([
      has('workstream') ? workstreamCollection.list(app.db, organisationId, {}) : [],
      has('body') ? governanceBodies.list(app.db, organisationId, {}) : [],
      has('meeting') ? meetings.list(app.db, organisationId, {}) : [],
    ]);
    return {
      workstream: workstreams.map((w) => ({ value: w.id, text: w.name })),
      body: bodies.map((b) => ({ value: b.id, text: b.name })),
      meeting: meetingList.map((m) => ({ value: m.id, text: `${m.governanceBody}, ${longDate(m.heldOn)}${m.title ? `: ${m.title}` : ''}` })),
    };
  }

  async function showForm(request: FastifyRequest, reply: FastifyReply, form: { action: string; heading: string; values: Record<string, string>; errors?: FormErrors }) {
    const organisationId = pageAccessOf(request).organisationId;
    const choices = await linkChoices(organisationId);
    const fields = kind.fields.map((field) => {
      if (field.kind === 'workstream' || field.kind === 'body' || field.kind === 'meeting') {
        const none = field.optional ? [{ value: '', text: 'None' }] : [{ value: '', text: `Choose a ${field.kind === 'body' ? 'governance body' : field.kind}` }];
        return { ...field, items: [...none, ...choices[field.kind].map((item) => ({ ...item, selected: item.value === form.values[field.name] }))] };
      }
      return { ...field, items: choiceItems(field, form.values[field.name]) };
    });
    return renderPage(request, reply, 'programme-record-form', { kind, fields, organisationId, ...form }, form.errors ? 400 : 200);
  }

  async function recordOrNotFound(request: FastifyRequest<RecordParams>): Promise<Rec> {
    const record = isKey(request.params.id) ? await collection.store.find(app.db, pageAccessOf(request).organisationId, request.params.id) : null;
    if (!record) throw new NotFoundProblem(kind.singular);
    return record;
  }

  app.get<OrgParams>(base, reader, async (request, reply) => {
    const records = await collection.list(app.db, pageAccessOf(request).organisationId, collection.schemas.query.parse({}));
    const rows = records.map((record) => {
      const shown = presented(record);
      return {
        id: record.id,
        cells: kind.columns.map((name) =>
          cell(
            kind.fields.find((f) => f.name === name),
            shown[name],
          ),
        ),
      };
    });
    const headings = kind.columns.map((name) => kind.headings?.[name] ?? labels[name] ?? name);
    return renderPage(request, reply, 'programme-records', {
      kind,
      rows,
      headings,
      organisationId: pageAccessOf(request).organisationId,
      canWrite: pageAllows(request, 'programme_lead'),
    });
  });

  // A link may choose a select's record in advance ("Add a decision taken at this meeting").
  app.get<OrgParams & { Querystring: Record<string, unknown> }>(`${base}/new`, lead, async (request, reply) => {
    const chosen = Object.fromEntries(
      kind.fields.flatMap((field) => {
        const value = request.query[field.name];
        return ['body', 'meeting', 'workstream'].includes(field.kind) && typeof value === 'string' && isUuid(value) ? [[field.name, value]] : [];
      }),
    );
    return showForm(request, reply, { action: `${base.replace(':orgId', pageAccessOf(request).organisationId)}/new`, heading: `Add a ${kind.singular}`, values: chosen });
  });

  app.post<OrgParams>(`${base}/new`, lead, async (request, reply) => {
    const values = formValues(request.body);
    const form = { action: request.url, heading: `Add a ${kind.singular}`, values };
    const parsed = validateForm(collection.schemas.create, formBody(kind.fields, values, 'create'), labels, messagesOf(kind), dateErrors(kind.fields, values));
    if (!parsed.ok) return showForm(request, reply, { ...form, errors: parsed.errors });
    const actor = pageActorOf(request);
    try {
      const created = await createRecord(app.db, actor, collection.store, (trx) => collection.prepareCreate(trx, actor, parsed.value));
      setFlash(request, `${kind.singular[0]!.toUpperCase()}${kind.singular.slice(1)} added`);
      return seeOther(reply, `/organisations/${actor.organisationId}/programme/${kind.path}${kind.detail ? `/${created.id}` : ''}`);
    } catch (error) {
      const errors = problemToFormErrors(error, labels, 'annualCost');
      if (!errors) throw error;
      return showForm(request, reply, { ...form, errors });
    }
  });

  app.get<RecordParams>(`${base}/:id/edit`, lead, async (request, reply) => {
    const record = await recordOrNotFound(request);
    const values = { ...formValuesOf(kind.fields, presented(record)), version: String(record.version) };
    return showForm(request, reply, { action: request.url, heading: `Change this ${kind.singular}`, values });
  });

  app.post<RecordParams>(`${base}/:id/edit`, lead, async (request, reply) => {
    const record = await recordOrNotFound(request);
    const values = formValues(request.body);
    const form = { action: request.url, heading: `Change this ${kind.singular}`, values };
    const parsed = validateForm(collection.schemas.update, formBody(kind.fields, values, 'update'), labels, messagesOf(kind), dateErrors(kind.fields, values));
    if (!parsed.ok) return showForm(request, reply, { ...form, errors: parsed.errors });
    const actor = pageActorOf(request);
    try {
      // The version the form was opened at: a change made meanwhile is a 412, not overwritten.
      const ifMatch = etagOf({ id: record.id, version: Number(values.version) });
      await updateRecord(app.db, actor, collection.store, record.id, ifMatch, (trx, current) => collection.prepareUpdate(trx, actor, current, parsed.value));
      setFlash(request, `${kind.singular[0]!.toUpperCase()}${kind.singular.slice(1)} changed`);
      return seeOther(reply, `/organisations/${actor.organisationId}/programme/${kind.path}${kind.detail ? `/${record.id}` : ''}`);
    } catch (error) {
      const errors = problemToFormErrors(error, labels, 'annualCost');
      if (!errors) throw error;
      return showForm(request, reply, { ...form, errors });
    }
  });
}
